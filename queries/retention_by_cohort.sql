-- Expert retention by signup cohort: for cohort C and month offset k (0 = the signup month)
-- up to the last month that has any work log, the cohort's size and how many of its
-- experts have a work log in month C+k.
-- Grain: one row per cohort and months_since. Units: experts; rate is a share (0 to 1).
-- Parameters: $domain, $country, $cohort (NULL = all).
WITH cohorts AS (
    SELECT signup_month AS cohort, count(*) AS cohort_size
    FROM kept_experts($domain, $country, $cohort) GROUP BY ALL
), active AS (
    SELECT signup_month AS cohort, month, count(*) AS active
    FROM kept_expert_months($domain, $country, $cohort) WHERE is_active GROUP BY ALL
), last_work AS (
    SELECT CAST(date_trunc('month', last_work_date) AS DATE) AS month FROM snapshot
)
SELECT strftime(c.cohort, '%Y-%m') AS cohort,
       datediff('month', c.cohort, m.month) AS months_since,
       c.cohort_size,
       coalesce(a.active, 0) AS active,
       coalesce(a.active, 0) / c.cohort_size AS rate
FROM cohorts c
JOIN months_between((SELECT min(cohort) FROM cohorts), (SELECT month FROM last_work)) m ON m.month >= c.cohort
LEFT JOIN active a ON a.cohort = c.cohort AND a.month = m.month
ORDER BY c.cohort, months_since;
