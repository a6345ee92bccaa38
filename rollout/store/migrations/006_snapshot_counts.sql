-- Each snapshot's scope and its branches per status, beside the frozen JSON (several megabytes at 2,000
-- branches): the portfolio trend, the steering pack, the snapshot list and the scope filter read these
-- small columns instead of parsing every snapshot's text. Snapshots taken before are filled from their JSON.
ALTER TABLE snapshots ADD COLUMN scope VARCHAR;
ALTER TABLE snapshots ADD COLUMN live_branches INTEGER;
ALTER TABLE snapshots ADD COLUMN green_branches INTEGER;
ALTER TABLE snapshots ADD COLUMN amber_branches INTEGER;
ALTER TABLE snapshots ADD COLUMN red_branches INTEGER;
ALTER TABLE snapshots ADD COLUMN no_plan_branches INTEGER;
UPDATE snapshots SET scope = coalesce(json_extract_string(summary_json, '$.scope'), '*');
UPDATE snapshots SET
    live_branches = len(list_filter(json_extract_string(summary_json, '$.branches[*].status'), s -> s = 'live')),
    green_branches = len(list_filter(json_extract_string(summary_json, '$.branches[*].status'), s -> s = 'green')),
    amber_branches = len(list_filter(json_extract_string(summary_json, '$.branches[*].status'), s -> s = 'amber')),
    red_branches = len(list_filter(json_extract_string(summary_json, '$.branches[*].status'), s -> s = 'red')),
    no_plan_branches = len(list_filter(json_extract_string(summary_json, '$.branches[*].status'),
                                       s -> s = 'no_plan'));
