-- What the filter bar offers: every domain and country of the experts, and the months
-- from the first signup to the last month with data (signups or work).
-- Grain: one row. Parameters: none.
SELECT list(DISTINCT domain ORDER BY domain) AS domains,
       list(DISTINCT country ORDER BY country) AS countries,
       min(signup_month) AS first_month,
       greatest(max(signup_month),
                (SELECT CAST(date_trunc('month', last_work_date) AS DATE) FROM snapshot)) AS last_month
FROM expert_facts;
