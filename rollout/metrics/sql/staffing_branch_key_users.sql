-- Key users per branch (the Staffing page; METRICS.md "Staffing", composed from
-- staffing_key_user_assessment): the distinct active people with a key_user assignment at the branch, and
-- those of them whose assessment passed in the module. One row per branch with a key user.
-- $as_of: D. $leaving: a person treated as leaving on D (what-if; NULL for none). $pass_mark.
SELECT branch_code, count(DISTINCT person_code) AS key_users,
       count(DISTINCT person_code) FILTER (WHERE assessment = 'passed') AS passed_key_users
FROM ({{staffing_key_user_assessment}})
GROUP BY branch_code
