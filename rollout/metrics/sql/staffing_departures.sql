-- Departures (METRICS.md "Staffing": a person is not active from their `left_on` date on:
--   "A person is **active** on D when `joined_on` (if any) <= D and (`left_on` empty or > D)").
-- People who left in the window ($as_of - $days, $as_of], with each assignment they held the day
-- before they left (what their leaving took away). module '' means "no module".
SELECT p.person_code, p.name, p.branch_code AS home_branch_code, b.region_code, p.left_on,
       a.branch_code, a.role, coalesce(a.module, '') AS module, a.fte, a.is_backup
FROM people AS p
JOIN branches AS b USING (branch_code)
LEFT JOIN assignments AS a
       ON a.person_code = p.person_code
      AND (a.start_date IS NULL OR a.start_date < p.left_on)
      AND (a.end_date IS NULL OR a.end_date >= p.left_on - 1)
WHERE p.left_on <= $as_of AND p.left_on > $as_of - CAST($days AS INTEGER)
ORDER BY p.left_on DESC, p.person_code, a.branch_code, a.role, a.module
