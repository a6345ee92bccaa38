-- Acceptance and payment state per branch on D (METRICS.md "After go-live"):
--   "**Payment overdue**: payment_due < D and payment_received_on empty or after D."
-- accepted: accepted_on <= D; paid: payment_received_on <= D (a later date is not known yet on D).
-- Every branch (live on D: branches_live.sql); a branch without an acceptance row is neither accepted,
-- paid nor overdue.
-- $as_of: D.
SELECT b.branch_code,
       b.is_live AS live,
       a.accepted_on,
       a.payment_due,
       a.payment_received_on,
       coalesce(a.accepted_on <= $as_of, false) AS accepted,
       coalesce(a.payment_received_on <= $as_of, false) AS paid,
       coalesce(a.payment_due < $as_of AND (a.payment_received_on IS NULL OR a.payment_received_on > $as_of),
                false) AS payment_overdue,
       CASE WHEN a.payment_due < $as_of AND (a.payment_received_on IS NULL OR a.payment_received_on > $as_of)
            THEN $as_of - a.payment_due END AS payment_days_overdue
FROM ({{branches_live}}) AS b
LEFT JOIN acceptance AS a ON a.branch_code = b.branch_code
ORDER BY b.branch_code
