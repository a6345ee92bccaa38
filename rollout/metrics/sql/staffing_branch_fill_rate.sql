-- Fill rate of every branch (METRICS.md "Staffing"):
--   "Branch fill rate: sum(required_fte × fill) / sum(required_fte), times 100; no requirements:
--   null."  where fill = min(active assigned fte / required_fte, 1) per requirement.
-- Every branch is returned; one without requirements has fill_rate NULL and zero fte.
-- $as_of: D. $leaving: a person treated as leaving on D (what-if; NULL for none).
SELECT b.branch_code,
       sum(q.required_fte * q.fill) / sum(q.required_fte) * 100 AS fill_rate,
       coalesce(sum(q.required_fte), 0) AS required_fte,
       coalesce(sum(least(q.assigned_fte, q.required_fte)), 0) AS filled_fte,
       coalesce(sum(q.gap), 0) AS gap_fte,
       count(q.branch_code) AS requirements
FROM branches AS b
LEFT JOIN ({{staffing_requirement_fill}}) AS q USING (branch_code)
GROUP BY b.branch_code
ORDER BY b.branch_code
