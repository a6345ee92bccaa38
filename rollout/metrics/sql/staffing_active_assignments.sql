-- Active assignments on the as-of date (METRICS.md "Staffing"):
--   "an assignment is active when its person is active and start_date <= D <= end_date (both
--   inclusive; an empty end is open). Backup assignments (`is_backup`) count like any other."
-- An empty start_date is open too. module '' means "no module".
-- $as_of: D. $leaving: a person treated as leaving on D (what-if; NULL for none).
SELECT a.person_code, p.name, p.branch_code AS home_branch_code, a.branch_code, b.region_code, a.role, a.module,
       a.fte, a.is_backup, a.start_date, a.end_date
FROM assignments AS a
JOIN people AS p USING (person_code)
JOIN branches AS b ON b.branch_code = a.branch_code
WHERE (p.joined_on IS NULL OR p.joined_on <= $as_of)
  AND (p.left_on IS NULL OR p.left_on > $as_of)
  AND p.person_code IS DISTINCT FROM $leaving
  AND (a.start_date IS NULL OR a.start_date <= $as_of)
  AND (a.end_date IS NULL OR a.end_date >= $as_of)
ORDER BY a.branch_code, a.role, a.module, a.person_code
