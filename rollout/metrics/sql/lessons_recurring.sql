-- Recurring lessons (METRICS.md "Lessons"):
--   "Recurring lesson: a problem logged at a branch in the lesson's module after the lesson was
--    recorded, while the lesson was not applied or verified there (shown, not scored)."
-- One row per (lesson, problem) pair. Rules made exact here (see docs/methodology/lessons.md):
--   * "after": problems.opened_on > lessons.recorded_on (same day is not after), and opened on or
--     before D (a problem not yet logged on D does not count);
--   * a lesson with no module, or no recorded_on, never recurs (nothing to match); a problem with no
--     module matches no lesson;
--   * "not applied or verified": the branch's current lesson_applications status is planned,
--     not_applicable, or there is no row (shown as 'missing').
-- Params: $as_of DATE.
SELECT l.lesson_code,
       l.title AS lesson_title,
       l.category,
       l.impact,
       l.module,
       l.recorded_on,
       p.problem_code,
       p.branch_code,
       b.branch_name,
       b.region_code,
       p.opened_on,
       p.closed_on,
       p.severity,
       p.title AS problem_title,
       coalesce(a.status, 'missing') AS application_status
FROM lessons l
JOIN problems p
  ON p.module = l.module
 AND nullif(l.module, '') IS NOT NULL
 AND p.opened_on > l.recorded_on
 AND p.opened_on <= $as_of
JOIN branches b ON b.branch_code = p.branch_code
LEFT JOIN lesson_applications a ON a.lesson_code = l.lesson_code AND a.branch_code = p.branch_code
WHERE coalesce(a.status, 'missing') NOT IN ('applied', 'verified')
ORDER BY l.lesson_code, p.opened_on, p.problem_code
