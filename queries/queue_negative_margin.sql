-- Queue: negative margin: work logged at a pay rate above its contract's bill rate (table
-- negative_margin_work) in the period's months, by expert, contract, month and pay rate; the
-- loss is hours x (pay rate - bill rate). Largest loss first.
-- Grain: one row per expert, contract, month and pay rate, the first $limit; queue_size counts
-- them all. Units: hours, USD per hour, USD.
-- Parameters: $limit, $from_month, $to_month; $domain, $country, $cohort (NULL = all).
WITH matched AS (
    SELECT n.expert_id, f.domain, f.country, n.contract_id, n.client_id, n.month, n.hours,
           n.pay_rate_usd, n.bill_rate_usd, round(n.hours * (n.pay_rate_usd - n.bill_rate_usd), 2) AS loss_usd
    FROM negative_margin_work n JOIN kept_experts($domain, $country, $cohort) f USING (expert_id)
    WHERE n.month BETWEEN $from_month AND $to_month
), page AS (
    SELECT * FROM matched ORDER BY loss_usd DESC, month DESC, expert_id, contract_id LIMIT $limit
)
SELECT p.expert_id, e.full_name, e.email, p.domain, p.country, p.contract_id, c.name AS client,
       strftime(p.month, '%Y-%m') AS month, p.hours, p.pay_rate_usd, p.bill_rate_usd, p.loss_usd,
       (SELECT count(*) FROM matched) AS queue_size
FROM page p JOIN experts e USING (expert_id) JOIN clients c USING (client_id)
ORDER BY p.loss_usd DESC, p.month DESC, p.expert_id, p.contract_id;
