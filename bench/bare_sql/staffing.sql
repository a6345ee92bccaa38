-- Baseline for the benchmark: the staffing figures of METRICS.md in one bare query ($d = as-of).
WITH active_person AS (
    SELECT person_code FROM people
    WHERE (joined_on IS NULL OR joined_on <= $d) AND (left_on IS NULL OR left_on > $d)
), active AS (
    SELECT a.* FROM assignments a JOIN active_person USING (person_code)
    WHERE (a.start_date IS NULL OR a.start_date <= $d) AND (a.end_date IS NULL OR a.end_date >= $d)
), requirement AS (
    SELECT r.branch_code, r.required_fte,
           least(coalesce(sum(a.fte), 0) / r.required_fte, 1) AS fill
    FROM role_requirements r
    LEFT JOIN active a ON a.branch_code = r.branch_code AND a.role = r.role AND a.module = r.module
    GROUP BY r.branch_code, r.role, r.module, r.required_fte
), fill AS (
    SELECT branch_code, 100 * sum(required_fte * fill) / sum(required_fte) AS fill_rate
    FROM requirement GROUP BY branch_code
), over AS (
    SELECT p.branch_code, count(*) AS over_allocated_people
    FROM (SELECT person_code FROM active GROUP BY person_code HAVING sum(fte) > 1 + 1e-9) o
    JOIN people p USING (person_code) GROUP BY p.branch_code
), coverage AS (
    SELECT m.branch_code, count(DISTINCT a.person_code) AS key_users
    FROM modules m
    LEFT JOIN active a ON a.branch_code = m.branch_code AND a.module = m.module AND a.role = 'key_user'
    GROUP BY m.branch_code, m.module
)
SELECT b.branch_code, f.fill_rate, coalesce(o.over_allocated_people, 0) AS over_allocated_people,
       (SELECT count(*) FROM coverage c WHERE c.branch_code = b.branch_code AND c.key_users = 0) AS uncovered_modules,
       (SELECT count(*) FROM coverage c WHERE c.branch_code = b.branch_code AND c.key_users = 1) AS spof_modules
FROM branches b LEFT JOIN fill f USING (branch_code) LEFT JOIN over o USING (branch_code)
ORDER BY b.branch_code
