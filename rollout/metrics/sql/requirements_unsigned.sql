-- Requirements unsigned on D (METRICS.md "Template deviations"; a finding, not part of the status): the branch
-- is not live on D, its planned_go_live - D <= 60 days, and requirements_signed_on is empty or after D.
-- Every branch has a row (false without a planned go-live).
SELECT
    b.branch_code,
    coalesce(NOT coalesce(b.actual_go_live <= $as_of::DATE, false)
             AND date_diff('day', $as_of::DATE, b.planned_go_live) <= 60
             AND (b.requirements_signed_on IS NULL OR b.requirements_signed_on > $as_of::DATE), false)
        AS requirements_unsigned,
    b.requirements_signed_on
FROM branches b
