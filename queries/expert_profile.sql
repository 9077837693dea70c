-- One expert: who they are and when they worked.
-- Grain: one row, or none for an unknown id. Parameters: $expert_id.
SELECT e.expert_id, e.full_name, e.email, f.domain, f.country, f.signup_date, f.approved_date,
       f.first_work_date, f.last_work_date
FROM experts e JOIN expert_facts f USING (expert_id)
WHERE e.expert_id = $expert_id;
