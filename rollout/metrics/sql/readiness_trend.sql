-- Readiness trend (METRICS.md "Readiness"):
-- "Readiness trend: checklist readiness computed weekly from `completed_on` dates."
-- Each point is the checklist readiness as of a week's date (done as of that date: status `done` and
-- `completed_on <= date`; waived items count in neither): D, D - 7, D - 14, ... ($weeks points), so a
-- past as-of date replays the trend as it was known then.
-- One row per (branch with a plan, week). Parameters: $as_of, $weeks.
WITH weeks AS (
    SELECT $as_of::DATE - CAST(7 * k AS INTEGER) AS week_of
    FROM range(0, $weeks::INTEGER) AS t(k)
)
SELECT
    c.branch_code,
    w.week_of,
    100.0 * coalesce(sum(c.weight) FILTER (WHERE c.status = 'done' AND c.completed_on <= w.week_of), 0)
        / sum(c.weight) FILTER (WHERE c.status <> 'waived') AS checklist_readiness
FROM weeks w
CROSS JOIN checklist c
GROUP BY c.branch_code, w.week_of
HAVING sum(c.weight) FILTER (WHERE c.status <> 'waived') > 0
ORDER BY c.branch_code, w.week_of
