-- Checklist readiness per branch (METRICS.md "Readiness"):
-- "Checklist readiness of a branch (and of one dimension of it), as of date D: weight of items with
--  status `done` and `completed_on <= D`, divided by the weight of all items that are not `waived`,
--  times 100. Waived items count in neither. No items, or only waived ones: undefined (null, shown as
--  "no plan"), never 0 and never 100."
-- "Done as of D means status `done` and `completed_on <= D`."
-- "Overdue item: not done as of D, not `waived`, `due_date < D`."
-- "Failing gate: an item with `gate = true`, not `waived`, not done as of D."
-- The same pass over the checklist also sums what the forecast reads (readiness_forecast.sql builds on this
-- query, so the branch status reads the checklist once): the weight remaining (not waived, not done as of
-- D), the weight done in the forecast window (done as of D, completed_on after D - $window_days) and the
-- latest completed_on of the items done as of D.
-- One row per branch (every branch, also those without items). Parameters: $as_of, $window_days.
WITH items AS (  -- the checklist summed per branch first, then joined to every branch (fewer rows to join)
    SELECT
        branch_code,
        count(*) AS items,
        sum(weight) FILTER (WHERE status <> 'waived') AS weight_planned,
        sum(weight) FILTER (WHERE status = 'done' AND completed_on <= $as_of::DATE) AS weight_done,
        count(*) FILTER (WHERE status <> 'waived'
                           AND NOT (status = 'done' AND coalesce(completed_on <= $as_of::DATE, false))
                           AND due_date < $as_of::DATE) AS overdue_items,
        count(*) FILTER (WHERE gate AND status <> 'waived'
                           AND NOT (status = 'done' AND coalesce(completed_on <= $as_of::DATE, false)))
            AS failing_gates,
        sum(weight) FILTER (WHERE status <> 'waived'
                              AND NOT (status = 'done' AND coalesce(completed_on <= $as_of::DATE, false)))
            AS remaining_weight,
        sum(weight) FILTER (WHERE status = 'done' AND completed_on <= $as_of::DATE
                              AND completed_on > $as_of::DATE - $window_days::INTEGER) AS window_weight,
        max(completed_on) FILTER (WHERE status = 'done' AND completed_on <= $as_of::DATE) AS last_completed_on
    FROM checklist
    GROUP BY branch_code
)
SELECT
    b.branch_code,
    coalesce(i.items, 0) AS items,
    coalesce(i.weight_planned, 0) AS weight_planned,
    coalesce(i.weight_done, 0) AS weight_done,
    CASE WHEN i.weight_planned > 0 THEN 100.0 * coalesce(i.weight_done, 0) / i.weight_planned END AS checklist_readiness,
    coalesce(i.overdue_items, 0) AS overdue_items,
    coalesce(i.failing_gates, 0) AS failing_gates,
    coalesce(i.remaining_weight, 0) AS remaining_weight,
    coalesce(i.window_weight, 0) AS window_weight,
    i.last_completed_on
FROM branches b
LEFT JOIN items i ON i.branch_code = b.branch_code
