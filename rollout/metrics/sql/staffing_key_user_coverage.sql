-- Key-user coverage of every (branch, module) the branch rolls out (METRICS.md "Staffing"):
--   "**Key-user coverage** of (branch, module) for every row of the branch in `modules` (live or
--   not): the number of distinct active people with a `key_user` assignment for that branch and
--   module. 0 = **uncovered**, 1 = **single point of failure**."
--   "**Trained key user**: a training record in that module with score >= 80 (*default* pass mark)."
-- A training record counts once it is completed on or before D (or has no date). Backups count.
-- $as_of: D. $leaving: a person treated as leaving on D (what-if; NULL for none). $pass_mark.
WITH key_users AS (
    SELECT DISTINCT branch_code, module, person_code, name
    FROM ({{staffing_active_assignments}})
    WHERE role = 'key_user' AND module <> ''
), passed AS (
    SELECT DISTINCT person_code, module
    FROM training
    WHERE score >= $pass_mark AND (completed_on IS NULL OR completed_on <= $as_of)
), per_module AS (
    SELECT k.branch_code, k.module, count(*) AS key_users, count(t.person_code) AS trained_key_users,
           array_to_string(list_sort(list(k.person_code)), ', ') AS key_user_codes
    FROM key_users AS k
    LEFT JOIN passed AS t USING (person_code, module)
    GROUP BY k.branch_code, k.module
)
SELECT m.branch_code, b.branch_name, b.region_code, m.module, m.phase,
       coalesce(m.planned_go_live, b.planned_go_live) AS planned_go_live,
       coalesce(m.actual_go_live, b.actual_go_live) AS actual_go_live,
       coalesce(c.key_users, 0) AS key_users,
       coalesce(c.trained_key_users, 0) AS trained_key_users,
       coalesce(c.key_user_codes, '') AS key_user_codes,
       coalesce(c.key_users, 0) = 0 AS uncovered,
       coalesce(c.key_users, 0) = 1 AS single_point_of_failure
FROM modules AS m
JOIN branches AS b USING (branch_code)
LEFT JOIN per_module AS c USING (branch_code, module)
ORDER BY m.branch_code, m.module
