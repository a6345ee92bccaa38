-- Forecast track record (METRICS.md "Forecast track record"), the part SQL does: the weekly paces of
-- every forecast date at once.
-- "Forecast dates: F_k = D - 7k, k = 1...52." The probabilistic forecast as of F_k reads the weekly pace
-- w_j = weight done with completed_on in (F_k - 7j, F_k - 7(j - 1)], j = 1...8. Those weeks are the weeks
-- ending on D shifted by k: week b = (D - completed_on) // 7 + 1 covers (D - 7b, D - 7(b - 1)], and
-- w_j as of F_k is week b = k + j. So the weight done per week b = 1...$weeks (52 + 8 = 60) is read once
-- per branch, and rollout.metrics.track_record slides the 8-week window over it (no replay per date).
-- "Done as of D" (status done, completed_on <= D): the weeks also give the weight done after each F_k.
-- One row per (branch, week with any weight done), the branch by its row in track_record_branches.sql (branch
-- code order, from 0), so the weeks land in a matrix without looking codes up. Parameters: $as_of, $weeks.
WITH numbered AS (
    SELECT branch_code, CAST(row_number() OVER (ORDER BY branch_code) - 1 AS INTEGER) AS branch_row
    FROM branches
)
SELECT
    n.branch_row,
    CAST(date_diff('day', c.completed_on, $as_of::DATE) // 7 + 1 AS INTEGER) AS week,
    sum(c.weight) AS weight
FROM checklist c
JOIN numbered n ON n.branch_code = c.branch_code
WHERE c.status = 'done' AND c.completed_on <= $as_of::DATE AND c.completed_on > $as_of::DATE - 7 * $weeks::INTEGER
GROUP BY ALL
