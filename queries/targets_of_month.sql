-- The plan of a month: one row per target in the targets table (DATA_CONTRACT.md), by metric.
-- Grain: one row per metric with a target in $month ("YYYY-MM"). Units: the metric's own.
-- Parameters: $month.
SELECT metric, month, target_value
FROM targets
WHERE month = $month
ORDER BY metric;
