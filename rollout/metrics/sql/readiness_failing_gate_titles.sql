-- Failing gates as a status reason and a next action name them (METRICS.md "Readiness": failing gates): the
-- branch, title and owner of every row of readiness_failing_gates.sql, in its order (earliest due first per
-- branch). The other columns stay in the database: the steering pack reads 40,000 failing gates at 10,000
-- branches. Parameter: $as_of.
SELECT branch_code, title, owner
FROM ({{readiness_failing_gates}})
ORDER BY branch_code, due_date NULLS LAST, item_code
