-- Baseline for the benchmark: application coverage of METRICS.md in one bare query ($d = as-of).
WITH eligible AS (
    SELECT branch_code FROM branches
    WHERE NOT is_pilot AND (actual_go_live IS NULL OR actual_go_live > $d)
)
SELECT l.lesson_code,
       100.0 * count(a.branch_code) FILTER (WHERE a.status IN ('applied', 'verified', 'not_applicable'))
           / nullif(count(e.branch_code), 0) AS application_coverage
FROM lessons l
LEFT JOIN eligible e ON true
LEFT JOIN lesson_applications a ON a.lesson_code = l.lesson_code AND a.branch_code = e.branch_code
GROUP BY l.lesson_code
ORDER BY l.lesson_code
