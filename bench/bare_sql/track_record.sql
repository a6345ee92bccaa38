-- Baseline for the benchmark: METRICS.md "Forecast track record" in one bare query ($d = as-of): every
-- (branch, F_k = D - 7k, k = 1..52) replayed by joining the done items of its window, the normal model in
-- SQL (erfc by Numerical Recipes' erfcc, as readiness.sql), one row of the summary's figures. An independent
-- second reading of the spec, not used by the app.
WITH b AS (
    SELECT br.branch_code, br.planned_go_live, br.actual_go_live,
           coalesce(sum(c.weight) FILTER (WHERE c.status <> 'waived'), 0) AS planned_w,
           coalesce(sum(c.weight) FILTER (WHERE c.status <> 'waived'
                                            AND NOT (c.status = 'done' AND coalesce(c.completed_on <= $d, false))), 0)
               AS remaining_d,
           max(c.completed_on) FILTER (WHERE c.status <> 'waived') AS last_on
    FROM branches br LEFT JOIN checklist c USING (branch_code)
    GROUP BY ALL
), dates AS (  -- with a plan (today's), not live on F_k; the ready day T when nothing remains on D
    SELECT b.branch_code, b.planned_go_live, b.remaining_d, k.k, $d - 7 * k.k AS f,
           CASE WHEN b.remaining_d = 0 THEN b.last_on END AS ready_on
    FROM b CROSS JOIN (SELECT CAST(range AS INTEGER) AS k FROM range(1, 53)) AS k
    WHERE b.planned_w > 0 AND NOT coalesce(b.actual_go_live <= $d - 7 * k.k, false)
), pairs AS (  -- each done item of (F_k - 56, D]: in the 8 weeks before F_k, or done after F_k
    SELECT d.branch_code, d.k, d.f, c.weight, c.completed_on
    FROM dates d JOIN checklist c ON c.branch_code = d.branch_code AND c.status = 'done'
                                  AND c.completed_on <= $d AND c.completed_on > d.f - 56
), after_f AS (
    SELECT branch_code, k, sum(weight) AS w_after FROM pairs WHERE completed_on > f GROUP BY ALL
), weekly AS (  -- w_j, the weight done in week (F - 7j, F - 7(j - 1)]
    SELECT branch_code, k, (f - completed_on) // 7 + 1 AS j, sum(weight) AS wj
    FROM pairs WHERE completed_on <= f GROUP BY ALL
), pace_mean AS (
    SELECT branch_code, k, sum(wj) / 8 AS mu, count(*) AS weeks FROM weekly GROUP BY ALL
), pace AS (  -- population standard deviation, the weeks without a row at 0; float noise below 1e-9 is 0
    SELECT m.branch_code, m.k, m.mu,
           sqrt((sum((w.wj - m.mu) * (w.wj - m.mu)) + (8 - m.weeks) * m.mu * m.mu) / 8) AS sigma_raw
    FROM pace_mean m JOIN weekly w USING (branch_code, k)
    GROUP BY m.branch_code, m.k, m.mu, m.weeks
), fc AS (  -- the forecasts: R > 0 and mu > 0 as of F_k
    SELECT d.*, d.remaining_d + coalesce(a.w_after, 0) AS r, p.mu,
           CASE WHEN p.sigma_raw <= 1e-9 * greatest(p.mu, 1) THEN 0 ELSE p.sigma_raw END AS sigma,
           floor((d.planned_go_live - d.f) / 7) AS k_go_live
    FROM dates d JOIN pace p USING (branch_code, k) LEFT JOIN after_f a USING (branch_code, k)
    WHERE d.remaining_d + coalesce(a.w_after, 0) > 0 AND p.mu > 0
), weeks AS (  -- P50: k mu >= R; P80: k mu - 0.8416 sigma sqrt(k) >= R, a quadratic in sqrt(k)
    SELECT *, greatest(1, ceil(round(r / mu, 9))) AS k50,
           greatest(1, ceil(round(power((0.8416212335729143 * sigma
                + sqrt(power(0.8416212335729143 * sigma, 2) + 4 * mu * r)) / (2 * mu), 2), 9))) AS k80,
           CASE WHEN sigma > 0 AND k_go_live >= 1 THEN (r - k_go_live * mu) / (sigma * sqrt(k_go_live)) / sqrt(2) END
               AS x
    FROM fc
), chance AS (
    SELECT *,
           CASE WHEN k50 <= 260 THEN f + CAST(7 * k50 AS INTEGER) END AS p50,
           CASE WHEN k80 <= 260 THEN f + CAST(7 * k80 AS INTEGER) END AS p80,
           CASE WHEN planned_go_live IS NULL THEN NULL
                WHEN k_go_live <= 0 THEN 0
                WHEN sigma = 0 THEN CASE WHEN round(k_go_live * mu - r, 9) >= 0 THEN 100 ELSE 0 END
                ELSE 50 * (CASE WHEN x >= 0 THEN e ELSE 2 - e END) END AS c
    FROM (SELECT *, 1 / (1 + 0.5 * abs(x)) AS t FROM weeks) AS w,
         LATERAL (SELECT t * exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                  + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                  + t * (-0.82215223 + t * 0.17087277))))))))) AS e)
), scored AS (
    SELECT *, p50 <= $d AS p50_decided, p80 <= $d AS p80_decided,
           c IS NOT NULL AND planned_go_live <= $d AS chance_decided,
           CASE WHEN ready_on <= planned_go_live THEN 1.0 ELSE 0.0 END AS o
    FROM chance
), totals AS (
    SELECT count(*) AS forecasts,
           count(*) FILTER (WHERE p50_decided) AS p50_decided,
           count(*) FILTER (WHERE p50_decided AND ready_on <= p50) AS p50_true,
           count(*) FILTER (WHERE p80_decided) AS p80_decided,
           count(*) FILTER (WHERE p80_decided AND ready_on <= p80) AS p80_true,
           count(*) FILTER (WHERE chance_decided) AS chance_decided,
           avg(power(c / 100 - o, 2)) FILTER (WHERE chance_decided) AS brier,
           avg(o) FILTER (WHERE chance_decided) AS share
    FROM scored
)
SELECT forecasts, p50_decided, round(100.0 * p50_true / nullif(p50_decided, 0), 1) AS p50_coverage,
       p80_decided, round(100.0 * p80_true / nullif(p80_decided, 0), 1) AS p80_coverage, chance_decided,
       round(brier, 3) AS brier, round(share * (1 - share), 3) AS brier_reference,
       round(1 - brier / nullif(share * (1 - share), 0), 3) AS brier_skill
FROM totals
