-- Kick-off findings of every branch on D (METRICS.md "Kick-off meeting"):
--   "From the `kickoffs` sheet (one row per branch). **Kick-off findings** on D, each a short reason:
--   - `not held`: planned_kickoff < D and no kickoff row with held_on ≤ D (branches not live only).
--   - For a kickoff held on or before D: `weekend` (Saturday or Sunday); `afternoon` (start_time at
--     or after 12:00); `peak month` (held in one of the branch's peak_months); `longer than half a day`
--     (duration_min > 240, *default*); `steering committee not named` (that flag false or empty);
--     `rewards and penalties not announced` (that flag false or empty); `minutes not signed` when
--     D > held_on + 7 days (*default*) and minutes_signed_on is empty, after D, or later than held_on + 7 days."
-- One row per branch, a true/false column per finding (kickoff.py lists them in this order).
-- start_time is 'HH:MM' text, so '12:00' <= start_time is "at or after noon". peak_months is stored
-- as "11,12" (sorted, no repeats). A held_on after D does not exist yet on D. Live on D: branches_live.sql.
-- $as_of: D. $max_minutes: half a day (240). $minutes_days: days to sign the minutes (7).
WITH held AS (
    SELECT k.*
    FROM kickoffs AS k
    WHERE k.held_on <= $as_of
)
SELECT b.branch_code,
       k.held_on IS NOT NULL AS held,
       k.held_on IS NULL AND coalesce(b.planned_kickoff < $as_of, false) AND NOT b.is_live AS not_held,
       coalesce(extract(isodow FROM k.held_on) >= 6, false) AS weekend,
       coalesce(k.start_time >= '12:00', false) AS afternoon,
       coalesce(position(',' || CAST(extract(month FROM k.held_on) AS VARCHAR) || ',' IN
                         ',' || b.peak_months || ',') > 0, false) AS peak_month,
       coalesce(k.duration_min > $max_minutes, false) AS longer_than_half_a_day,
       k.held_on IS NOT NULL AND NOT coalesce(k.steering_committee_named, false) AS steering_committee_not_named,
       k.held_on IS NOT NULL AND NOT coalesce(k.rewards_announced, false) AS rewards_not_announced,
       coalesce($as_of > k.held_on + $minutes_days
                AND (k.minutes_signed_on IS NULL OR k.minutes_signed_on > $as_of
                     OR k.minutes_signed_on > k.held_on + $minutes_days), false) AS minutes_not_signed
FROM ({{branches_live}}) AS b
LEFT JOIN held AS k ON k.branch_code = b.branch_code
ORDER BY b.branch_code
