-- Over-allocated people (METRICS.md "Staffing"):
--   "**Over-allocated person**: the sum of fte over their active assignments, at every branch,
--   exceeds 1.0 (compare with a small tolerance: 0.6 + 0.4 is exactly full, not over)."
-- Tolerance 1e-9. One row per over-allocated person; home branch = people.branch_code.
-- $as_of: D. $leaving: a person treated as leaving on D (what-if; NULL for none).
WITH active AS ({{staffing_active_assignments}})
SELECT p.person_code, p.name, p.branch_code AS home_branch_code, b.region_code,
       sum(a.fte) AS total_fte, count(*) AS assignments, count(DISTINCT a.branch_code) AS branches
FROM active AS a
JOIN people AS p USING (person_code)
JOIN branches AS b ON b.branch_code = p.branch_code
GROUP BY p.person_code, p.name, p.branch_code, b.region_code
HAVING sum(a.fte) > 1.0 + 1e-9
ORDER BY total_fte DESC, p.person_code
