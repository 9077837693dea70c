-- The client revenue bridge of month M against M-1 (METRICS.md, operator KPIs): clients_new
-- (first month with billings over all time is M), clients_churned (billings in M-1, none in
-- M), and the billings of M split by where they come from: revenue_new_usd,
-- revenue_reactivated_usd (billings in M, none in M-1, some before), revenue_expansion_usd and
-- revenue_contraction_usd (clients billed in both months: the rise, the fall),
-- revenue_churned_usd (M-1 billings of churned clients). Closes on the change in billings:
-- B(M) - B(M-1) = new + reactivated + expansion - contraction - churned.
-- For the investor threshold only ($count_experts; otherwise 0), the distinct experts behind
-- each part: experts_new_clients, experts_reactivated_clients (in M), experts_kept_now /
-- experts_kept_before (clients billed in both months, in M and in M-1),
-- experts_churned_clients (in M-1). Each is exact where it is below $min_experts; otherwise
-- it is a lower bound of at least $min_experts (the most experts one such client had), because
-- only the threshold needs it and the exact count costs about two seconds at 100M work logs.
-- Grain: one row per month from $from_month to $to_month. Units: clients, USD, experts.
-- Parameters: $from_month, $to_month, $count_experts, $min_experts; $domain, $country, $cohort.
WITH billed AS (
    SELECT client_id, month, billings_usd
    FROM kept_client_months($domain, $country, $cohort) WHERE billings_usd > 0
), first_billed AS (
    SELECT client_id, min(month) AS first_month FROM billed GROUP BY ALL
), parts AS (
    -- each client billed in M or in M-1, for every month M of the range
    SELECT m.month, f.client_id, f.first_month,
           coalesce(now.billings_usd, 0) AS billed_now,
           coalesce(before.billings_usd, 0) AS billed_before
    FROM months_between($from_month, $to_month) m
    CROSS JOIN first_billed f
    LEFT JOIN billed now ON now.client_id = f.client_id AND now.month = m.month
    LEFT JOIN billed before ON before.client_id = f.client_id AND before.month = m.month - INTERVAL 1 MONTH
    WHERE now.client_id IS NOT NULL OR before.client_id IS NOT NULL
), classified AS (
    SELECT *, CASE WHEN billed_now > 0 AND first_month = month THEN 'new'
                   WHEN billed_now > 0 AND billed_before = 0 THEN 'reactivated'
                   WHEN billed_now > 0 THEN 'kept'
                   ELSE 'churned' END AS kind
    FROM parts
), client_experts AS (
    -- client_expert_months has one row per client, expert and month: a row is one expert
    SELECT client_id, month, count(*) AS experts
    FROM kept_client_expert_months($domain, $country, $cohort)
    WHERE $count_experts AND month BETWEEN CAST($from_month - INTERVAL 1 MONTH AS DATE) AND $to_month
    GROUP BY ALL
), floors AS (
    SELECT c.month, c.kind, coalesce(max(now.experts), 0) AS largest_now,
           coalesce(max(before.experts), 0) AS largest_before
    FROM classified c
    LEFT JOIN client_experts now ON now.client_id = c.client_id AND now.month = c.month
    LEFT JOIN client_experts before ON before.client_id = c.client_id AND before.month = c.month - INTERVAL 1 MONTH
    WHERE $count_experts
    GROUP BY ALL
), exact AS (
    -- the distinct count, only where a floor is below the threshold
    SELECT c.month, c.kind,
           count(DISTINCT w.expert_key) FILTER (WHERE w.month = c.month) AS experts_now,
           count(DISTINCT w.expert_key) FILTER (WHERE w.month < c.month) AS experts_before
    FROM classified c
    JOIN floors f ON f.month = c.month AND f.kind = c.kind
                 AND (f.largest_now < $min_experts OR f.largest_before < $min_experts)
    JOIN kept_client_expert_months($domain, $country, $cohort) w
      ON w.client_id = c.client_id AND w.month BETWEEN c.month - INTERVAL 1 MONTH AND c.month
    GROUP BY ALL
), experts AS (
    SELECT f.month, f.kind,
           CASE WHEN f.largest_now < $min_experts THEN coalesce(x.experts_now, 0) ELSE f.largest_now END AS experts_now,
           CASE WHEN f.largest_before < $min_experts THEN coalesce(x.experts_before, 0) ELSE f.largest_before END
               AS experts_before
    FROM floors f LEFT JOIN exact x ON x.month = f.month AND x.kind = f.kind
), sums AS (
    SELECT month,
           count(*) FILTER (WHERE kind = 'new') AS clients_new,
           count(*) FILTER (WHERE kind = 'churned') AS clients_churned,
           sum(billed_now) FILTER (WHERE kind = 'new') AS revenue_new_usd,
           sum(billed_now) FILTER (WHERE kind = 'reactivated') AS revenue_reactivated_usd,
           sum(greatest(billed_now - billed_before, 0)) FILTER (WHERE kind = 'kept') AS revenue_expansion_usd,
           sum(greatest(billed_before - billed_now, 0)) FILTER (WHERE kind = 'kept') AS revenue_contraction_usd,
           sum(billed_before) FILTER (WHERE kind = 'churned') AS revenue_churned_usd
    FROM classified GROUP BY month
)
SELECT m.month,
       coalesce(s.clients_new, 0) AS clients_new,
       coalesce(s.clients_churned, 0) AS clients_churned,
       coalesce(s.revenue_new_usd, 0) AS revenue_new_usd,
       coalesce(s.revenue_reactivated_usd, 0) AS revenue_reactivated_usd,
       coalesce(s.revenue_expansion_usd, 0) AS revenue_expansion_usd,
       coalesce(s.revenue_contraction_usd, 0) AS revenue_contraction_usd,
       coalesce(s.revenue_churned_usd, 0) AS revenue_churned_usd,
       coalesce(max(e.experts_now) FILTER (WHERE e.kind = 'new'), 0) AS experts_new_clients,
       coalesce(max(e.experts_now) FILTER (WHERE e.kind = 'reactivated'), 0) AS experts_reactivated_clients,
       coalesce(max(e.experts_now) FILTER (WHERE e.kind = 'kept'), 0) AS experts_kept_now,
       coalesce(max(e.experts_before) FILTER (WHERE e.kind = 'kept'), 0) AS experts_kept_before,
       coalesce(max(e.experts_before) FILTER (WHERE e.kind = 'churned'), 0) AS experts_churned_clients
FROM months_between($from_month, $to_month) m
LEFT JOIN sums s ON s.month = m.month
LEFT JOIN experts e ON e.month = m.month
GROUP BY m.month, s.clients_new, s.clients_churned, s.revenue_new_usd, s.revenue_reactivated_usd,
         s.revenue_expansion_usd, s.revenue_contraction_usd, s.revenue_churned_usd
ORDER BY m.month;
