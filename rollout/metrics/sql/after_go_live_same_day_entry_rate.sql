-- Same-day entry rate per branch, on D and on each of the $days - 1 days before it (METRICS.md
-- "After go-live"):
--   "**Same-day entry rate** of a branch on D: from `daily_entries` with date in (D − 30, D],
--   sum(entered_same_day) / sum(documents) × 100; no rows or no documents: null."
-- One row per (branch, day) that has daily_entries rows in its window; rate null when they hold no
-- documents. $days = 1 gives the figure on D; more days give the rate over time, each day judged
-- as of that day. day_documents / day_entered_same_day: that one day's own entries (0 on a day without a row).
-- $as_of: D. $days: how many days, ending on D. $branch_code: one branch (NULL: every branch).
WITH days AS (
    SELECT $as_of - CAST(g.i AS INTEGER) AS day
    FROM generate_series(0, $days - 1) AS g(i)
)
SELECT e.branch_code,
       d.day,
       sum(e.documents) AS documents,
       sum(e.entered_same_day) AS entered_same_day,
       CASE WHEN sum(e.documents) > 0 THEN 100.0 * sum(e.entered_same_day) / sum(e.documents) END
           AS same_day_entry_rate,
       coalesce(sum(e.documents) FILTER (WHERE e.date = d.day), 0) AS day_documents,
       coalesce(sum(e.entered_same_day) FILTER (WHERE e.date = d.day), 0) AS day_entered_same_day
FROM days AS d
JOIN daily_entries AS e ON e.date > d.day - 30 AND e.date <= d.day
WHERE $branch_code IS NULL OR e.branch_code = $branch_code
GROUP BY e.branch_code, d.day
