-- How many distinct experts the 12-month revenue retention of month M rests on: those
-- behind the base (all experts with work in M-12, since the base is every client billed
-- then) and those behind the current billings (experts working in M for a base client).
-- Only the investor threshold needs these counts, so only an investor's view asks.
-- Grain: one row per month M from $from_month to $to_month. Units: experts.
-- Parameters: $from_month, $to_month; $domain, $country, $cohort (NULL = all).
WITH work AS (
    SELECT client_id, expert_id, month
    FROM kept_client_expert_months($domain, $country, $cohort)
    WHERE month BETWEEN CAST($from_month - INTERVAL 12 MONTH AS DATE) AND $to_month
), base_clients AS (
    SELECT DISTINCT client_id, month FROM work
), current_experts AS (
    SELECT w.month, count(DISTINCT w.expert_id) AS experts
    FROM work w JOIN base_clients b
      ON b.client_id = w.client_id AND b.month = CAST(w.month - INTERVAL 12 MONTH AS DATE)
    WHERE w.month >= $from_month
    GROUP BY ALL
), base_experts AS (
    SELECT CAST(month + INTERVAL 12 MONTH AS DATE) AS month, count(DISTINCT expert_id) AS experts
    FROM work WHERE month <= CAST($to_month - INTERVAL 12 MONTH AS DATE)
    GROUP BY ALL
)
SELECT m.month,
       coalesce(b.experts, 0) AS base_experts,
       coalesce(c.experts, 0) AS current_experts
FROM months_between($from_month, $to_month) m
LEFT JOIN base_experts b ON b.month = m.month
LEFT JOIN current_experts c ON c.month = m.month
ORDER BY m.month;
