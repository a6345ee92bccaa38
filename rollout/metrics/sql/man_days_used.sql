-- Consultant man-days used per branch on D (METRICS.md "Consultant man-days"):
--   "**Man-days used** on D: when the branch has rows in `consultant_days`, the sum of days with
--   work_date ≤ D (per phase too); otherwise branches.consultant_days_used, as today (no dates)."
-- A branch with rows only after D has used 0 on D (it has rows). logged: whether the figure comes
-- from consultant_days (else from the branches sheet). Unrounded (shown to 1 decimal).
-- $as_of: D.
SELECT b.branch_code,
       b.region_code,
       CASE WHEN c.branch_code IS NOT NULL THEN c.used ELSE b.consultant_days_used END AS man_days_used,
       c.branch_code IS NOT NULL AS logged
FROM branches AS b
LEFT JOIN (SELECT branch_code, coalesce(sum(days) FILTER (WHERE work_date <= $as_of), 0) AS used
           FROM consultant_days
           GROUP BY branch_code) AS c ON c.branch_code = b.branch_code
