-- Baseline for the benchmark: the consultant man-days of METRICS.md in one bare query ($d = as-of).
-- A branch "logs" its man-days when it has any consultant_days row (whatever its date; METRICS.md does
-- not say, the app reads it so): rows only after D mean 0 used and a burn rate of 0. The others fall
-- back to branches.consultant_days_used and have no burn rate, hence no overrun.
WITH logged AS (
    SELECT branch_code,
           coalesce(sum(days) FILTER (WHERE work_date <= $d), 0) AS used,
           coalesce(sum(days) FILTER (WHERE work_date > $d - 28 AND work_date <= $d), 0) / 4 AS burn_rate
    FROM consultant_days GROUP BY branch_code
), figures AS (
    SELECT b.branch_code, b.consultant_days_budget AS budget, b.planned_go_live,
           coalesce(b.actual_go_live <= $d, false) AS live,
           CASE WHEN l.branch_code IS NOT NULL THEN l.used ELSE b.consultant_days_used END AS used,
           l.burn_rate
    FROM branches b LEFT JOIN logged l USING (branch_code)
)
SELECT branch_code, used AS man_days_used,
       CASE WHEN live OR budget IS NULL OR burn_rate IS NULL OR planned_go_live IS NULL THEN NULL
            ELSE greatest(0, used + burn_rate * greatest(0, planned_go_live - $d) / 7.0 - budget) END
           AS man_days_overrun
FROM figures
ORDER BY branch_code
