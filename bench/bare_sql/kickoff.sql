-- Baseline for the benchmark: the kick-off findings of METRICS.md in one bare query ($d = as-of),
-- default thresholds (half a day = 240 minutes, minutes signed within 7 days). One row per branch,
-- kickoff_findings the list of reason words in METRICS.md's order (empty when none).
-- Where METRICS.md is silent this follows the app: pilots are judged like any branch; a branch without
-- planned_kickoff is never "not held"; an empty start_time or duration_min gives no finding;
-- peak_months is the stored "11,12" text (WORKBOOK.md).
WITH held AS (  -- the branch's kick-off, when held on or before D
    SELECT * FROM kickoffs WHERE held_on <= $d
), judged AS (
    SELECT b.branch_code,
           b.planned_kickoff < $d AND h.branch_code IS NULL
               AND (b.actual_go_live IS NULL OR b.actual_go_live > $d) AS not_held,
           dayofweek(h.held_on) IN (0, 6) AS weekend,  -- Sunday = 0, Saturday = 6
           h.start_time >= '12:00' AS afternoon,  -- start_time is stored as 24-hour HH:MM text
           list_contains(list_transform(string_split(b.peak_months, ','), m -> CAST(m AS INTEGER)),
                         month(h.held_on)) AS peak_month,
           h.duration_min > 240 AS long_meeting,
           h.branch_code IS NOT NULL AND NOT coalesce(h.steering_committee_named, false) AS no_committee,
           h.branch_code IS NOT NULL AND NOT coalesce(h.rewards_announced, false) AS no_rewards,
           $d > h.held_on + 7
               AND (h.minutes_signed_on IS NULL OR h.minutes_signed_on > $d OR h.minutes_signed_on > h.held_on + 7)
               AS unsigned
    FROM branches b LEFT JOIN held h USING (branch_code)
)
SELECT branch_code,
       list_filter([CASE WHEN not_held THEN 'not held' END,
                    CASE WHEN weekend THEN 'weekend' END,
                    CASE WHEN afternoon THEN 'afternoon' END,
                    CASE WHEN peak_month THEN 'peak month' END,
                    CASE WHEN long_meeting THEN 'longer than half a day' END,
                    CASE WHEN no_committee THEN 'steering committee not named' END,
                    CASE WHEN no_rewards THEN 'rewards and penalties not announced' END,
                    CASE WHEN unsigned THEN 'minutes not signed' END], w -> w IS NOT NULL) AS kickoff_findings
FROM judged
ORDER BY branch_code
