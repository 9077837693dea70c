-- The spread of expert earnings per month over every expert (no filter set): the rows that
-- earnings_distribution.sql gives month by month, worked out once at load into the rollup
-- earnings_spread_by_month (expertnet/ingest/rollups.sql), because the sort behind them is the slowest
-- step of an unfiltered page (about 0.45 s at 100M work logs).
-- Grain: one row per month that has earners. Units: as earnings_distribution.sql.
-- Parameters: $from_month, $to_month.
SELECT *
FROM earnings_spread_by_month
WHERE month BETWEEN $from_month AND $to_month
ORDER BY month;
