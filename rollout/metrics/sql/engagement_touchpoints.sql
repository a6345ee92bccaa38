-- Touchpoint timeline (Executives page): every touchpoint on or before D (METRICS.md
-- "Touchpoints dated after D do not exist yet"), with the executive's name and region, and
-- whether it is still open (no later touchpoint of the same executive on or before D) and overdue
-- ("follow_up_due < D, with no touchpoint of the same executive dated strictly after it and on
-- or before D").
WITH seen AS (
    SELECT * FROM touchpoints WHERE date <= $as_of::DATE
),
latest AS (
    SELECT exec_code, max(date) AS last_date FROM seen GROUP BY exec_code
),
followed AS (
    SELECT a.exec_code, a.date, min(b.date) AS followed_up_on
    FROM (SELECT DISTINCT exec_code, date FROM seen) AS a
    JOIN seen AS b ON b.exec_code = a.exec_code AND b.date > a.date
    GROUP BY a.exec_code, a.date
)
SELECT t.exec_code,
       e.name,
       e.region_code,
       e.branch_code,
       t.date,
       t.channel,
       t.duration_min,
       t.hq_contact,
       t.topic,
       t.sentiment,
       t.commitment,
       t.follow_up_due,
       f.followed_up_on,
       t.date = l.last_date AS is_open,
       t.date = l.last_date AND t.follow_up_due IS NOT NULL AND t.follow_up_due < $as_of::DATE AS is_overdue
FROM seen AS t
JOIN executives AS e USING (exec_code)
JOIN latest AS l USING (exec_code)
LEFT JOIN followed AS f ON f.exec_code = t.exec_code AND f.date = t.date
ORDER BY t.date DESC, t.exec_code, t.channel, t.topic
