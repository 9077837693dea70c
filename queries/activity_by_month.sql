-- Work and pay by month: experts_active, hours, expert_pay_usd, bonuses_usd, billings_usd,
-- and how many experts each figure comes from (for the investor threshold): the month_activity
-- macro (expertnet/ingest/rollups.sql), read from its rollup when no filter is set.
-- Grain: one row per month from $from_month to $to_month.
-- Units: experts, hours, USD. Parameters: $from_month, $to_month; $domain, $country, $cohort (NULL = all).
WITH activity AS (
    SELECT * FROM month_activity_of_all_experts
    WHERE $domain IS NULL AND $country IS NULL AND $cohort IS NULL AND month BETWEEN $from_month AND $to_month
    UNION ALL
    SELECT * FROM month_activity($domain, $country, $cohort, $from_month, $to_month)
    WHERE NOT ($domain IS NULL AND $country IS NULL AND $cohort IS NULL)
)
SELECT m.month,
       coalesce(a.experts_active, 0) AS experts_active,
       coalesce(a.experts_with_bonus, 0) AS experts_with_bonus,
       coalesce(a.experts_earning, 0) AS experts_earning,
       coalesce(a.hours, 0) AS hours,
       coalesce(a.expert_pay_usd, 0) AS expert_pay_usd,
       coalesce(a.bonuses_usd, 0) AS bonuses_usd,
       coalesce(a.billings_usd, 0) AS billings_usd
FROM months_between($from_month, $to_month) m
LEFT JOIN activity a ON a.month = m.month
ORDER BY m.month;
