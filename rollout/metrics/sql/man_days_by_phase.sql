-- Consultant man-days used per branch and phase on D (METRICS.md "Consultant man-days"):
--   "**Man-days used** on D: when the branch has rows in `consultant_days`, the sum of days with
--   work_date ≤ D (per phase too)".
-- Only branches with consultant_days rows, only phases with days on or before D.
-- $as_of: D.
SELECT c.branch_code,
       b.region_code,
       c.phase,
       sum(c.days) AS man_days_used
FROM consultant_days AS c
JOIN branches AS b ON b.branch_code = c.branch_code
WHERE c.work_date <= $as_of
GROUP BY c.branch_code, b.region_code, c.phase
ORDER BY c.branch_code, c.phase
