-- The weight done per branch and week (METRICS.md "Probabilistic forecast" and "Forecast track record"), the
-- part SQL does of both.
-- "Weekly pace: w_j = weight done as of D with completed_on in (D - 7j, D - 7(j - 1)], for j = 1...8 (the 8
--  weeks ending on D; together they are the 56-day window)." Week b = (D - completed_on) // 7 + 1 covers
-- (D - 7b, D - 7(b - 1)]: weeks 1...8 are w1...w8 as of D.
-- "Forecast dates: F_k = D - 7k, k = 1...52." The probabilistic forecast as of F_k reads w_j as of F_k = week
-- b = k + j, so the track record reads weeks 1...60 once and rollout.metrics.track_record slides the 8-week
-- window over them (no replay per date); the weeks also give the weight done after each F_k.
-- "Done as of D": status done, completed_on <= D. One row per (branch, week with any weight done), the branch
-- by its row in branch code order (from 0), so the weeks land in a matrix without looking 140,000 codes up;
-- and one row per branch with week 0 and its code, so the matrix's rows are named from the same reading
-- (rollout.metrics.readiness.weekly_done matches them to a caller's branches by code).
-- Parameters: $as_of, $weeks (8 or 60).
WITH numbered AS (
    SELECT branch_code, CAST(row_number() OVER (ORDER BY branch_code) - 1 AS INTEGER) AS branch_row
    FROM branches
)
SELECT branch_row, 0 AS week, 0.0::DOUBLE AS weight, branch_code
FROM numbered
UNION ALL
SELECT
    n.branch_row,
    CAST(date_diff('day', c.completed_on, $as_of::DATE) // 7 + 1 AS INTEGER) AS week,
    sum(c.weight) AS weight,
    NULL AS branch_code
FROM checklist c
JOIN numbered n ON n.branch_code = c.branch_code
WHERE c.status = 'done' AND c.completed_on <= $as_of::DATE AND c.completed_on > $as_of::DATE - 7 * $weeks::INTEGER
GROUP BY n.branch_row, week
