-- Supply of month M (METRICS.md, operator KPIs): experts_first_paid (earliest work log over
-- all time in M) and days_to_first_paid_p50; experts approved in M and days_to_approval_p50;
-- experts_reactivated (work in M, none in M-1, some before M-1); active_approved (active in M
-- and approved by its last day: utilization's numerator); top10pct_hours_share (hours of the
-- ceil(n / 10) experts with the most hours, n = experts active in M).
-- Grain: one row per month from $from_month to $to_month. Units: experts, days, share 0 to 1.
-- Medians: quantile_cont 0.5 of whole days. Parameters: $from_month, $to_month; $domain,
-- $country, $cohort (NULL = all).
WITH kept AS (
    SELECT * FROM kept_experts($domain, $country, $cohort)
), first_paid AS (
    SELECT CAST(date_trunc('month', first_work_date) AS DATE) AS month,
           count(*) AS experts_first_paid,
           quantile_cont(first_work_date - signup_date, 0.5) AS days_to_first_paid_p50
    FROM kept WHERE first_work_date IS NOT NULL GROUP BY ALL
), approved AS (
    SELECT CAST(date_trunc('month', approved_date) AS DATE) AS month,
           count(*) AS experts_approved_in_month,
           quantile_cont(approved_date - signup_date, 0.5) AS days_to_approval_p50
    FROM kept WHERE approved_date IS NOT NULL GROUP BY ALL
), active AS (
    SELECT em.expert_id, em.month, em.hours, f.approved_date, f.first_work_date
    FROM kept_expert_months($domain, $country, $cohort) em JOIN expert_facts f USING (expert_id)
    WHERE em.is_active AND em.month BETWEEN CAST($from_month AS DATE) - INTERVAL 1 MONTH AND $to_month
), ranked AS (
    SELECT a.*,
           row_number() OVER (PARTITION BY a.month ORDER BY a.hours DESC, a.expert_id) AS rank_desc,
           count(*) OVER (PARTITION BY a.month) AS n,
           b.expert_id IS NOT NULL AS worked_month_before
    FROM active a
    LEFT JOIN active b ON b.expert_id = a.expert_id AND b.month = a.month - INTERVAL 1 MONTH
    WHERE a.month >= $from_month
), by_month AS (
    SELECT month,
           count(*) FILTER (WHERE NOT worked_month_before
                            AND first_work_date < month - INTERVAL 1 MONTH) AS experts_reactivated,
           count(*) FILTER (WHERE approved_date <= last_day(month)) AS active_approved,
           sum(hours) FILTER (WHERE rank_desc <= ceil(n / 10)) / NULLIF(sum(hours), 0) AS top10pct_hours_share
    FROM ranked GROUP BY month
)
SELECT m.month,
       coalesce(fp.experts_first_paid, 0) AS experts_first_paid,
       fp.days_to_first_paid_p50,
       coalesce(ap.experts_approved_in_month, 0) AS experts_approved_in_month,
       ap.days_to_approval_p50,
       coalesce(b.experts_reactivated, 0) AS experts_reactivated,
       coalesce(b.active_approved, 0) AS active_approved,
       b.top10pct_hours_share
FROM months_between($from_month, $to_month) m
LEFT JOIN first_paid fp ON fp.month = m.month
LEFT JOIN approved ap ON ap.month = m.month
LEFT JOIN by_month b ON b.month = m.month
ORDER BY m.month;
