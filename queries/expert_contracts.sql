-- The contracts one expert worked on from $from_month to $to_month: the client, the bill rate
-- against what they were paid an hour (pay / hours), and the spread the company earned on
-- their work (billings - pay, and per hour).
-- Grain: one row per contract, largest billings first. Units: hours, USD, USD per hour.
-- Parameters: $expert_id, $from_month, $to_month.
SELECT w.contract_id, cl.name AS client, cl.segment, min(w.month) AS first_month, max(w.month) AS last_month,
       sum(w.hours) AS hours, c.bill_rate_usd,
       sum(w.expert_pay_usd) / sum(w.hours) AS pay_rate_usd,
       sum(w.billings_usd) AS billings_usd, sum(w.expert_pay_usd) AS expert_pay_usd,
       sum(w.billings_usd) - sum(w.expert_pay_usd) AS spread_usd,
       (sum(w.billings_usd) - sum(w.expert_pay_usd)) / sum(w.hours) AS spread_per_hour_usd
FROM contract_expert_months w
JOIN contracts c USING (contract_id)
JOIN clients cl ON cl.client_id = w.client_id
WHERE w.expert_id = $expert_id AND w.month BETWEEN $from_month AND $to_month
GROUP BY w.contract_id, cl.name, cl.segment, c.bill_rate_usd
ORDER BY billings_usd DESC, w.contract_id;
