-- Billings of each client in each month of the period and the distinct experts behind
-- them: what the investor rules need to decide which client figures may be shown.
-- Grain: one row per client and month with billings. Units: USD, experts.
-- Parameters: $from_month, $to_month; $domain, $country, $cohort (NULL = all).
SELECT client_id, month, sum(billings_usd) AS billings_usd, count(*) AS experts
FROM kept_client_expert_months($domain, $country, $cohort)
WHERE month BETWEEN $from_month AND $to_month
GROUP BY ALL
HAVING sum(billings_usd) > 0
ORDER BY month, billings_usd DESC, client_id;
