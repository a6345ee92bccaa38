-- Engagement score (METRICS.md "Executive engagement"):
--   "Touchpoints dated after D do not exist yet, for every figure below.
--    Channel weights (*default*): visit 3, meeting 2, phone 1.5, email 1.
--    Engagement score of an executive on D: sum over touchpoints on or before D of
--    weight × 0.5^(age_days / 30) (*default* half-life 30 days), age_days = D − touchpoint date.
--    Never contacted: 0.0."
-- One row per (executive, as-of date) for every date in $dates (one date for the figure, many
-- for the weekly replay). Weights and half-life come from rollout.store.settings.
WITH dates AS (SELECT DISTINCT unnest($dates::DATE[]) AS as_of)
SELECT e.exec_code,
       d.as_of,
       coalesce(sum(
           CASE t.channel
               WHEN 'visit' THEN $weight_visit::DOUBLE
               WHEN 'meeting' THEN $weight_meeting::DOUBLE
               WHEN 'phone' THEN $weight_phone::DOUBLE
               WHEN 'email' THEN $weight_email::DOUBLE
               ELSE 0.0
           END * power(0.5, (d.as_of - t.date) / $half_life_days::DOUBLE)
       ), 0.0) AS engagement_score
FROM executives AS e
CROSS JOIN dates AS d
LEFT JOIN touchpoints AS t
    ON t.exec_code = e.exec_code AND t.date <= d.as_of
GROUP BY e.exec_code, d.as_of
