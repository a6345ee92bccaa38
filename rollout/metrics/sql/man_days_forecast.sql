-- Man-days forecast at go-live and overrun per branch on D (METRICS.md "Consultant man-days"):
--   "**Forecast at go-live**: used + burn rate × max(0, planned_go_live − D) / 7 (days / 7, not
--   whole weeks); **overrun** = max(0, forecast at go-live − consultant_days_budget): 0 when the
--   forecast stays within budget; null without a budget, a burn rate or a planned date, and for
--   live branches. Man-days are rounded to 1 decimal."
-- The forecast is null without a burn rate or a planned date and for live branches too (live on D:
-- branches_live.sql). Unrounded here: the summary and the pages round to 1 decimal.
-- $as_of: D.
WITH used AS ({{man_days_used}}),
burn AS ({{man_days_burn_rate}}),
forecast AS (
    SELECT b.branch_code,
           b.region_code,
           b.consultant_days_budget AS budget,
           b.planned_go_live,
           b.is_live AS live,
           u.man_days_used,
           u.logged,
           r.burn_rate,
           CASE WHEN NOT b.is_live AND r.burn_rate IS NOT NULL
                     AND b.planned_go_live IS NOT NULL
                THEN u.man_days_used + r.burn_rate * greatest(0, b.planned_go_live - $as_of) / 7.0
           END AS forecast_at_go_live
    FROM ({{branches_live}}) AS b
    JOIN used AS u ON u.branch_code = b.branch_code
    LEFT JOIN burn AS r ON r.branch_code = b.branch_code
)
SELECT *,
       budget - man_days_used AS remaining,
       CASE WHEN forecast_at_go_live IS NOT NULL AND budget IS NOT NULL
            THEN greatest(0, forecast_at_go_live - budget) END AS overrun
FROM forecast
ORDER BY branch_code
