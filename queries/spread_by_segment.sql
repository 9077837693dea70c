-- What an hour of work earns the company, by client segment, by the experts' domain, or by
-- contract: billings - expert pay (before bonuses, which are paid to an expert, not for a
-- client's work) and that spread per hour, over the period.
-- Grain: one row per segment, domain or contract with work in the period; for contracts only
-- the $limit largest by billings. Units: hours, USD, USD per hour, experts.
-- Parameters: $by ('segment', 'domain' or 'contract'), $limit, $from_month, $to_month;
-- $domain, $country, $cohort (NULL = all).
WITH work AS (
    SELECT CASE $by WHEN 'segment' THEN cl.segment
                    WHEN 'domain' THEN coalesce(w.domain, 'unknown')
                    ELSE w.contract_id END AS name,
           w.expert_id, w.hours, w.billings_usd, w.expert_pay_usd
    FROM kept_contract_expert_months($domain, $country, $cohort) w
    JOIN clients cl USING (client_id)
    WHERE w.month BETWEEN $from_month AND $to_month
), grouped AS (
    SELECT name, sum(hours) AS hours, sum(billings_usd) AS billings_usd, sum(expert_pay_usd) AS expert_pay_usd,
           count(DISTINCT expert_id) AS experts
    FROM work GROUP BY name
)
SELECT g.name,
       cl.name AS client,
       cl.segment,
       co.bill_rate_usd,
       g.hours,
       g.billings_usd,
       g.expert_pay_usd,
       g.billings_usd - g.expert_pay_usd AS spread_usd,
       (g.billings_usd - g.expert_pay_usd) / nullif(g.hours, 0) AS spread_per_hour_usd,
       g.experts
FROM grouped g
LEFT JOIN contracts co ON $by = 'contract' AND co.contract_id = g.name
LEFT JOIN clients cl ON cl.client_id = co.client_id
ORDER BY g.billings_usd DESC, g.name
LIMIT $limit;
