-- Queue: approved but never worked, as of the snapshot's last day (table as_of): experts with
-- an approved_date on or before it and no work log at all, longest waiting first.
-- Grain: one row per expert, the first $limit; queue_size counts them all. Units: days.
-- Parameters: $limit; $domain, $country, $cohort (NULL = all).
WITH matched AS (
    SELECT expert_id, domain, country, signup_date, approved_date,
           (SELECT as_of_date FROM as_of) - approved_date AS days_since_approval
    FROM kept_experts($domain, $country, $cohort)
    WHERE approved_date <= (SELECT as_of_date FROM as_of) AND first_work_date IS NULL
), page AS (
    -- names are joined to the rows shown only
    SELECT * FROM matched ORDER BY days_since_approval DESC, expert_id LIMIT $limit
)
SELECT p.expert_id, e.full_name, e.email, p.domain, p.country, p.signup_date, p.approved_date,
       p.days_since_approval, (SELECT count(*) FROM matched) AS queue_size
FROM page p JOIN experts e USING (expert_id)
ORDER BY p.days_since_approval DESC, p.expert_id;
