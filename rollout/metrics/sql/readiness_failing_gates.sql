-- Failing gates (METRICS.md "Readiness"):
-- "Failing gate: an item with `gate = true`, not `waived`, not done as of D."
-- "Done as of D means status `done` and `completed_on <= D`."
-- One row per failing gate, earliest due first. Parameter: $as_of.
SELECT
    c.branch_code, c.item_code, c.dimension, c.title, c.owner, c.due_date, c.weight, c.status,
    CASE WHEN c.due_date < $as_of::DATE THEN date_diff('day', c.due_date, $as_of::DATE) ELSE 0 END AS days_late
FROM checklist c
WHERE c.gate
  AND c.status <> 'waived'
  AND NOT (c.status = 'done' AND coalesce(c.completed_on <= $as_of::DATE, false))
ORDER BY c.branch_code, c.due_date NULLS LAST, c.item_code
