-- Forward revenue at the end of month M, whole company (METRICS.md, operator KPIs):
-- committed_backlog_usd (over the contracts with a committed_usd, started by the last day of M
-- and not ended by it: what is left of the commitment after the contract's billings to that
-- day, never below 0), contracts_ending_90d (end_date on day 1 to day 90 after the last day of
-- M) and arr_ending_90d_usd (12 x their billings in M: the run-rate up for renewal).
-- Grain: one row per month from $from_month to $to_month. Units: USD, contracts.
-- Each sum adds in a fixed order (ORDER BY inside the aggregate), so a figure does not change in
-- its last digits with the order in which parallel threads would add it up.
-- Parameters: $from_month, $to_month.
WITH months AS (
    SELECT month, last_day(month) AS month_end FROM months_between($from_month, $to_month)
), to_date AS (
    -- each contract's billings up to the end of each month
    SELECT m.month, c.contract_id, c.committed_usd, c.start_date, c.end_date,
           coalesce(sum(cm.billings_usd ORDER BY cm.month) FILTER (WHERE cm.month <= m.month), 0) AS billed_to_date_usd,
           coalesce(sum(cm.billings_usd ORDER BY cm.month) FILTER (WHERE cm.month = m.month), 0) AS billed_in_month_usd,
           m.month_end
    FROM months m CROSS JOIN contracts c
    LEFT JOIN contract_months cm ON cm.contract_id = c.contract_id AND cm.month <= m.month
    GROUP BY ALL
)
SELECT month,
       coalesce(sum(greatest(committed_usd - billed_to_date_usd, 0) ORDER BY contract_id)
                FILTER (WHERE committed_usd IS NOT NULL AND start_date <= month_end
                        AND (end_date IS NULL OR end_date > month_end)), 0) AS committed_backlog_usd,
       count(*) FILTER (WHERE end_date > month_end AND end_date <= month_end + 90) AS contracts_ending_90d,
       12 * coalesce(sum(billed_in_month_usd ORDER BY contract_id) FILTER (WHERE end_date > month_end AND end_date <= month_end + 90), 0)
           AS arr_ending_90d_usd
FROM to_date
GROUP BY month
ORDER BY month;
