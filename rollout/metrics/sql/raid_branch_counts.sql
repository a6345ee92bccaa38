-- Per branch on D (METRICS.md "RAID log"): open critical risks (open risks of band critical), open risks
-- high (band high or critical), overdue actions, open issues. Programme-wide items (no branch) count in no
-- branch's figures. Every branch has a row (0 when it has no items).
WITH raid_open_items AS (
{{raid_open_items}}
)
SELECT
    b.branch_code,
    count(o.raid_code) FILTER (WHERE o.kind = 'risk' AND o.band = 'critical') AS open_critical_risks,
    count(o.raid_code) FILTER (WHERE o.kind = 'risk' AND o.band IN ('high', 'critical')) AS open_risks_high,
    count(o.raid_code) FILTER (WHERE o.overdue) AS overdue_actions,
    count(o.raid_code) FILTER (WHERE o.kind = 'issue') AS open_issues
FROM branches b
LEFT JOIN raid_open_items o ON o.branch_code = b.branch_code
GROUP BY b.branch_code
