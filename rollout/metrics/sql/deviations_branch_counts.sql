-- Per branch on D (METRICS.md "Template deviations"): deviations pending, deviations blocking (counts),
-- approved effort (effort_days of deviations decided approved on or before D, 1 decimal; none: 0.0).
-- Every branch has a row.
WITH deviations_register AS (
{{deviations_register}}
)
SELECT
    b.branch_code,
    count(r.deviation_code) FILTER (WHERE r.pending) AS deviations_pending,
    count(r.deviation_code) FILTER (WHERE r.blocking) AS deviations_blocking,
    round(coalesce(sum(r.effort_days) FILTER (WHERE r.approved), 0), 1)::DOUBLE AS approved_effort
FROM branches b
LEFT JOIN deviations_register r ON r.branch_code = b.branch_code
GROUP BY b.branch_code
