-- The supply funnel and how long its steps take, by signup cohort, domain or country ($by =
-- 'cohort', 'domain' or 'country'), over the experts who signed up by the period's end (for
-- cohorts: the cohorts of the period): signed up, approved, first paid (a work log) by the
-- period's end, and active in its last month; and, over those who reached a step within the
-- period, the days from signup to it: p50 and p90 (quantile_cont), and how many reached it.
-- mature (cohorts): the 90 days of the cohort's last signup day are over by the last work date.
-- Grain: one row per cohort ("YYYY-MM"), domain or country. Units: experts, days.
-- Parameters: $by, $from_month, $to_month; $domain, $country, $cohort (NULL = all).
WITH kept AS (
    SELECT *,
           CASE WHEN $by = 'country' THEN country
                WHEN $by = 'cohort' THEN strftime(signup_month, '%Y-%m')
                ELSE domain END AS segment,
           approved_date BETWEEN $from_month AND last_day($to_month) AS approved_in_period,
           first_work_date BETWEEN $from_month AND last_day($to_month) AS first_paid_in_period
    FROM kept_experts($domain, $country, $cohort)
    WHERE signup_month <= $to_month AND ($by <> 'cohort' OR signup_month >= $from_month)
), active_last AS (
    SELECT expert_id FROM kept_expert_months($domain, $country, $cohort) WHERE is_active AND month = $to_month
)
SELECT k.segment,
       count(*) AS experts_signed_up,
       count(*) FILTER (WHERE k.approved_date <= last_day($to_month)) AS experts_approved,
       count(*) FILTER (WHERE k.first_work_date <= last_day($to_month)) AS experts_first_paid,
       count(a.expert_id) AS experts_active_last_month,
       count(*) FILTER (WHERE k.approved_in_period) AS approved_in_period,
       quantile_cont(k.approved_date - k.signup_date, 0.5) FILTER (WHERE k.approved_in_period) AS days_to_approval_p50,
       quantile_cont(k.approved_date - k.signup_date, 0.9) FILTER (WHERE k.approved_in_period) AS days_to_approval_p90,
       count(*) FILTER (WHERE k.first_paid_in_period) AS first_paid_in_period,
       quantile_cont(k.first_work_date - k.signup_date, 0.5) FILTER (WHERE k.first_paid_in_period)
           AS days_to_first_paid_p50,
       quantile_cont(k.first_work_date - k.signup_date, 0.9) FILTER (WHERE k.first_paid_in_period)
           AS days_to_first_paid_p90,
       coalesce(max(last_day(k.signup_month)) + 89 <= (SELECT max(last_work_date) FROM snapshot), false) AS mature
FROM kept k LEFT JOIN active_last a USING (expert_id)
GROUP BY k.segment
ORDER BY CASE WHEN $by = 'cohort' THEN k.segment END, experts_signed_up DESC, k.segment;
