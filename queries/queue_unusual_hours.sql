-- Queue: unusual hours, for review: a day with more than 12 hours logged by one expert, or a
-- week (Monday to Sunday) with more than 70 (table unusual_hours), starting in the period's
-- months. Latest first.
-- Grain: one row per expert and day or week, the first $limit; queue_size counts them all.
-- Units: hours. Parameters: $limit, $from_month, $to_month; $domain, $country, $cohort.
WITH matched AS (
    SELECT u.expert_id, f.domain, f.country, u.span, u.starting, u.hours
    FROM unusual_hours u JOIN kept_experts($domain, $country, $cohort) f USING (expert_id)
    WHERE u.starting BETWEEN $from_month AND last_day($to_month)
), page AS (
    SELECT * FROM matched ORDER BY starting DESC, hours DESC, expert_id, span LIMIT $limit
)
SELECT p.expert_id, e.full_name, e.email, p.domain, p.country, p.span, p.starting, p.hours,
       (SELECT count(*) FROM matched) AS queue_size
FROM page p JOIN experts e USING (expert_id)
ORDER BY p.starting DESC, p.hours DESC, p.expert_id, p.span;
