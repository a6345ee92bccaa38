-- Live on D, the one definition (METRICS.md "Branch status", rule 1): "live: actual_go_live <= D".
-- A branch with no actual_go_live, or one after D, is not live on D.
-- Every branch, with all its columns and is_live. Other queries read branches through it:
-- `FROM ({{branches_live}}) AS b ... WHERE NOT b.is_live`. Params: $as_of DATE.
SELECT *, coalesce(actual_go_live <= $as_of::DATE, false) AS is_live
FROM branches
