-- One expert's months from $from_month to $to_month: hours, pay, bonuses, earnings (pay +
-- bonuses), effective rate (earnings / hours) and the billings of their work. Months without
-- work or a bonus show zeros.
-- Grain: one row per month. Units: hours, USD, USD per hour. Parameters: $expert_id, $from_month, $to_month.
SELECT m.month,
       coalesce(x.hours, 0) AS hours,
       coalesce(x.expert_pay_usd, 0) AS expert_pay_usd,
       coalesce(x.bonuses_usd, 0) AS bonuses_usd,
       coalesce(x.earnings_usd, 0) AS earnings_usd,
       x.earnings_usd / nullif(x.hours, 0) AS effective_rate_usd,
       coalesce(x.billings_usd, 0) AS billings_usd
FROM months_between($from_month, $to_month) m
LEFT JOIN (SELECT * FROM expert_months WHERE expert_id = $expert_id) x USING (month)
ORDER BY m.month;
