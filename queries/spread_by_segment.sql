-- What an hour of work earns the company, by client segment, by the experts' domain and by
-- contract, in one pass: billings - expert pay (before bonuses, which are paid to an expert,
-- not for a client's work) and that spread per hour, over the period.
-- Grain: one row per (by, name): by 'segment', 'domain' or 'contract', each with work in the
-- period. Units: hours, USD, USD per hour, experts.
-- Parameters: $from_month, $to_month; $domain, $country, $cohort (NULL = all).
WITH work AS (
    SELECT w.contract_id, cl.segment, coalesce(w.domain, 'unknown') AS domain_name,
           w.expert_key, w.hours, w.billings_usd, w.expert_pay_usd
    FROM kept_contract_expert_months($domain, $country, $cohort) w
    JOIN clients cl USING (client_id)
    WHERE w.month BETWEEN $from_month AND $to_month
), grouped AS (
    SELECT CASE WHEN grouping(segment) = 0 THEN 'segment'
                WHEN grouping(domain_name) = 0 THEN 'domain' ELSE 'contract' END AS by,
           coalesce(segment, domain_name, contract_id) AS name,
           sum(hours) AS hours, sum(billings_usd) AS billings_usd, sum(expert_pay_usd) AS expert_pay_usd,
           count(DISTINCT expert_key) AS experts
    FROM work
    GROUP BY GROUPING SETS ((segment), (domain_name), (contract_id))
)
SELECT g.by, g.name,
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
LEFT JOIN contracts co ON g.by = 'contract' AND co.contract_id = g.name
LEFT JOIN clients cl ON cl.client_id = co.client_id
ORDER BY g.by, g.billings_usd DESC, g.name;
