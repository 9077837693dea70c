-- Whether the 12-month revenue retention of month M rests on enough experts for an investor
-- to see it. current_experts_floor counts the distinct experts working in M for a client
-- billed in M-12: exactly, where that count is below $min_experts; otherwise it is a lower
-- bound of at least $min_experts (the most experts one such client had), because only the
-- threshold needs it and the exact count over every month costs about a second at 100M work
-- logs. The base, all experts with work in M-12, is experts_active of M-12 (activity_by_month).
-- Grain: one row per month M from $from_month to $to_month. Units: experts.
-- Parameters: $from_month, $to_month, $min_experts; $domain, $country, $cohort (NULL = all).
WITH client_experts AS (
    -- client_expert_months has one row per client, expert and month: a row is one expert
    SELECT client_id, month, count(*) AS experts
    FROM kept_client_expert_months($domain, $country, $cohort)
    WHERE month BETWEEN CAST($from_month - INTERVAL 12 MONTH AS DATE) AND $to_month
    GROUP BY ALL
), base_clients AS (
    -- each client billed in M-12, keyed by M
    SELECT client_id, CAST(month + INTERVAL 12 MONTH AS DATE) AS month
    FROM client_experts WHERE month <= CAST($to_month - INTERVAL 12 MONTH AS DATE)
), largest_client AS (
    SELECT cur.month, max(cur.experts) AS experts
    FROM client_experts cur SEMI JOIN base_clients b ON b.client_id = cur.client_id AND b.month = cur.month
    WHERE cur.month >= $from_month
    GROUP BY cur.month
), counted AS (
    -- the exact count, only in the months where the floor must be exact
    SELECT w.month, count(DISTINCT w.expert_key) AS experts
    FROM kept_client_expert_months($domain, $country, $cohort) w
    SEMI JOIN base_clients b ON b.client_id = w.client_id AND b.month = w.month
    WHERE w.month BETWEEN $from_month AND $to_month
      AND w.month IN (SELECT month FROM largest_client WHERE experts < $min_experts)
    GROUP BY w.month
)
SELECT m.month,
       coalesce(c.experts, l.experts, 0) AS current_experts_floor
FROM months_between($from_month, $to_month) m
LEFT JOIN largest_client l ON l.month = m.month
LEFT JOIN counted c ON c.month = m.month
ORDER BY m.month;
