-- RAID items open on D (METRICS.md "RAID log"): raised_on <= D and closed_on empty or after D (the status
-- says what an item is today; closed_on since when, so a past D replays what was open then). With the risk
-- score (probability x impact, null unless both), its band (critical 20-25, high 12-19, medium 6-11, low 1-5),
-- "overdue action" (an action open on D with due_date < D) and the age (D - raised_on, days).
SELECT
    r.raid_code, r.kind, r.branch_code, r.title, r.owner, r.raised_on, r.due_date, r.status, r.closed_on,
    r.probability, r.impact, r.response, r.source,
    r.probability * r.impact AS score,
    CASE
        WHEN r.probability * r.impact >= 20 THEN 'critical'
        WHEN r.probability * r.impact >= 12 THEN 'high'
        WHEN r.probability * r.impact >= 6 THEN 'medium'
        WHEN r.probability * r.impact >= 1 THEN 'low'
    END AS band,
    (r.kind = 'action' AND r.due_date < $as_of::DATE) AS overdue,
    date_diff('day', r.raised_on, $as_of::DATE) AS age_days
FROM raid r
WHERE r.raised_on <= $as_of::DATE AND (r.closed_on IS NULL OR r.closed_on > $as_of::DATE)
