-- Days since last touchpoint (METRICS.md "Executive engagement"):
--   "Touchpoints dated after D do not exist yet, for every figure below.
--    Days since last touchpoint; none at all: null, shown as "never contacted"."
-- One row per (executive, as-of date in $dates): D minus the latest touchpoint dated on or
-- before D, and that latest date itself.
WITH dates AS (SELECT DISTINCT unnest($dates::DATE[]) AS as_of)
SELECT e.exec_code,
       d.as_of,
       max(t.date) AS last_touchpoint,
       d.as_of - max(t.date) AS days_since_last_touchpoint
FROM executives AS e
CROSS JOIN dates AS d
LEFT JOIN touchpoints AS t
    ON t.exec_code = e.exec_code AND t.date <= d.as_of
GROUP BY e.exec_code, d.as_of
