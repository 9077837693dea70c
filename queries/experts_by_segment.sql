-- Experts by domain or by country ($by = 'domain' or 'country'): signed up by the end of
-- the period, approved by then, and active (with a work log) in the period; with hours,
-- expert pay and the average pay rate of that work.
-- Grain: one row per domain (or country). Units: experts, hours, USD, USD per hour.
-- Parameters: $by, $from_month, $to_month; $domain, $country, $cohort (NULL = all).
WITH signed_up AS (
    SELECT CASE WHEN $by = 'country' THEN country ELSE domain END AS segment,
           count(*) AS experts_total,
           count(*) FILTER (WHERE approved_date <= last_day($to_month)) AS experts_approved
    FROM kept_experts($domain, $country, $cohort)
    WHERE signup_month <= $to_month
    GROUP BY ALL
), work AS (
    SELECT CASE WHEN $by = 'country' THEN country ELSE domain END AS segment,
           count(DISTINCT expert_key) AS experts_active,
           sum(hours) AS hours, sum(expert_pay_usd) AS expert_pay_usd
    FROM kept_expert_months($domain, $country, $cohort)
    WHERE is_active AND month BETWEEN $from_month AND $to_month
    GROUP BY ALL
)
SELECT s.segment, s.experts_total, s.experts_approved,
       coalesce(w.experts_active, 0) AS experts_active,
       coalesce(w.hours, 0) AS hours,
       coalesce(w.expert_pay_usd, 0) AS expert_pay_usd,
       w.expert_pay_usd / NULLIF(w.hours, 0) AS avg_pay_rate_usd
FROM signed_up s LEFT JOIN work w USING (segment)
ORDER BY s.experts_total DESC, s.segment;
