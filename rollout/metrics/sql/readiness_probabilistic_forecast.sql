-- Probabilistic forecast (METRICS.md "Probabilistic forecast"), the part SQL does: the weekly pace.
-- "Weekly pace: w_j = weight done as of D with completed_on in (D - 7j, D - 7(j - 1)], for j = 1...8
--  (the 8 weeks ending on D; together they are the 56-day window)."
-- A done item completed d days before D (0 <= d < 56) falls in week j = d // 7 + 1. One row per branch
-- with any weight done in the window (w1 = the week ending on D); a branch without a row had none.
-- The rest (remaining weight, live, plan, planned go-live: readiness_status.sql) and the normal model
-- (mean, population standard deviation, chance, P50 / P80) are joined and computed by
-- rollout.metrics.readiness.probabilistic_forecast, vectorised over every branch at once.
-- Parameter: $as_of.
WITH window_items AS (
    SELECT branch_code, weight, CAST(date_diff('day', completed_on, $as_of::DATE) // 7 + 1 AS INTEGER) AS week
    FROM checklist
    WHERE status = 'done' AND completed_on <= $as_of::DATE AND completed_on > $as_of::DATE - 56
)
SELECT
    branch_code,
    coalesce(sum(weight) FILTER (WHERE week = 1), 0) AS w1,
    coalesce(sum(weight) FILTER (WHERE week = 2), 0) AS w2,
    coalesce(sum(weight) FILTER (WHERE week = 3), 0) AS w3,
    coalesce(sum(weight) FILTER (WHERE week = 4), 0) AS w4,
    coalesce(sum(weight) FILTER (WHERE week = 5), 0) AS w5,
    coalesce(sum(weight) FILTER (WHERE week = 6), 0) AS w6,
    coalesce(sum(weight) FILTER (WHERE week = 7), 0) AS w7,
    coalesce(sum(weight) FILTER (WHERE week = 8), 0) AS w8
FROM window_items
GROUP BY branch_code
