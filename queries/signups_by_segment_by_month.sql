-- New signups by domain or by country ($by) and signup month, up to $to_month: each row's
-- running count of experts signed up, for the investor rule on running counts.
-- Grain: one row per segment and month with signups. Units: experts.
-- Parameters: $by, $to_month; $domain, $country, $cohort (NULL = all).
SELECT CASE WHEN $by = 'country' THEN country ELSE domain END AS segment,
       signup_month AS month, count(*) AS experts_new
FROM kept_experts($domain, $country, $cohort)
WHERE signup_month <= $to_month
GROUP BY ALL
ORDER BY segment, month;
