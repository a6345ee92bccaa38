-- The most late overdue item of each branch (METRICS.md "Readiness": overdue items), the one a status
-- reason names: readiness_overdue_items' first row per branch (most days late, then item code).
-- One row per branch with an overdue item. Parameter: $as_of.
SELECT DISTINCT ON (branch_code) branch_code, item_code, title, owner, due_date, days_late
FROM ({{readiness_overdue_items}})
ORDER BY branch_code, days_late DESC, item_code
