-- Checklist readiness of one dimension of a branch (METRICS.md "Readiness"):
-- "Checklist readiness of a branch (and of one dimension of it), as of date D: weight of items with
--  status `done` and `completed_on <= D`, divided by the weight of all items that are not `waived`,
--  times 100. Waived items count in neither. No items, or only waived ones: undefined (null)."
-- One row per (branch, dimension) that has at least one item. Parameter: $as_of.
SELECT
    c.branch_code,
    c.dimension,
    count(*) AS items,
    coalesce(sum(c.weight) FILTER (WHERE c.status <> 'waived'), 0) AS weight_planned,
    coalesce(sum(c.weight) FILTER (WHERE c.status = 'done' AND c.completed_on <= $as_of::DATE), 0) AS weight_done,
    CASE WHEN sum(c.weight) FILTER (WHERE c.status <> 'waived') > 0
         THEN 100.0 * coalesce(sum(c.weight) FILTER (WHERE c.status = 'done' AND c.completed_on <= $as_of::DATE), 0)
              / sum(c.weight) FILTER (WHERE c.status <> 'waived')
    END AS checklist_readiness
FROM checklist c
GROUP BY c.branch_code, c.dimension
ORDER BY c.branch_code, c.dimension
