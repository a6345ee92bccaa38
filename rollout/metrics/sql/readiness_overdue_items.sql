-- Overdue items (METRICS.md "Readiness"):
-- "Overdue item: not done as of D, not `waived`, `due_date < D`."
-- "Done as of D means status `done` and `completed_on <= D`."
-- One row per overdue item, latest first. Parameter: $as_of.
SELECT
    c.branch_code, c.item_code, c.dimension, c.title, c.owner, c.due_date, c.weight, c.status, c.gate,
    date_diff('day', c.due_date, $as_of::DATE) AS days_late
FROM checklist c
WHERE c.status <> 'waived'
  AND NOT (c.status = 'done' AND coalesce(c.completed_on <= $as_of::DATE, false))
  AND c.due_date < $as_of::DATE
ORDER BY c.branch_code, days_late DESC, c.item_code
