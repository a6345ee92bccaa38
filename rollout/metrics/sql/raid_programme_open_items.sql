-- The programme's open items on D (METRICS.md "RAID log"), every item of the reader's scope, programme-wide
-- ones included: per kind and band (band null for items without a score), with the overdue actions among
-- them and the median age (D - raised_on, days) of the kind's open items.
WITH raid_open_items AS (
{{raid_open_items}}
), per_kind AS (
    SELECT kind, median(age_days)::DOUBLE AS median_age_days FROM raid_open_items GROUP BY kind
)
SELECT o.kind, o.band, count(*) AS open_items, count(*) FILTER (WHERE o.overdue) AS overdue_actions,
       any_value(k.median_age_days) AS median_age_days
FROM raid_open_items o JOIN per_kind k USING (kind)
GROUP BY o.kind, o.band
ORDER BY o.kind, o.band
