-- Work and pay by month: experts_active, hours, expert_pay_usd, bonuses_usd, billings_usd,
-- and how many experts each figure comes from (for the investor threshold).
-- Grain: one row per month from $from_month to $to_month.
-- Units: experts, hours, USD. Parameters: $from_month, $to_month; $domain, $country, $cohort (NULL = all).
SELECT m.month,
       count(em.expert_id) FILTER (WHERE em.is_active) AS experts_active,
       count(em.expert_id) FILTER (WHERE em.bonuses_usd > 0) AS experts_with_bonus,
       count(em.expert_id) FILTER (WHERE em.earnings_usd > 0) AS experts_earning,
       coalesce(sum(em.hours), 0) AS hours,
       coalesce(sum(em.expert_pay_usd), 0) AS expert_pay_usd,
       coalesce(sum(em.bonuses_usd), 0) AS bonuses_usd,
       coalesce(sum(em.billings_usd), 0) AS billings_usd
FROM months_between($from_month, $to_month) m
LEFT JOIN kept_expert_months($domain, $country, $cohort) em ON em.month = m.month
GROUP BY m.month
ORDER BY m.month;
