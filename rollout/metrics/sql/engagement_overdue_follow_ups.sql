-- Overdue follow-ups (METRICS.md "Executive engagement"):
--   "Touchpoints dated after D do not exist yet, for every figure below.
--    Overdue follow-up: a touchpoint on or before D whose follow_up_due < D, with no touchpoint
--    of the same executive dated strictly after it and on or before D."
-- "No touchpoint dated strictly after it and on or before D" means the touchpoint is on the
-- executive's latest touchpoint date as of D. One row per (executive, as-of date in $dates).
WITH dates AS (SELECT DISTINCT unnest($dates::DATE[]) AS as_of),
latest AS (
    SELECT t.exec_code, d.as_of, max(t.date) AS last_date
    FROM touchpoints AS t
    JOIN dates AS d ON t.date <= d.as_of
    GROUP BY t.exec_code, d.as_of
)
SELECT e.exec_code,
       d.as_of,
       count(t.exec_code) AS overdue_follow_ups,
       min(t.follow_up_due) AS oldest_overdue_due
FROM executives AS e
CROSS JOIN dates AS d
LEFT JOIN latest AS l
    ON l.exec_code = e.exec_code AND l.as_of = d.as_of
LEFT JOIN touchpoints AS t
    ON t.exec_code = e.exec_code AND t.date = l.last_date
   AND t.follow_up_due IS NOT NULL AND t.follow_up_due < d.as_of
GROUP BY e.exec_code, d.as_of
