-- Items raised and closed per week (METRICS.md "RAID log"), the $weeks weeks ending on D: week j covers
-- (D - 7j, D - 7(j - 1)]; week_ending is its last day. A closing after D has not happened yet.
WITH weeks AS (
    SELECT j, ($as_of::DATE - INTERVAL (7 * (j - 1)) DAY)::DATE AS week_ending,
           ($as_of::DATE - INTERVAL (7 * j) DAY)::DATE AS week_start
    FROM range(1, $weeks + 1) t(j)
)
SELECT w.week_ending,
       (SELECT count(*) FROM raid r WHERE r.raised_on > w.week_start AND r.raised_on <= w.week_ending)
           AS raised,
       (SELECT count(*) FROM raid r WHERE r.closed_on > w.week_start AND r.closed_on <= w.week_ending)
           AS closed
FROM weeks w
ORDER BY w.week_ending
