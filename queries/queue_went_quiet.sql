-- Queue: went quiet, as of the snapshot's last day D (table as_of): the top-decile earners of
-- the 90 days up to D (of the n experts with earnings in them, the ceil(n / 10) who earned the
-- most, ties by expert_id; over the whole network, so a filter narrows the list, not the
-- decile) with no work log in the 30 days up to D (D - 29 .. D). Longest quiet first.
-- Grain: one row per expert, the first $limit; queue_size counts them all. Units: USD, days.
-- Parameters: $limit; $domain, $country, $cohort (NULL = all).
WITH ranked AS (
    SELECT expert_id, earnings_90d_usd,
           row_number() OVER (ORDER BY earnings_90d_usd DESC, expert_id) AS earnings_rank,
           count(*) OVER () AS earners
    FROM recent_earnings
), matched AS (
    SELECT f.expert_id, f.domain, f.country, r.earnings_90d_usd, f.last_work_date,
           (SELECT as_of_date FROM as_of) - f.last_work_date AS days_since_last_work
    FROM ranked r JOIN kept_experts($domain, $country, $cohort) f USING (expert_id)
    WHERE r.earnings_rank <= ceil(r.earners / 10)
      AND (f.last_work_date IS NULL OR f.last_work_date < (SELECT as_of_date FROM as_of) - 29)
), page AS (
    SELECT * FROM matched ORDER BY days_since_last_work DESC NULLS FIRST, expert_id LIMIT $limit
)
SELECT p.expert_id, e.full_name, e.email, p.domain, p.country, round(p.earnings_90d_usd, 2) AS earnings_90d_usd, p.last_work_date,
       p.days_since_last_work, (SELECT count(*) FROM matched) AS queue_size
FROM page p JOIN experts e USING (expert_id)
ORDER BY p.days_since_last_work DESC NULLS FIRST, p.expert_id;
