-- Branch status (METRICS.md "Readiness"), the first that applies:
-- "1. live: actual_go_live <= D. Live branches are not rated; their other figures are still reported.
--  2. no_plan: checklist readiness undefined.
--  3. red: (failing gates > 0 and days to go-live <= 30) or slip > 30 or (readiness < 60 (default) and
--     days to go-live <= 60), where days to go-live = planned_go_live - D (a passed planned date counts;
--     no planned date: these two rules do not apply), or (blocking deviations > 0 and days to go-live <= 30).
--  4. amber: slip > 0, or stalled, or overdue items > 0, or open critical risks > 0 (RAID log)."
--  5. green."
-- The 30 days of the blocking-deviation rule are METRICS.md's own (not a setting).
-- Thresholds are settings: $red_gate_days, $red_slip_days, $red_readiness_below, $red_readiness_days.
-- Reads the figures of readiness_data.sql and readiness_forecast.sql (which passes on those of
-- readiness_checklist.sql: one pass over the checklist), included as CTEs of the same names (see
-- rollout.metrics.queries.load_sql), so each figure keeps one definition.
WITH readiness_data AS (
{{readiness_data}}
), readiness_forecast AS (
{{readiness_forecast}}
), raid_branch_counts AS (
{{raid_branch_counts}}
), deviations_branch_counts AS (
{{deviations_branch_counts}}
), figures AS (
    SELECT
        b.branch_code, b.branch_name, b.region_code, b.city, b.is_pilot, b.wave, b.planned_kickoff,
        b.planned_go_live, b.actual_go_live,
        date_diff('day', $as_of::DATE, b.planned_go_live) AS days_to_go_live,
        f.items, f.weight_planned, f.weight_done, f.checklist_readiness, f.overdue_items, f.failing_gates,
        d.data_objects, d.data_readiness,
        f.window_weight, f.remaining_weight, f.last_completed_on, f.stalled, f.has_plan, f.forecast_ready_on,
        f.slip_days, f.is_live, r.open_critical_risks, v.deviations_blocking
    FROM branches b
    JOIN readiness_data d USING (branch_code)
    JOIN readiness_forecast f USING (branch_code)
    JOIN raid_branch_counts r USING (branch_code)
    JOIN deviations_branch_counts v USING (branch_code)
)
SELECT
    *,
    coalesce(failing_gates > 0 AND days_to_go_live <= $red_gate_days, false) AS red_gate,
    coalesce(slip_days > $red_slip_days, false) AS red_slip,
    -- rounded to 9 places so that exactly 60 % (float noise aside) is never below 60
    coalesce(round(checklist_readiness, 9) < $red_readiness_below AND days_to_go_live <= $red_readiness_days, false)
        AS red_readiness,
    coalesce(deviations_blocking > 0 AND days_to_go_live <= 30, false) AS red_deviation,
    open_critical_risks > 0 AS amber_risk,
    CASE
        WHEN is_live THEN 'live'
        WHEN checklist_readiness IS NULL THEN 'no_plan'
        WHEN coalesce(failing_gates > 0 AND days_to_go_live <= $red_gate_days, false)
          OR coalesce(slip_days > $red_slip_days, false)
          OR coalesce(round(checklist_readiness, 9) < $red_readiness_below
                      AND days_to_go_live <= $red_readiness_days, false)
          OR coalesce(deviations_blocking > 0 AND days_to_go_live <= 30, false) THEN 'red'
        WHEN coalesce(slip_days > 0, false) OR stalled OR overdue_items > 0 OR open_critical_risks > 0 THEN 'amber'
        ELSE 'green'
    END AS status,
    CASE
        WHEN is_live THEN
            CASE WHEN EXISTS (SELECT 1 FROM modules m WHERE m.branch_code = figures.branch_code
                                AND NOT coalesce(m.actual_go_live <= $as_of::DATE, false))
                 THEN 'stage 1 live' ELSE 'live' END
        WHEN planned_go_live IS NULL AND planned_kickoff IS NULL THEN 'not scheduled'
        WHEN planned_kickoff IS NULL OR planned_kickoff > $as_of::DATE THEN 'before kick-off'
        ELSE 'preparation'
    END AS stage
FROM figures
ORDER BY branch_code
