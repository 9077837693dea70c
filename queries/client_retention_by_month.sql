-- 12-month revenue retention of clients: for the clients with billings in M-12,
-- nrr_12m = their billings in M / their billings in M-12;
-- grr_12m = sum of min(billings in M, billings in M-12) / their billings in M-12.
-- Grain: one row per month M from $from_month to $to_month. Ratios, NULL without a base.
-- Parameters: $from_month, $to_month; $domain, $country, $cohort (NULL = all).
WITH client_months AS (
    SELECT * FROM kept_client_months($domain, $country, $cohort)
    WHERE month BETWEEN CAST($from_month - INTERVAL 12 MONTH AS DATE) AND $to_month
), pairs AS (
    SELECT m.month, base.billings_usd AS base_usd, coalesce(cur.billings_usd, 0) AS current_usd
    FROM months_between($from_month, $to_month) m
    JOIN client_months base ON base.month = CAST(m.month - INTERVAL 12 MONTH AS DATE)
    LEFT JOIN client_months cur ON cur.month = m.month AND cur.client_id = base.client_id
)
SELECT m.month,
       sum(p.current_usd) / NULLIF(sum(p.base_usd), 0) AS nrr_12m,
       sum(least(p.current_usd, p.base_usd)) / NULLIF(sum(p.base_usd), 0) AS grr_12m
FROM months_between($from_month, $to_month) m
LEFT JOIN pairs p ON p.month = m.month
GROUP BY m.month
ORDER BY m.month;
