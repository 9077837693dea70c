-- Where one expert's earnings (pay + bonuses) of the period stand among the experts of their
-- domain who earned in it: their earnings, how many earned, how many earned less, and the
-- domain's median and 90th percentile (quantile_cont, as the earnings KPIs).
-- Grain: one row (earnings NULL when the expert earned nothing). Units: USD, experts.
-- Parameters: $expert_id, $from_month, $to_month.
WITH domain AS (
    SELECT domain, expert_key FROM expert_facts WHERE expert_id = $expert_id
), earners AS (
    SELECT m.expert_key, sum(m.earnings_usd) AS earnings_usd
    FROM expert_months m
    WHERE m.domain IS NOT DISTINCT FROM (SELECT domain FROM domain)
      AND m.month BETWEEN $from_month AND $to_month
    GROUP BY m.expert_key
    HAVING sum(m.earnings_usd) > 0
), own AS (
    SELECT earnings_usd FROM earners WHERE expert_key = (SELECT expert_key FROM domain)
)
SELECT (SELECT domain FROM domain) AS domain,
       (SELECT earnings_usd FROM own) AS earnings_usd,
       count(*) AS experts_earning,
       count(*) FILTER (WHERE earnings_usd < (SELECT earnings_usd FROM own)) AS experts_earning_less,
       quantile_cont(earnings_usd, 0.5) AS domain_p50_usd,
       quantile_cont(earnings_usd, 0.9) AS domain_p90_usd
FROM earners;
