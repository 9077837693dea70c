-- Billings by client segment (ai_lab, enterprise, startup, other) by month, and the
-- distinct experts behind them when $count_experts (only the investor threshold needs
-- them, and counting them costs as much as the rest; otherwise experts is 0).
-- Grain: one row per month and segment with billings. Units: USD, experts.
-- Parameters: $from_month, $to_month, $count_experts; $domain, $country, $cohort (NULL = all).
SELECT cem.month, c.segment,
       sum(cem.billings_usd) AS billings_usd,
       count(DISTINCT CASE WHEN $count_experts THEN cem.expert_key END) AS experts
FROM kept_client_expert_months($domain, $country, $cohort) cem
JOIN clients c USING (client_id)
WHERE cem.month BETWEEN $from_month AND $to_month
GROUP BY ALL
ORDER BY cem.month, c.segment;
