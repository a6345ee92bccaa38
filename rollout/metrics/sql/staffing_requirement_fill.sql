-- Fill rate and gap of every role requirement (METRICS.md "Staffing"):
--   "**Fill rate** of a requirement (branch, role, module): min(active assigned fte / required_fte,
--   1), where assigned fte sums the active assignments with the same branch, role and module."
--   "**Gap**: required_fte minus active assigned fte, where positive."
-- module '' means "no module" on both sides, so ('', '') match. Gap is 0 when assigned >= required
-- (compared with a tolerance of 1e-9 so that 0.6 + 0.4 fills 1.0 exactly).
-- $as_of: D. $leaving: a person treated as leaving on D (what-if; NULL for none).
WITH active AS ({{staffing_active_assignments}}), assigned AS (
    SELECT branch_code, role, module, sum(fte) AS assigned_fte, count(DISTINCT person_code) AS people
    FROM active
    GROUP BY ALL
)
SELECT r.branch_code, b.branch_name, b.region_code, r.role, r.module, r.required_fte,
       coalesce(s.assigned_fte, 0) AS assigned_fte,
       coalesce(s.people, 0) AS assigned_people,
       least(coalesce(s.assigned_fte, 0) / r.required_fte, 1.0) AS fill,
       CASE WHEN r.required_fte - coalesce(s.assigned_fte, 0) > 1e-9
            THEN r.required_fte - coalesce(s.assigned_fte, 0) ELSE 0 END AS gap
FROM role_requirements AS r
JOIN branches AS b USING (branch_code)
LEFT JOIN assigned AS s USING (branch_code, role, module)
ORDER BY r.branch_code, r.role, r.module
