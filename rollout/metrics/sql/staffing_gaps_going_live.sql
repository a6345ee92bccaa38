-- The branches going live soonest, ranked by their staffing gap (the Staffing page's fill heatmap, issue 29):
-- branches not live on D (METRICS.md "Branch status", rule 1) whose planned go-live lies within $days days
-- of D, with at least one role requirement; each with the branch figures of METRICS.md "Staffing"
-- ("Gap: required_fte minus active assigned fte, where positive", summed over the branch; the branch fill
-- rate). Largest gap first, then the sooner go-live, then code.
-- $as_of: D. $days: the window. $leaving: a person treated as leaving on D (what-if; NULL for none).
SELECT b.branch_code, b.branch_name, b.region_code, b.planned_go_live,
       b.planned_go_live - $as_of::DATE AS days_to_go_live,
       f.required_fte, f.gap_fte, f.fill_rate
FROM ({{branches_live}}) AS b
JOIN ({{staffing_branch_fill_rate}}) AS f USING (branch_code)
WHERE NOT b.is_live AND f.requirements > 0
  AND b.planned_go_live BETWEEN $as_of::DATE AND $as_of::DATE + CAST($days AS INTEGER)
ORDER BY f.gap_fte DESC, b.planned_go_live, b.branch_code
