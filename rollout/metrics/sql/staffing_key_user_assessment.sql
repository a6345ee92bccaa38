-- Assessment status of every active key user (METRICS.md "Staffing"):
--   "**Trained key user**: a training record in that module with score >= 80 (*default* pass mark)."
-- passed: a record in the module with score >= $pass_mark; failed: scored records in the module,
-- none passing; not_assessed: no scored record in the module. Only records completed on or
-- before D (or undated) count. One row per active key_user assignment with a module.
-- $as_of: D. $leaving: a person treated as leaving on D (what-if; NULL for none). $pass_mark.
WITH key_users AS (
    SELECT person_code, name, home_branch_code, branch_code, region_code, module, fte, is_backup
    FROM ({{staffing_active_assignments}})
    WHERE role = 'key_user' AND module <> ''
), scores AS (
    SELECT person_code, module, max(score) AS best_score, max(completed_on) AS last_assessed_on,
           count(*) AS assessments
    FROM training
    WHERE score IS NOT NULL AND (completed_on IS NULL OR completed_on <= $as_of)
    GROUP BY person_code, module
)
SELECT k.branch_code, k.region_code, k.module, k.person_code, k.name, k.home_branch_code, k.fte, k.is_backup,
       CASE WHEN s.best_score IS NULL THEN 'not_assessed'
            WHEN s.best_score >= $pass_mark THEN 'passed'
            ELSE 'failed' END AS assessment,
       s.best_score, s.last_assessed_on, coalesce(s.assessments, 0) AS assessments
FROM key_users AS k
LEFT JOIN scores AS s USING (person_code, module)
ORDER BY k.branch_code, k.module, k.person_code
