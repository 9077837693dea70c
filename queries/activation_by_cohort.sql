-- 90-day activation by signup cohort: of the experts who signed up in a month, how many
-- have a work log dated before signup_date + 90 days (days 0 to 89).
-- Grain: one row per signup month from $from_month to $to_month.
-- Units: experts; activation_rate_90d is a share (0 to 1), NULL for an empty cohort.
-- mature: the 90 days of the cohort's last signup day are over by the last day of data (the
-- snapshot's last work date); until then its share can still rise.
-- Parameters: $from_month, $to_month; $domain, $country, $cohort (NULL = all).
SELECT m.month AS cohort,
       count(f.expert_id) AS cohort_size,
       count(f.expert_id) FILTER (WHERE f.first_work_date < f.signup_date + 90) AS activated_90d,
       count(f.expert_id) FILTER (WHERE f.first_work_date < f.signup_date + 90)
           / NULLIF(count(f.expert_id), 0) AS activation_rate_90d,
       coalesce(last_day(m.month) + 89 <= (SELECT max(last_work_date) FROM snapshot), false) AS mature
FROM months_between($from_month, $to_month) m
LEFT JOIN kept_experts($domain, $country, $cohort) f ON f.signup_month = m.month
GROUP BY m.month
ORDER BY m.month;
