-- Every target of the plan (the optional targets file): metric, month (first day), target_value.
-- Grain: one row per metric and month. Parameters: none.
SELECT metric, CAST(strptime(month, '%Y-%m') AS DATE) AS month, target_value
FROM targets
ORDER BY metric, month;
