-- Network size by month: experts_total, experts_new, experts_approved_total (METRICS.md).
-- Grain: one row per month from $from_month to $to_month.
-- Units: experts. Parameters: $from_month, $to_month (first days of months);
-- $domain, $country, $cohort (signup month) filter the experts, NULL = all.
WITH kept AS (
    SELECT signup_month, CAST(date_trunc('month', approved_date) AS DATE) AS approved_month
    FROM kept_experts($domain, $country, $cohort)
), signups AS (
    SELECT signup_month AS month, count(*) AS experts FROM kept GROUP BY ALL
), approvals AS (
    SELECT approved_month AS month, count(*) AS experts FROM kept WHERE approved_month IS NOT NULL GROUP BY ALL
)
SELECT m.month,
       CAST((SELECT coalesce(sum(experts), 0) FROM signups s WHERE s.month <= m.month) AS BIGINT) AS experts_total,
       CAST((SELECT coalesce(sum(experts), 0) FROM signups s WHERE s.month = m.month) AS BIGINT) AS experts_new,
       CAST((SELECT coalesce(sum(experts), 0) FROM approvals a WHERE a.month <= m.month) AS BIGINT) AS experts_approved_total
FROM months_between($from_month, $to_month) m
ORDER BY m.month;
