-- The summary's staffing fields (METRICS.md "Staffing"): fill rate, over-allocated people, uncovered modules
-- and single points of failure of every branch, from staffing_branch_summary.sql. Only these four leave the
-- database (the summary and the steering pack read nothing else of it: 10,000 branch names and dates were
-- turned into Python values to be dropped). Parameters as staffing_branch_summary.sql's.
SELECT branch_code, fill_rate, over_allocated_people, uncovered_modules, spof_modules
FROM ({{staffing_branch_summary}})
ORDER BY branch_code
