-- One expert: who they are and when they worked. The id as typed: exactly, or else the one id
-- that equals it ignoring case.
-- Grain: one row, or none for an unknown id. Parameters: $expert_id.
SELECT e.expert_id, e.full_name, e.email, f.domain, f.country, f.signup_date, f.approved_date,
       f.first_work_date, f.last_work_date
FROM experts e JOIN expert_facts f USING (expert_id)
WHERE lower(e.expert_id) = lower($expert_id)
ORDER BY e.expert_id = $expert_id DESC, e.expert_id
LIMIT 1;
