-- Engagement status (METRICS.md "Executive engagement"):
--   "Status: silent when score < 1, or days since last touchpoint > 45, or never contacted;
--    otherwise engaged when score >= 3, else cooling (*defaults*)."
-- Reads `score` (engagement_score.sql) and `days` (engagement_days_since_last_touchpoint.sql), included
-- as CTEs (see rollout.metrics.queries.load_sql), so each figure keeps one definition. Thresholds come from rollout.store.settings.
WITH score AS (
{{engagement_score}}
), days AS (
{{engagement_days_since_last_touchpoint}}
)
SELECT score.exec_code,
       score.as_of,
       score.engagement_score,
       days.last_touchpoint,
       days.days_since_last_touchpoint,
       CASE
           WHEN days.days_since_last_touchpoint IS NULL THEN 'silent'
           WHEN score.engagement_score < $silent_score_below::DOUBLE THEN 'silent'
           WHEN days.days_since_last_touchpoint > $silent_after_days::INTEGER THEN 'silent'
           WHEN score.engagement_score >= $engaged_score_at_least::DOUBLE THEN 'engaged'
           ELSE 'cooling'
       END AS status
FROM score
JOIN days USING (exec_code, as_of)
