-- The spread of expert earnings (percentiles, Gini, top-1% share) of the experts who match the
-- filters: per month ($per_month = true), or over the whole period with each expert's earnings
-- summed across it (one row, reported on $from_month). The definition is the earnings_spread
-- macro of expertnet/ingest/rollups.sql, which the unfiltered rollup is built with too.
-- Grain: one row per month (or one row) that has earners. Units: USD; gini and share 0 to 1.
-- Parameters: $from_month, $to_month, $per_month; $domain, $country, $cohort (NULL = all).
SELECT * FROM earnings_spread($domain, $country, $cohort, $from_month, $to_month, $per_month);
