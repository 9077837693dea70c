-- The wall of contracts ending after month $to_month, whole company: in the 30, 60 and 90 days
-- after its last day (day 1 to 30, 31 to 60, 61 to 90), how many contracts end and their
-- run-rate up for renewal (12 x their billings in the month).
-- Grain: one row per window (ending_within_days 30, 60, 90). Units: contracts, USD.
-- Parameters: $to_month.
WITH windows AS (
    SELECT * FROM (VALUES (30, 1), (60, 31), (90, 61)) w(ending_within_days, from_day)
), ending AS (
    SELECT c.contract_id, c.end_date - last_day($to_month) AS days_left,
           coalesce((SELECT sum(cm.billings_usd ORDER BY cm.contract_id) FROM contract_months cm
                     WHERE cm.contract_id = c.contract_id AND cm.month = $to_month), 0) AS billed_in_month_usd
    FROM contracts c
    WHERE c.end_date > last_day($to_month) AND c.end_date <= last_day($to_month) + 90
)
SELECT w.ending_within_days,
       count(e.contract_id) AS contracts,
       12 * coalesce(sum(e.billed_in_month_usd ORDER BY e.contract_id), 0) AS arr_usd
FROM windows w
LEFT JOIN ending e ON e.days_left BETWEEN w.from_day AND w.ending_within_days
GROUP BY w.ending_within_days
ORDER BY w.ending_within_days;
