-- Active experts, experts paid a bonus, hours and expert pay by domain or by country ($by) and
-- month: what the investor rules need to decide which rows of a breakdown over a period may
-- stand alone. Grain: one row per segment and month with work or a bonus. Units: experts,
-- hours, USD. Parameters: $by, $from_month, $to_month; $domain, $country, $cohort (NULL = all).
SELECT CASE WHEN $by = 'country' THEN country ELSE domain END AS segment, month,
       count(*) FILTER (WHERE is_active) AS experts_active,
       count(*) FILTER (WHERE bonuses_usd > 0) AS experts_with_bonus,
       sum(hours) AS hours, sum(expert_pay_usd) AS expert_pay_usd
FROM kept_expert_months($domain, $country, $cohort)
WHERE month BETWEEN $from_month AND $to_month
GROUP BY ALL
ORDER BY segment, month;
