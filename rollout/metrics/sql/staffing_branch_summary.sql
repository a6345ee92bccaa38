-- Every branch's staffing figures in one query (METRICS.md "Staffing"), composed from the metric
-- files themselves (staffing_branch_fill_rate, staffing_over_allocated, staffing_key_user_coverage), so
-- there is one definition of each figure (the key users per branch: staffing_branch_key_users.sql):
--   "A person is **active** on D when `joined_on` (if any) <= D and (`left_on` empty or > D);
--   an assignment is active when its person is active and start_date <= D <= end_date (both
--   inclusive; an empty end is open). Backup assignments (`is_backup`) count like any other."
--   "Branch fill rate: sum(required_fte × fill) / sum(required_fte), times 100; no requirements:
--   null."
--   "**Over-allocated person**: the sum of fte over their active assignments, at every branch,
--   exceeds 1.0 (compare with a small tolerance: 0.6 + 0.4 is exactly full, not over)."
--   counted at the person's own branch (people.branch_code).
--   "**Key-user coverage** of (branch, module) for every row of the branch in `modules` (live or
--   not): the number of distinct active people with a `key_user` assignment for that branch and
--   module. 0 = **uncovered**, 1 = **single point of failure**."
--   "**Trained key user**: a training record in that module with score >= 80 (*default* pass mark)."
-- Counts are 0, never null. $as_of: D. $leaving: a person treated as leaving on D (what-if; NULL
-- for none). $pass_mark, $min_key_users (the norm of key users per module).
WITH fill AS ({{staffing_branch_fill_rate}}),
over AS (
    SELECT home_branch_code AS branch_code, count(*) AS over_allocated_people
    FROM ({{staffing_over_allocated}})
    GROUP BY home_branch_code
), coverage AS (
    SELECT branch_code,
           count(*) AS modules,
           count(*) FILTER (WHERE uncovered) AS uncovered_modules,
           count(*) FILTER (WHERE single_point_of_failure) AS spof_modules,
           count(*) FILTER (WHERE key_users < $min_key_users) AS below_norm_modules,
           count(*) FILTER (WHERE key_users > 0 AND trained_key_users = 0) AS untrained_modules
    FROM ({{staffing_key_user_coverage}})
    GROUP BY branch_code
)
SELECT b.branch_code, b.branch_name, b.region_code, b.headcount, b.planned_go_live, b.actual_go_live,
       f.fill_rate, f.required_fte, f.gap_fte, f.requirements,
       coalesce(o.over_allocated_people, 0) AS over_allocated_people,
       coalesce(c.modules, 0) AS modules,
       coalesce(c.uncovered_modules, 0) AS uncovered_modules,
       coalesce(c.spof_modules, 0) AS spof_modules,
       coalesce(c.below_norm_modules, 0) AS below_norm_modules,
       coalesce(c.untrained_modules, 0) AS untrained_modules
FROM branches AS b
LEFT JOIN fill AS f USING (branch_code)
LEFT JOIN over AS o USING (branch_code)
LEFT JOIN coverage AS c USING (branch_code)
ORDER BY b.branch_code
