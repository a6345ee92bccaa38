-- Go-live problems, open backlog (issue 7, "Go-live problems"): "per live branch, the open problem
-- backlog by severity and age ... and the oldest open ones".
-- Live on D: branches_live.sql. Open on D: opened_on <= D and (closed_on is empty or after D).
-- Age: days from opened_on to D. Params: $as_of DATE.
SELECT p.problem_code,
       p.branch_code,
       b.branch_name,
       b.region_code,
       b.actual_go_live,
       p.severity,
       CASE p.severity WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'medium' THEN 3 ELSE 4 END AS severity_rank,
       p.module,
       p.title,
       p.owner,
       p.opened_on,
       datediff('day', p.opened_on, $as_of) AS age_days,
       CASE WHEN datediff('day', p.opened_on, $as_of) <= 3 THEN '0-3 days'
            WHEN datediff('day', p.opened_on, $as_of) <= 7 THEN '4-7 days'
            WHEN datediff('day', p.opened_on, $as_of) <= 14 THEN '8-14 days'
            WHEN datediff('day', p.opened_on, $as_of) <= 30 THEN '15-30 days'
            ELSE 'over 30 days' END AS age_band
FROM problems p
JOIN ({{branches_live}}) AS b ON b.branch_code = p.branch_code
WHERE b.is_live
  AND p.opened_on <= $as_of
  AND (p.closed_on IS NULL OR p.closed_on > $as_of)
ORDER BY age_days DESC, severity_rank, p.problem_code
