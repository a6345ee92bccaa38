-- Consultant burn rate per branch on D (METRICS.md "Consultant man-days"):
--   "**Burn rate**: days with work_date in (D − 28, D], divided by 4, per week (only from
--   `consultant_days`; otherwise null)."
-- One row per branch that has consultant_days rows (at any date): 0 when none falls in the window.
-- $as_of: D.
SELECT branch_code,
       coalesce(sum(days) FILTER (WHERE work_date > $as_of - 28 AND work_date <= $as_of), 0) / 4.0 AS burn_rate
FROM consultant_days
GROUP BY branch_code
