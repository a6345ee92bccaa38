-- 006_snapshot_counts.sql for PostgreSQL: the same columns, filled with PostgreSQL's JSON functions.
ALTER TABLE snapshots ADD COLUMN scope VARCHAR;
ALTER TABLE snapshots ADD COLUMN live_branches INTEGER;
ALTER TABLE snapshots ADD COLUMN green_branches INTEGER;
ALTER TABLE snapshots ADD COLUMN amber_branches INTEGER;
ALTER TABLE snapshots ADD COLUMN red_branches INTEGER;
ALTER TABLE snapshots ADD COLUMN no_plan_branches INTEGER;
UPDATE snapshots SET scope = coalesce(summary_json::json ->> 'scope', '*');
UPDATE snapshots SET
    live_branches = (SELECT count(*) FROM json_array_elements(summary_json::json -> 'branches') b
                     WHERE b ->> 'status' = 'live'),
    green_branches = (SELECT count(*) FROM json_array_elements(summary_json::json -> 'branches') b
                      WHERE b ->> 'status' = 'green'),
    amber_branches = (SELECT count(*) FROM json_array_elements(summary_json::json -> 'branches') b
                      WHERE b ->> 'status' = 'amber'),
    red_branches = (SELECT count(*) FROM json_array_elements(summary_json::json -> 'branches') b
                    WHERE b ->> 'status' = 'red'),
    no_plan_branches = (SELECT count(*) FROM json_array_elements(summary_json::json -> 'branches') b
                        WHERE b ->> 'status' = 'no_plan');
