-- Open commitments (shown on the Executives page; docs/methodology/engagement.md):
-- a touchpoint on or before D that records a commitment (or a follow-up due date) and has not
-- been followed up yet: no touchpoint of the same executive dated strictly after it and on or
-- before D (the same "superseded" rule as METRICS.md's overdue follow-up:
--   "a touchpoint on or before D whose follow_up_due < D, with no touchpoint of the same
--    executive dated strictly after it and on or before D").
-- Overdue follow-ups are the open commitments whose follow_up_due < D.
WITH latest AS (
    SELECT exec_code, max(date) AS last_date
    FROM touchpoints
    WHERE date <= $as_of::DATE
    GROUP BY exec_code
)
SELECT e.exec_code,
       count(t.exec_code) AS open_commitments
FROM executives AS e
LEFT JOIN latest AS l ON l.exec_code = e.exec_code
LEFT JOIN touchpoints AS t
    ON t.exec_code = e.exec_code AND t.date = l.last_date
   AND (coalesce(t.commitment, '') <> '' OR t.follow_up_due IS NOT NULL)
GROUP BY e.exec_code
