-- Baseline for the benchmark: the readiness figures of METRICS.md in one bare query ($d = as-of),
-- with the default thresholds. An independent second reading of the spec, not used by the app.
WITH item AS (
    SELECT branch_code, weight, status, due_date, gate, completed_on,
           status = 'done' AND completed_on <= $d AS done_d
    FROM checklist
), per_branch AS (
    SELECT branch_code,
           100 * coalesce(sum(weight) FILTER (WHERE done_d), 0) / nullif(sum(weight) FILTER (WHERE status <> 'waived'), 0)
               AS checklist_readiness,
           count(*) FILTER (WHERE NOT done_d AND status <> 'waived' AND due_date < $d) AS overdue_items,
           count(*) FILTER (WHERE gate AND status <> 'waived' AND NOT done_d) AS failing_gates,
           coalesce(sum(weight) FILTER (WHERE done_d AND completed_on > $d - 56), 0) AS window_weight,
           coalesce(sum(weight) FILTER (WHERE status <> 'waived' AND NOT done_d), 0) AS remaining,
           max(completed_on) FILTER (WHERE done_d) AS last_done
    FROM item GROUP BY branch_code
), data AS (
    SELECT branch_code,
           100 * avg(CASE WHEN records_expected = 0 THEN 1
                          ELSE least(coalesce(records_validated, 0) / records_expected, 1) END) AS data_readiness
    FROM master_data GROUP BY branch_code
), forecast AS (
    SELECT b.branch_code, b.planned_go_live, b.actual_go_live <= $d AS live, p.*,
           CASE WHEN b.actual_go_live <= $d OR p.checklist_readiness IS NULL THEN NULL
                WHEN p.remaining = 0 THEN p.last_done
                WHEN p.window_weight = 0 THEN NULL
                ELSE $d + CAST(ceil(p.remaining * 56 / p.window_weight) AS INTEGER) END AS forecast_ready_on,
           p.remaining > 0 AND p.window_weight = 0 AND NOT coalesce(b.actual_go_live <= $d, false) AS stalled,
           b.planned_go_live - $d AS days_to_go_live
    FROM branches b LEFT JOIN per_branch p USING (branch_code)
)
SELECT f.branch_code, f.checklist_readiness, coalesce(f.overdue_items, 0) AS overdue_items,
       coalesce(f.failing_gates, 0) AS failing_gates, d.data_readiness, f.forecast_ready_on,
       f.forecast_ready_on - f.planned_go_live AS slip_days,
       CASE WHEN coalesce(f.live, false) THEN 'live'
            WHEN f.checklist_readiness IS NULL THEN 'no_plan'
            WHEN (f.failing_gates > 0 AND f.days_to_go_live <= 30)
                 OR f.forecast_ready_on - f.planned_go_live > 30
                 OR (f.checklist_readiness < 60 AND f.days_to_go_live <= 60) THEN 'red'
            WHEN f.forecast_ready_on - f.planned_go_live > 0 OR f.stalled OR f.overdue_items > 0 THEN 'amber'
            ELSE 'green' END AS status
FROM forecast f LEFT JOIN data d USING (branch_code)
ORDER BY f.branch_code
