-- RAID items open on D of one kind (METRICS.md "RAID log"): the rows of raid_open_items.sql whose kind is
-- $kind, for a reader of one kind (the pack's and the heat map's risks are a third of the open items at
-- 10,000 branches). Parameters: $as_of, $kind.
WITH raid_open_items AS (
{{raid_open_items}}
)
SELECT * FROM raid_open_items WHERE kind = $kind
