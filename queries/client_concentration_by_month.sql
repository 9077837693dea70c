-- How concentrated billings are among clients: clients_active, top_client_share,
-- top5_client_share, client_hhi (sum of squared percentage shares, 0 to 10,000).
-- Grain: one row per month from $from_month to $to_month. Shares 0 to 1, NULL without billings.
-- Parameters: $from_month, $to_month; $domain, $country, $cohort (NULL = all).
WITH ranked AS (
    SELECT month, client_id, billings_usd,
           row_number() OVER (PARTITION BY month ORDER BY billings_usd DESC, client_id) AS rank_desc,
           sum(billings_usd) OVER (PARTITION BY month) AS month_billings_usd
    FROM kept_client_months($domain, $country, $cohort)
    WHERE month BETWEEN $from_month AND $to_month
)
SELECT m.month,
       count(r.client_id) AS clients_active,
       max(r.billings_usd) / NULLIF(max(r.month_billings_usd), 0) AS top_client_share,
       sum(r.billings_usd) FILTER (WHERE r.rank_desc <= 5) / NULLIF(max(r.month_billings_usd), 0) AS top5_client_share,
       sum(power(100 * r.billings_usd / NULLIF(r.month_billings_usd, 0), 2)) AS client_hhi
FROM months_between($from_month, $to_month) m
LEFT JOIN ranked r ON r.month = m.month
GROUP BY m.month
ORDER BY m.month;
