-- Supply of month M (METRICS.md, operator KPIs): experts_first_paid (earliest work log over
-- all time in M) and days_to_first_paid_p50; experts approved in M and days_to_approval_p50;
-- and the supply_activity macro's experts_reactivated, active_approved (utilization's
-- numerator) and top10pct_hours_share (expertnet/ingest/rollups.sql), read from its rollup
-- when no filter is set ($all_experts), since ranking every active expert is the slow part.
-- Grain: one row per month from $from_month to $to_month. Units: experts, days, share 0 to 1.
-- Medians: quantile_cont 0.5 of whole days. Parameters: $from_month, $to_month, $all_experts;
-- $domain, $country, $cohort (NULL = all).
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
), activity AS (
    SELECT * FROM supply_activity_by_month WHERE $all_experts AND month BETWEEN $from_month AND $to_month
    UNION ALL
    SELECT * FROM supply_activity($domain, $country, $cohort, $from_month, $to_month) WHERE NOT $all_experts
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
LEFT JOIN activity b ON b.month = m.month
ORDER BY m.month;
