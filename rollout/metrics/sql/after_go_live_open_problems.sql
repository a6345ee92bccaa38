-- Problems open on D with their time limit (METRICS.md "After go-live"):
--   "**Problem time limits** by severity (*defaults*): critical 3 days, high 7, medium 14, low 30.
--   A problem is **open on D** when opened_on ≤ D and closed_on is empty or after D; it is **past
--   its limit** when also D − opened_on > the limit of its severity."
-- Every branch (live or not). A problem exactly at its limit (D − opened_on = limit) is not past it.
-- $as_of: D. $limit_critical, $limit_high, $limit_medium, $limit_low: the limits in days.
WITH open AS (
    SELECT p.*,
           CASE p.severity WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'medium' THEN 3 ELSE 4 END AS severity_rank,
           CASE p.severity WHEN 'critical' THEN $limit_critical WHEN 'high' THEN $limit_high
                           WHEN 'medium' THEN $limit_medium ELSE $limit_low END AS limit_days,
           $as_of - p.opened_on AS age_days
    FROM problems AS p
    WHERE p.opened_on <= $as_of
      AND (p.closed_on IS NULL OR p.closed_on > $as_of)
)
SELECT o.problem_code, o.branch_code, b.branch_name, b.region_code, o.severity, o.severity_rank, o.module,
       o.title, o.owner, o.opened_on, o.closed_on, o.age_days, o.limit_days,
       o.age_days > o.limit_days AS past_limit,
       o.opened_on + o.limit_days AS due_by
FROM open AS o
JOIN branches AS b ON b.branch_code = o.branch_code
ORDER BY o.branch_code, o.severity_rank, o.age_days DESC, o.problem_code
