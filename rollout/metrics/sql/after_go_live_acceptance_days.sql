-- Ready for acceptance, per live branch, on D and on each of the $days - 1 days before it
-- (METRICS.md "After go-live"):
--   "**Ready for acceptance** (live branches, not accepted on D — accepted_on empty or after D):
--   live for at least 30 days (D − actual_go_live ≥ 30), same-day entry rate ≥ 95 (*default*), and
--   no critical or high problem of the branch past its limit on D."
--   "**Acceptance overdue**: the branch is ready for acceptance on D and on each of the 13 days
--   before it (14 days, *default*), each day judged as of that day."
-- Each day is judged as of that day: live on it (actual_go_live <= that day, branches_live.sql's rule
-- applied to each day), accepted by it, its own 30-day entry window, the problems open on it.
-- A rate of null (no entries) is not >= 95.
-- $as_of: D. $days: how many days, ending on D. $branch_code: one branch (NULL: every branch).
-- $entry_target: 95. $limit_critical, $limit_high: the problem time limits in days.
WITH days AS (
    SELECT $as_of - CAST(g.i AS INTEGER) AS day
    FROM generate_series(0, $days - 1) AS g(i)
),
rates AS ({{after_go_live_same_day_entry_rate}}),
live AS (
    SELECT b.branch_code, d.day, b.actual_go_live, a.accepted_on
    FROM branches AS b
    CROSS JOIN days AS d
    LEFT JOIN acceptance AS a ON a.branch_code = b.branch_code
    WHERE b.actual_go_live <= d.day
      AND ($branch_code IS NULL OR b.branch_code = $branch_code)
),
blocking AS (
    SELECT l.branch_code, l.day, count(*) AS problems
    FROM live AS l
    JOIN problems AS p ON p.branch_code = l.branch_code
    WHERE p.severity IN ('critical', 'high')
      AND p.opened_on <= l.day
      AND (p.closed_on IS NULL OR p.closed_on > l.day)
      AND l.day - p.opened_on > CASE p.severity WHEN 'critical' THEN $limit_critical ELSE $limit_high END
    GROUP BY l.branch_code, l.day
),
judged AS (
    SELECT l.branch_code,
           l.day,
           l.day - l.actual_go_live AS days_live,
           coalesce(l.accepted_on <= l.day, false) AS accepted,
           r.same_day_entry_rate,
           coalesce(k.problems, 0) AS blocking_problems
    FROM live AS l
    LEFT JOIN rates AS r ON r.branch_code = l.branch_code AND r.day = l.day
    LEFT JOIN blocking AS k ON k.branch_code = l.branch_code AND k.day = l.day
)
SELECT *,
       NOT accepted AND days_live >= 30 AND coalesce(same_day_entry_rate >= $entry_target, false)
           AND blocking_problems = 0 AS ready_for_acceptance
FROM judged
ORDER BY branch_code, day
