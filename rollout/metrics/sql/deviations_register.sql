-- Every deviation with its state on D (METRICS.md "Template deviations"):
--   pending on D: raised_on <= D and (decision proposed, or decided_on after D);
--   blocking on D: blocks_go_live, raised_on <= D, not decided rejected or after_go_live on or before D,
--     and not delivered on or before D;
--   the decision as known on D (proposed until decided_on) with its date, the delivery as known on D, and
--   approved on D (decided approved on or before D).
-- Deviations raised after D do not exist yet.
SELECT
    d.deviation_code, d.branch_code, d.module, d.process, d.title, d.kind, d.raised_on, d.decision,
    d.decided_on, d.effort_days, coalesce(d.blocks_go_live, false) AS blocks_go_live, d.delivered_on,
    CASE WHEN d.decided_on <= $as_of::DATE THEN d.decision ELSE 'proposed' END AS decision_on_date,
    CASE WHEN d.decided_on <= $as_of::DATE THEN d.decided_on END AS decided_on_date,
    CASE WHEN d.delivered_on <= $as_of::DATE THEN d.delivered_on END AS delivered_on_date,
    (d.decision = 'proposed' OR d.decided_on IS NULL OR d.decided_on > $as_of::DATE) AS pending,
    (coalesce(d.blocks_go_live, false)
        AND NOT coalesce(d.decision IN ('rejected', 'after_go_live') AND d.decided_on <= $as_of::DATE, false)
        AND NOT coalesce(d.delivered_on <= $as_of::DATE, false)) AS blocking,
    coalesce(d.decision = 'approved' AND d.decided_on <= $as_of::DATE, false) AS approved
FROM deviations d
WHERE d.raised_on <= $as_of::DATE
