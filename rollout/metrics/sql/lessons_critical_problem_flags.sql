-- Critical problems open past the limit (issue 7, "Go-live problems"): "a branch whose critical
-- problems stay open past a limit (a setting, default 3 days) is flagged on the Portfolio page".
-- A critical problem is past the limit on D when it is open on D (opened_on <= D, closed_on empty
-- or after D) and D - opened_on > limit days: open exactly the limit is not flagged, one day more is.
-- Every branch is looked at, live or not (a column says which). Params: $as_of DATE, $limit_days INTEGER.
SELECT b.branch_code,
       b.branch_name,
       b.region_code,
       b.is_live AS live,
       count(*) AS critical_open_past_limit,
       min(p.opened_on) AS oldest_opened_on,
       max(datediff('day', p.opened_on, $as_of)) AS oldest_age_days,
       string_agg(p.problem_code, ', ' ORDER BY p.opened_on, p.problem_code) AS problem_codes
FROM problems p
JOIN ({{branches_live}}) AS b ON b.branch_code = p.branch_code
WHERE p.severity = 'critical'
  AND p.opened_on <= $as_of
  AND (p.closed_on IS NULL OR p.closed_on > $as_of)
  AND datediff('day', p.opened_on, $as_of) > $limit_days
GROUP BY ALL
ORDER BY oldest_age_days DESC, b.branch_code
