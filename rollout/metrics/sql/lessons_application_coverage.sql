-- Application coverage per lesson (METRICS.md "Lessons"):
--   "Application coverage of a lesson, in percent: among branches that are not the pilot and
--    not live on D, the share whose lesson_applications row for the lesson has status applied,
--    verified or not_applicable (a branch with no row counts as not covered). No such branch: null."
-- Live on D: branches_live.sql. The pilot: branches.is_pilot.
-- Params: $as_of DATE; $regions VARCHAR[] (empty = every region; the summary passes empty).
WITH eligible AS (
    SELECT branch_code
    FROM ({{branches_live}})
    WHERE NOT coalesce(is_pilot, false)
      AND NOT is_live
      AND (len(CAST($regions AS VARCHAR[])) = 0 OR list_contains(CAST($regions AS VARCHAR[]), region_code))
),
counted AS (
    SELECT l.lesson_code,
           count(e.branch_code) AS eligible_branches,
           count(e.branch_code) FILTER (WHERE a.status IN ('applied', 'verified', 'not_applicable'))
               AS covered_branches
    FROM lessons l
    LEFT JOIN eligible e ON true
    LEFT JOIN lesson_applications a ON a.lesson_code = l.lesson_code AND a.branch_code = e.branch_code
    GROUP BY l.lesson_code
)
SELECT lesson_code,
       eligible_branches,
       covered_branches,
       CASE WHEN eligible_branches = 0 THEN NULL
            ELSE 100.0 * covered_branches / eligible_branches END AS application_coverage
FROM counted
ORDER BY lesson_code
