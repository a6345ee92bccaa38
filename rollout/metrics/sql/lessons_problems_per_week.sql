-- Go-live problems per week (issue 7, "Go-live problems"): "per live branch ... problems opened and
-- closed per week after go-live". Week 0 is go-live day and the 6 days after it; week n starts
-- 7n days after go-live. Every week from 0 to the week holding D is listed (zeros included).
-- Problems opened (or closed) before go-live or after D are not counted. Params: $as_of DATE.
WITH live AS (
    SELECT branch_code, branch_name, region_code, actual_go_live
    FROM ({{branches_live}})
    WHERE is_live
),
weeks AS (
    SELECT l.*, w.week
    FROM live l,
         LATERAL (SELECT unnest(range(0, datediff('day', l.actual_go_live, $as_of) // 7 + 1)) AS week) w
),
events AS (
    SELECT p.branch_code, datediff('day', l.actual_go_live, p.opened_on) // 7 AS week, 1 AS opened, 0 AS closed
    FROM problems p JOIN live l USING (branch_code)
    WHERE p.opened_on >= l.actual_go_live AND p.opened_on <= $as_of
    UNION ALL
    SELECT p.branch_code, datediff('day', l.actual_go_live, p.closed_on) // 7, 0, 1
    FROM problems p JOIN live l USING (branch_code)
    WHERE p.closed_on >= l.actual_go_live AND p.closed_on <= $as_of
)
SELECT w.branch_code,
       w.branch_name,
       w.region_code,
       w.actual_go_live,
       w.week,
       w.actual_go_live + CAST(7 * w.week AS INTEGER) AS week_start,
       CAST(coalesce(sum(e.opened), 0) AS INTEGER) AS opened,
       CAST(coalesce(sum(e.closed), 0) AS INTEGER) AS closed
FROM weeks w
LEFT JOIN events e ON e.branch_code = w.branch_code AND e.week = w.week
GROUP BY ALL
ORDER BY w.branch_code, w.week
