-- Baseline for the benchmark: the after-go-live figures of METRICS.md in one bare query ($d = as-of),
-- default limits (critical 3 days, high 7, medium 14, low 30), target 95 % and a 14-day overdue window.
-- Where METRICS.md is silent this follows the app: problems past their limit are counted for every
-- branch, live or not; a day without a same-day entry rate (no rows, no documents) is not ready.
WITH problem AS (
    SELECT branch_code, severity, opened_on, closed_on,
           CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 7 WHEN 'medium' THEN 14 ELSE 30 END AS limit_days
    FROM problems
), past AS (  -- open on D and past its limit on D
    SELECT branch_code, count(*) AS problems_past_limit
    FROM problem
    WHERE opened_on <= $d AND (closed_on IS NULL OR closed_on > $d) AND $d - opened_on > limit_days
    GROUP BY branch_code
), live AS (  -- live on D and not accepted on D: the only branches that can be ready for acceptance
    SELECT b.branch_code, b.actual_go_live
    FROM branches b LEFT JOIN acceptance a USING (branch_code)
    WHERE b.actual_go_live <= $d AND (a.accepted_on IS NULL OR a.accepted_on > $d)
), day AS (  -- D and the 13 days before it, each judged as of that day
    SELECT l.branch_code, l.actual_go_live, $d - CAST(k AS INTEGER) AS d
    FROM live l, range(14) AS r(k)
), day_rate AS (  -- same-day entry over (d - 30, d]
    SELECT y.branch_code, y.d,
           100.0 * sum(e.entered_same_day) / nullif(sum(e.documents), 0) AS rate
    FROM day y JOIN daily_entries e ON e.branch_code = y.branch_code AND e.date > y.d - 30 AND e.date <= y.d
    GROUP BY y.branch_code, y.d
), day_blocked AS (  -- critical or high problems open and past their limit on d
    SELECT y.branch_code, y.d, count(*) AS blocking
    FROM day y JOIN problem p ON p.branch_code = y.branch_code
    WHERE p.severity IN ('critical', 'high') AND p.opened_on <= y.d AND (p.closed_on IS NULL OR p.closed_on > y.d)
      AND y.d - p.opened_on > p.limit_days
    GROUP BY y.branch_code, y.d
), day_ready AS (  -- accepted after D means not accepted on any of these days either
    SELECT y.branch_code, y.d,
           y.d - y.actual_go_live >= 30 AND coalesce(r.rate >= 95, false) AND coalesce(k.blocking, 0) = 0 AS ready
    FROM day y LEFT JOIN day_rate r USING (branch_code, d) LEFT JOIN day_blocked k USING (branch_code, d)
), acceptance_figures AS (
    SELECT branch_code, bool_or(ready) FILTER (WHERE d = $d) AS ready_for_acceptance,
           count(*) FILTER (WHERE ready) = 14 AS acceptance_overdue
    FROM day_ready GROUP BY branch_code
), rate AS (
    SELECT branch_code, 100.0 * sum(entered_same_day) / nullif(sum(documents), 0) AS same_day_entry_rate
    FROM daily_entries WHERE date > $d - 30 AND date <= $d
    GROUP BY branch_code
)
SELECT b.branch_code, coalesce(p.problems_past_limit, 0) AS problems_past_limit, r.same_day_entry_rate,
       coalesce(f.ready_for_acceptance, false) AS ready_for_acceptance,
       coalesce(f.acceptance_overdue, false) AS acceptance_overdue,
       -- METRICS.md's summary: the three acceptance fields are false for branches not live
       coalesce(b.actual_go_live <= $d AND a.payment_due < $d
                AND (a.payment_received_on IS NULL OR a.payment_received_on > $d), false) AS payment_overdue
FROM branches b LEFT JOIN past p USING (branch_code) LEFT JOIN rate r USING (branch_code)
LEFT JOIN acceptance_figures f USING (branch_code) LEFT JOIN acceptance a USING (branch_code)
ORDER BY b.branch_code
