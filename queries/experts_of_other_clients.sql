-- The distinct experts who worked in the period for the clients not in $client_ids: the
-- size of the "all other clients" row an investor sees.
-- Grain: one row. Units: experts.
-- Parameters: $client_ids, $from_month, $to_month; $domain, $country, $cohort (NULL = all).
SELECT count(DISTINCT expert_key) AS experts
FROM kept_client_expert_months($domain, $country, $cohort)
WHERE month BETWEEN $from_month AND $to_month AND NOT list_contains($client_ids, client_id);
