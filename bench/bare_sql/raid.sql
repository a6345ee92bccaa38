-- Baseline for the benchmark: the seven RAID and deviation fields of METRICS.md ("RAID log", "Template
-- deviations") in one bare query ($d = as-of). An item is open on D when raised on or before D and not
-- closed on or before D; a programme-wide item (no branch) counts in no branch. Bands by score: critical
-- >= 20, high >= 12. Requirements unsigned: not live on D, go-live at most 60 days away, not signed by D.
WITH open_raid AS (
    SELECT branch_code, kind, probability * impact AS score, due_date
    FROM raid
    WHERE branch_code IS NOT NULL AND raised_on <= $d AND (closed_on IS NULL OR closed_on > $d)
), deviation_counts AS (
    SELECT branch_code,
           count(*) FILTER (WHERE decision = 'proposed' OR decided_on > $d) AS pending,
           count(*) FILTER (WHERE blocks_go_live
                              AND NOT (decision IN ('rejected', 'after_go_live') AND coalesce(decided_on <= $d, false))
                              AND (delivered_on IS NULL OR delivered_on > $d)) AS blocking
    FROM deviations
    WHERE raised_on <= $d
    GROUP BY branch_code
)
SELECT b.branch_code,
       count(r.kind) FILTER (WHERE r.kind = 'risk' AND r.score >= 20) AS open_critical_risks,
       count(r.kind) FILTER (WHERE r.kind = 'risk' AND r.score >= 12) AS open_risks_high,
       count(r.kind) FILTER (WHERE r.kind = 'action' AND r.due_date < $d) AS overdue_actions,
       count(r.kind) FILTER (WHERE r.kind = 'issue') AS open_issues,
       coalesce(v.pending, 0) AS deviations_pending,
       coalesce(v.blocking, 0) AS deviations_blocking,
       coalesce((b.actual_go_live IS NULL OR b.actual_go_live > $d)
                AND b.planned_go_live - $d <= 60
                AND (b.requirements_signed_on IS NULL OR b.requirements_signed_on > $d), false) AS requirements_unsigned
FROM branches b
LEFT JOIN open_raid r USING (branch_code)
LEFT JOIN deviation_counts v USING (branch_code)
GROUP BY b.branch_code, b.actual_go_live, b.planned_go_live, b.requirements_signed_on, v.pending, v.blocking
ORDER BY b.branch_code
