-- Checklist readiness per branch (METRICS.md "Readiness"):
-- "Checklist readiness of a branch (and of one dimension of it), as of date D: weight of items with
--  status `done` and `completed_on <= D`, divided by the weight of all items that are not `waived`,
--  times 100. Waived items count in neither. No items, or only waived ones: undefined (null, shown as
--  "no plan"), never 0 and never 100."
-- "Done as of D means status `done` and `completed_on <= D`."
-- "Overdue item: not done as of D, not `waived`, `due_date < D`."
-- "Failing gate: an item with `gate = true`, not `waived`, not done as of D."
-- One row per branch (every branch, also those without items). Parameter: $as_of.
SELECT
    b.branch_code,
    count(c.item_code) AS items,
    coalesce(sum(c.weight) FILTER (WHERE c.status <> 'waived'), 0) AS weight_planned,
    coalesce(sum(c.weight) FILTER (WHERE c.status = 'done' AND c.completed_on <= $as_of::DATE), 0) AS weight_done,
    CASE WHEN sum(c.weight) FILTER (WHERE c.status <> 'waived') > 0
         THEN 100.0 * coalesce(sum(c.weight) FILTER (WHERE c.status = 'done' AND c.completed_on <= $as_of::DATE), 0)
              / sum(c.weight) FILTER (WHERE c.status <> 'waived')
    END AS checklist_readiness,
    count(c.item_code) FILTER (WHERE c.status <> 'waived'
                                 AND NOT (c.status = 'done' AND coalesce(c.completed_on <= $as_of::DATE, false))
                                 AND c.due_date < $as_of::DATE) AS overdue_items,
    count(c.item_code) FILTER (WHERE c.gate AND c.status <> 'waived'
                                 AND NOT (c.status = 'done' AND coalesce(c.completed_on <= $as_of::DATE, false)))
        AS failing_gates
FROM branches b
LEFT JOIN checklist c ON c.branch_code = b.branch_code
GROUP BY b.branch_code
