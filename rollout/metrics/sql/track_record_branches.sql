-- Forecast track record (METRICS.md "Forecast track record"): per branch, what every replayed week shares.
-- "Ready day of a branch on D: its remaining weight as of D is 0 and it has a plan; then T = the latest
--  completed_on of its non-waived items. Otherwise the branch has no ready day yet."
-- "Limits: today's planned_go_live and checklist stand in for those of each past week" (neither keeps a
--  history): the plan (non-waived weight), the planned go-live and the actual go-live are today's.
-- remaining_weight is as of D (as in readiness_forecast.sql); the weight remaining as of F_k adds back the
-- weight done after F_k (readiness_weekly_done.sql). One row per branch. Parameter: $as_of.
SELECT
    b.branch_code,
    b.planned_go_live,
    b.actual_go_live,
    coalesce(sum(c.weight) FILTER (WHERE c.status <> 'waived'), 0) AS weight_planned,
    coalesce(sum(c.weight) FILTER (WHERE c.status <> 'waived'
                                     AND NOT (c.status = 'done' AND coalesce(c.completed_on <= $as_of::DATE, false))),
             0) AS remaining_weight,
    max(c.completed_on) FILTER (WHERE c.status <> 'waived') AS last_completed_on
FROM branches b
LEFT JOIN checklist c ON c.branch_code = b.branch_code
GROUP BY b.branch_code, b.planned_go_live, b.actual_go_live
ORDER BY b.branch_code
