-- Queue: stuck in vetting, as of the snapshot's last day D (table as_of): experts who signed up
-- more than 30 days before D and have no approved_date on or before D. Longest waiting first.
-- Grain: one row per expert, the first $limit; queue_size counts them all. Units: days.
-- Parameters: $limit; $domain, $country, $cohort (NULL = all).
WITH matched AS (
    SELECT expert_id, domain, country, signup_date,
           (SELECT as_of_date FROM as_of) - signup_date AS days_since_signup
    FROM kept_experts($domain, $country, $cohort)
    WHERE (SELECT as_of_date FROM as_of) - signup_date > 30
      AND (approved_date IS NULL OR approved_date > (SELECT as_of_date FROM as_of))
), page AS (
    SELECT * FROM matched ORDER BY days_since_signup DESC, expert_id LIMIT $limit
)
SELECT p.expert_id, e.full_name, e.email, p.domain, p.country, p.signup_date, p.days_since_signup,
       (SELECT count(*) FROM matched) AS queue_size
FROM page p JOIN experts e USING (expert_id)
ORDER BY p.days_since_signup DESC, p.expert_id;
