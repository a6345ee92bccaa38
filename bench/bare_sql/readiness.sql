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
), weekly AS (  -- Probabilistic forecast: w_j, the weight done in week (D - 7j, D - 7(j - 1)], j = 1..8
    SELECT branch_code, (($d - completed_on) // 7) + 1 AS j, sum(weight) AS wj
    FROM item WHERE done_d AND completed_on > $d - 56
    GROUP BY ALL
), pace_mean AS (  -- weeks without a row completed 0
    SELECT branch_code, sum(wj) / 8 AS mu, count(*) AS weeks_with_progress FROM weekly GROUP BY branch_code
), pace AS (
    SELECT m.branch_code, m.mu,
           sqrt((sum((w.wj - m.mu) * (w.wj - m.mu)) + (8 - m.weeks_with_progress) * m.mu * m.mu) / 8) AS sigma_raw
    FROM pace_mean m JOIN weekly w USING (branch_code)
    GROUP BY m.branch_code, m.mu, m.weeks_with_progress
), forecast AS (
    SELECT b.branch_code, b.planned_go_live, b.actual_go_live <= $d AS live, p.*,
           CASE WHEN b.actual_go_live <= $d OR p.checklist_readiness IS NULL THEN NULL
                WHEN p.remaining = 0 THEN p.last_done
                WHEN p.window_weight = 0 THEN NULL
                ELSE $d + CAST(ceil(p.remaining * 56 / p.window_weight) AS INTEGER) END AS forecast_ready_on,
           p.remaining > 0 AND p.window_weight = 0 AND NOT coalesce(b.actual_go_live <= $d, false) AS stalled,
           b.planned_go_live - $d AS days_to_go_live
    FROM branches b LEFT JOIN per_branch p USING (branch_code)
), model AS (  -- the normal model; sigma below 1e-9 (float noise of a steady pace) counts as 0
    SELECT f.*, coalesce(p.mu, 0) AS mu,
           CASE WHEN p.sigma_raw IS NULL OR p.sigma_raw <= 1e-9 * greatest(p.mu, 1) THEN 0 ELSE p.sigma_raw END
               AS sigma,
           floor((f.planned_go_live - $d) / 7) AS k_go_live,
           NOT coalesce(f.live, false) AND f.checklist_readiness IS NOT NULL AS rated
    FROM forecast f LEFT JOIN pace p USING (branch_code)
), chance_z AS (
    SELECT *, CASE WHEN rated AND remaining > 0 AND mu > 0 AND sigma > 0 AND k_go_live >= 1
                   THEN (remaining - k_go_live * mu) / (sigma * sqrt(k_go_live)) / sqrt(2) END AS x,
              -- P80: the smallest k with k mu - 0.8416 sigma sqrt(k) >= R, solved as a quadratic in sqrt(k)
              CASE WHEN rated AND remaining > 0 AND mu > 0
                   THEN greatest(1, ceil(round(remaining / mu, 9))) END AS k50,
              CASE WHEN rated AND remaining > 0 AND mu > 0
                   THEN greatest(1, ceil(round(power((0.8416212335729143 * sigma
                        + sqrt(power(0.8416212335729143 * sigma, 2) + 4 * mu * remaining)) / (2 * mu), 2), 9))) END
                   AS k80
    FROM model
), chance_t AS (  -- erfc(x) by Numerical Recipes' erfcc (fractional error below 1.2e-7)
    SELECT *, 1 / (1 + 0.5 * abs(x)) AS t FROM chance_z
), prob AS (
    SELECT *,
           CASE WHEN NOT rated OR planned_go_live IS NULL THEN NULL
                WHEN remaining = 0 THEN 100
                WHEN mu = 0 OR k_go_live <= 0 THEN 0
                WHEN sigma = 0 THEN CASE WHEN round(k_go_live * mu - remaining, 9) >= 0 THEN 100 ELSE 0 END
                ELSE 50 * (CASE WHEN x >= 0 THEN e ELSE 2 - e END)
           END AS p_ready_by_go_live
    FROM (SELECT *, t * exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                    + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                    + t * (-0.82215223 + t * 0.17087277))))))))) AS e
          FROM chance_t)
), raid_flags AS (  -- the status's RAID rules: an open critical risk (amber), a deviation blocking the go-live (red)
    SELECT b.branch_code,
           EXISTS (SELECT 1 FROM raid r WHERE r.branch_code = b.branch_code AND r.kind = 'risk'
                   AND r.probability * r.impact >= 20 AND r.raised_on <= $d
                   AND (r.closed_on IS NULL OR r.closed_on > $d)) AS critical_risk,
           EXISTS (SELECT 1 FROM deviations v WHERE v.branch_code = b.branch_code AND v.blocks_go_live
                   AND v.raised_on <= $d AND (v.delivered_on IS NULL OR v.delivered_on > $d)
                   AND NOT (v.decision IN ('rejected', 'after_go_live') AND coalesce(v.decided_on <= $d, false)))
               AS blocking_deviation
    FROM branches b
)
SELECT f.branch_code, f.checklist_readiness, coalesce(f.overdue_items, 0) AS overdue_items,
       coalesce(f.failing_gates, 0) AS failing_gates, d.data_readiness, f.forecast_ready_on,
       f.forecast_ready_on - f.planned_go_live AS slip_days,
       CASE WHEN coalesce(f.live, false) THEN 'live'
            WHEN f.checklist_readiness IS NULL THEN 'no_plan'
            WHEN (f.failing_gates > 0 AND f.days_to_go_live <= 30)
                 OR f.forecast_ready_on - f.planned_go_live > 30
                 OR (f.checklist_readiness < 60 AND f.days_to_go_live <= 60)
                 OR (x.blocking_deviation AND f.days_to_go_live <= 30) THEN 'red'
            WHEN f.forecast_ready_on - f.planned_go_live > 0 OR f.stalled OR f.overdue_items > 0
                 OR x.critical_risk THEN 'amber'
            ELSE 'green' END AS status,
       f.p_ready_by_go_live,
       CASE WHEN f.rated AND f.remaining = 0 THEN f.last_done
            WHEN f.k50 <= 260 THEN $d + CAST(7 * f.k50 AS INTEGER) END AS ready_p50_on,
       CASE WHEN f.rated AND f.remaining = 0 THEN f.last_done
            WHEN f.sigma = 0 AND f.k50 <= 260 THEN $d + CAST(7 * f.k50 AS INTEGER)
            WHEN f.sigma > 0 AND f.k80 <= 260 THEN $d + CAST(7 * f.k80 AS INTEGER) END AS ready_p80_on
FROM prob f LEFT JOIN data d USING (branch_code) LEFT JOIN raid_flags x USING (branch_code)
ORDER BY f.branch_code
