-- Next go-live of an executive's branch (Executives page and call list;
-- docs/methodology/engagement.md): the planned_go_live of the executive's own branch when that
-- branch is not live on D (branches_live.sql); for a regional head with no
-- branch, the soonest planned_go_live on or after D among the region's branches not live on D.
-- days_to_go_live = next_go_live - D (negative when a planned date has passed without go-live).
WITH not_live AS (
    SELECT branch_code, region_code, planned_go_live
    FROM ({{branches_live}})
    WHERE NOT is_live
),
regional AS (
    SELECT e.exec_code, min(b.planned_go_live) AS planned_go_live
    FROM executives AS e
    JOIN not_live AS b ON b.region_code = e.region_code AND b.planned_go_live >= $as_of::DATE
    WHERE coalesce(e.branch_code, '') = ''
    GROUP BY e.exec_code
),
regional_branch AS (
    SELECT r.exec_code, min(b.branch_code) AS branch_code
    FROM regional AS r
    JOIN executives AS e USING (exec_code)
    JOIN not_live AS b ON b.region_code = e.region_code AND b.planned_go_live = r.planned_go_live
    GROUP BY r.exec_code
)
SELECT e.exec_code,
       CASE WHEN coalesce(e.branch_code, '') = '' THEN rb.branch_code ELSE own.branch_code END AS go_live_branch,
       CASE WHEN coalesce(e.branch_code, '') = '' THEN r.planned_go_live ELSE own.planned_go_live END AS next_go_live,
       CASE WHEN coalesce(e.branch_code, '') = '' THEN r.planned_go_live ELSE own.planned_go_live END
           - $as_of::DATE AS days_to_go_live
FROM executives AS e
LEFT JOIN not_live AS own ON own.branch_code = e.branch_code
LEFT JOIN regional AS r ON r.exec_code = e.exec_code
LEFT JOIN regional_branch AS rb ON rb.exec_code = e.exec_code
