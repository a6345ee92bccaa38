-- Active people on the as-of date (METRICS.md "Staffing"):
--   "A person is **active** on D when `joined_on` (if any) <= D and (`left_on` empty or > D)"
-- $as_of: D. $leaving: a person code treated as leaving on D (what-if; NULL for none), so
-- left_on = D for that person, which makes them not active on D. Nothing is written.
SELECT p.person_code, p.name, p.branch_code, b.region_code, p.title, p.department, p.joined_on, p.left_on
FROM people AS p
JOIN branches AS b USING (branch_code)
WHERE (p.joined_on IS NULL OR p.joined_on <= $as_of)
  AND (p.left_on IS NULL OR p.left_on > $as_of)
  AND p.person_code IS DISTINCT FROM $leaving
ORDER BY p.person_code
