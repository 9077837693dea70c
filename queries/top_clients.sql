-- The largest clients of the period by billings, with their segment and share, and the
-- distinct experts who worked for each.
-- Grain: one row per client with billings in the period, largest first, at most $limit.
-- Units: USD, experts; share 0 to 1. Parameters: $from_month, $to_month, $limit;
-- $domain, $country, $cohort (NULL = all).
WITH billed AS (
    SELECT client_id, sum(billings_usd) AS billings_usd, count(DISTINCT expert_key) AS experts
    FROM kept_client_expert_months($domain, $country, $cohort)
    WHERE month BETWEEN $from_month AND $to_month
    GROUP BY ALL
)
SELECT row_number() OVER (ORDER BY b.billings_usd DESC, b.client_id) AS rank, b.client_id,
       c.name AS client, c.segment, b.billings_usd,
       b.billings_usd / sum(b.billings_usd) OVER () AS share, b.experts
FROM billed b JOIN clients c USING (client_id)
ORDER BY rank
LIMIT $limit;
