-- Forecast track record (METRICS.md "Forecast track record"), the part SQL does: the weekly paces of
-- every forecast date at once.
-- "Forecast dates: F_k = D - 7k, k = 1...52." The probabilistic forecast as of F_k reads the weekly pace
-- w_j = weight done with completed_on in (F_k - 7j, F_k - 7(j - 1)], j = 1...8. Those weeks are the weeks
-- ending on D shifted by k: week b = (D - completed_on) // 7 + 1 covers (D - 7b, D - 7(b - 1)], and
-- w_j as of F_k is week b = k + j. So the weight done per week b = 1...$weeks (52 + 8 = 60) is read once
-- per branch, and rollout.metrics.track_record slides the 8-week window over it (no replay per date).
-- "Done as of D" (status done, completed_on <= D): the weeks also give the weight done after each F_k.
-- One row per (branch, week with any weight done). Parameters: $as_of, $weeks.
SELECT
    branch_code,
    CAST(date_diff('day', completed_on, $as_of::DATE) // 7 + 1 AS INTEGER) AS week,
    sum(weight) AS weight
FROM checklist
WHERE status = 'done' AND completed_on <= $as_of::DATE AND completed_on > $as_of::DATE - 7 * $weeks::INTEGER
GROUP BY ALL
