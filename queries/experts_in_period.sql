-- Ops' list of experts who match the filters, with their work in the period:
-- hours, expert pay, bonuses, earnings, effective rate (earnings / hours) and the
-- last day they worked in the period. Experts with no work show zeros.
-- Grain: one row per expert, sorted by $sort_key (a fixed choice, bound as a value),
-- then expert_id; a page of $limit rows from $offset, and how many match in all.
-- Units: hours, USD, USD per hour. Parameters: $from_month, $to_month, $sort_key,
-- $descending, $limit, $offset, $active_only; $domain, $country, $cohort (NULL = all).
WITH work AS (
    -- summed per expert_key, the rollups' integer for an expert: cheaper to group than the text id
    SELECT expert_key, sum(hours) AS hours, sum(expert_pay_usd) AS expert_pay_usd,
           sum(bonuses_usd) AS bonuses_usd, sum(earnings_usd) AS earnings_usd,
           max(last_work_date) AS last_active_date_in_period
    FROM kept_expert_months($domain, $country, $cohort)
    WHERE month BETWEEN $from_month AND $to_month
    GROUP BY ALL
), listed AS (
    SELECT f.expert_id, f.domain, f.country, f.signup_date,
           coalesce(w.hours, 0) AS hours,
           coalesce(w.expert_pay_usd, 0) AS expert_pay_usd,
           coalesce(w.bonuses_usd, 0) AS bonuses_usd,
           coalesce(w.earnings_usd, 0) AS earnings_usd,
           w.earnings_usd / NULLIF(w.hours, 0) AS effective_rate_usd,
           w.last_active_date_in_period,
           CASE $sort_key
               WHEN 'hours' THEN coalesce(w.hours, 0)
               WHEN 'earnings_usd' THEN coalesce(w.earnings_usd, 0)
               WHEN 'effective_rate_usd' THEN coalesce(w.earnings_usd / NULLIF(w.hours, 0), 0)
               WHEN 'bonuses_usd' THEN coalesce(w.bonuses_usd, 0)
               ELSE epoch(f.signup_date) END
             * CASE WHEN $descending THEN -1 ELSE 1 END AS sort_value
    FROM kept_experts($domain, $country, $cohort) f
    LEFT JOIN work w USING (expert_key)
    WHERE f.signup_month <= $to_month AND (NOT $active_only OR w.hours > 0)
), page AS (
    -- Names are joined to the page only, not to every matching expert.
    SELECT * FROM listed ORDER BY sort_value, expert_id LIMIT $limit OFFSET $offset
)
SELECT p.expert_id, e.full_name, e.email, p.domain, p.country, p.signup_date, p.hours, p.expert_pay_usd,
       p.bonuses_usd, p.earnings_usd, p.effective_rate_usd, p.last_active_date_in_period,
       (SELECT count(*) FROM listed) AS matching_experts
FROM page p JOIN experts e USING (expert_id)
ORDER BY p.sort_value, p.expert_id;
