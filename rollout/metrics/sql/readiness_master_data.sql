-- Master-data progress per object (METRICS.md "Readiness", data readiness, per row):
-- "for each master-data row of the branch, min(records_validated / records_expected, 1), where an empty
--  records_validated counts as 0 and an object expecting 0 records counts as complete".
-- One row per (branch, object): expected / loaded / validated and the row's readiness in percent.
SELECT
    m.branch_code, m.object, m.records_expected, m.records_loaded, m.records_validated,
    CASE WHEN m.records_expected = 0 THEN NULL
         ELSE 100.0 * least(coalesce(m.records_loaded, 0)::DOUBLE / m.records_expected, 1.0) END AS loaded_pct,
    100.0 * CASE WHEN m.records_expected = 0 THEN 1.0
                 ELSE least(coalesce(m.records_validated, 0)::DOUBLE / m.records_expected, 1.0) END AS validated_pct
FROM master_data m
ORDER BY m.branch_code, m.object
