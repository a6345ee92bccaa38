-- The application matrix (issue 7, "Lessons page"): every lesson x every branch that is not the
-- pilot, with the lesson's status there (planned, applied, verified, not_applicable, or 'missing'
-- when there is no lesson_applications row). `eligible` marks the branches that count for
-- METRICS.md "Application coverage": "branches that are not the pilot and not live on D".
-- Branches going live soonest first: not live on D by planned_go_live (no date last), then the live
-- ones by actual_go_live. Params: $as_of DATE.
WITH ordered AS (
    SELECT branch_code, branch_name, region_code, planned_go_live, actual_go_live,
           is_live AS live,
           row_number() OVER (ORDER BY is_live,
                              CASE WHEN is_live THEN actual_go_live
                                   ELSE coalesce(actual_go_live, planned_go_live) END NULLS LAST,
                              branch_code) AS branch_order
    FROM ({{branches_live}})
    WHERE NOT coalesce(is_pilot, false)
)
SELECT l.lesson_code,
       l.title AS lesson_title,
       l.category,
       l.impact,
       l.module,
       o.branch_code,
       o.branch_name,
       o.region_code,
       o.planned_go_live,
       o.actual_go_live,
       o.live,
       NOT o.live AS eligible,
       o.branch_order,
       coalesce(a.status, 'missing') AS status,
       a.note,
       a.updated_on
FROM lessons l
CROSS JOIN ordered o
LEFT JOIN lesson_applications a ON a.lesson_code = l.lesson_code AND a.branch_code = o.branch_code
ORDER BY l.lesson_code, o.branch_order
