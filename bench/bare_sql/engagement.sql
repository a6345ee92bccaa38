-- Baseline for the benchmark: the executive figures of METRICS.md in one bare query ($d = as-of),
-- default weights, half-life and thresholds.
WITH seen AS (SELECT * FROM touchpoints WHERE date <= $d),
score AS (
    SELECT exec_code,
           sum(CASE channel WHEN 'visit' THEN 3 WHEN 'meeting' THEN 2 WHEN 'phone' THEN 1.5 ELSE 1 END
               * pow(0.5, ($d - date) / 30.0)) AS engagement_score,
           $d - max(date) AS days_since_last_touchpoint
    FROM seen GROUP BY exec_code
), follow AS (
    SELECT s.exec_code, count(*) AS overdue_follow_ups FROM seen s
    WHERE s.follow_up_due < $d
      AND NOT EXISTS (SELECT 1 FROM seen later WHERE later.exec_code = s.exec_code AND later.date > s.date)
    GROUP BY s.exec_code
)
SELECT e.exec_code, coalesce(s.engagement_score, 0) AS engagement_score, s.days_since_last_touchpoint,
       CASE WHEN s.days_since_last_touchpoint IS NULL OR s.engagement_score < 1
                 OR s.days_since_last_touchpoint > 45 THEN 'silent'
            WHEN s.engagement_score >= 3 THEN 'engaged' ELSE 'cooling' END AS status,
       coalesce(f.overdue_follow_ups, 0) AS overdue_follow_ups
FROM executives e LEFT JOIN score s USING (exec_code) LEFT JOIN follow f USING (exec_code)
ORDER BY e.exec_code
