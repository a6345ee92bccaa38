-- Data readiness per branch (METRICS.md "Readiness"):
-- "Data readiness: for each master-data row of the branch, min(records_validated / records_expected, 1),
--  where an empty records_validated counts as 0 and an object expecting 0 records counts as complete;
--  the branch figure is the mean over its rows, times 100. No rows: null. (Master data carries no
--  dates, so this figure is the same for every D.)"
-- One row per branch (every branch; null without master-data rows).
SELECT
    b.branch_code,
    count(m.object) AS data_objects,
    100.0 * avg(CASE WHEN m.object IS NULL THEN NULL
                     WHEN m.records_expected = 0 THEN 1.0
                     ELSE least(coalesce(m.records_validated, 0)::DOUBLE / m.records_expected, 1.0) END)
        AS data_readiness
FROM branches b
LEFT JOIN master_data m ON m.branch_code = b.branch_code
GROUP BY b.branch_code
