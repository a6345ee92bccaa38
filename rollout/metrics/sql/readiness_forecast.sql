-- Forecast ready date, stalled and slip (METRICS.md "Readiness"):
-- "Forecast ready date (branches not live on D, with a plan): window weight = weight of items done as
--  of D with `completed_on` after D - 56 days; remaining = non-waived weight not done as of D. Nothing
--  remaining: the latest completed_on (the day the plan was finished). Otherwise, if the window weight
--  is 0 the branch is stalled (no forecast, no slip); else forecast = D + ceil(remaining x 56 / window
--  weight) days."
-- "Slip = forecast date minus planned_go_live, in days (null without either; negative when ahead)."
-- The window (56 days by default) is the setting forecast_window_days. The weights are summed by
-- readiness_checklist.sql in its one pass over the checklist; its figures are passed on (items,
-- weight_planned, weight_done, checklist_readiness, overdue_items, failing_gates), so readiness_status.sql
-- reads both from this query. Parameters: $as_of, $window_days.
WITH readiness_checklist AS (
{{readiness_checklist}}
), pace AS (
    SELECT k.*, b.planned_go_live, b.is_live, k.weight_planned > 0 AS has_plan
    FROM ({{branches_live}}) AS b
    JOIN readiness_checklist k USING (branch_code)
), forecast AS (
    SELECT
        *,
        NOT is_live AND has_plan AND remaining_weight > 0 AND window_weight = 0 AS stalled,
        CASE
            WHEN is_live OR NOT has_plan THEN NULL
            WHEN remaining_weight = 0 THEN last_completed_on
            WHEN window_weight = 0 THEN NULL
            -- rounded to 9 places first so that float noise (24.000000001) never adds a day
            ELSE $as_of::DATE + CAST(ceil(round(remaining_weight * $window_days::INTEGER / window_weight, 9))
                                     AS INTEGER)
        END AS forecast_ready_on
    FROM pace
)
SELECT
    branch_code, is_live, has_plan, window_weight, remaining_weight, last_completed_on, stalled,
    forecast_ready_on,
    date_diff('day', planned_go_live, forecast_ready_on) AS slip_days,
    items, weight_planned, weight_done, checklist_readiness, overdue_items, failing_gates
FROM forecast
