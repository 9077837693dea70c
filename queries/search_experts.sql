-- Find experts by expert id, email or any part of a name or email, case-insensitive, among the
-- experts the filters keep. Exact id or email matches first, then names that start with the
-- text, then the rest, by name. $text is matched as plain text (no wildcards).
-- Grain: one row per expert, at most $limit; matches counts them all.
-- Parameters: $text, $limit; $domain, $country, $cohort (NULL = all).
WITH needle AS (SELECT lower(trim($text)) AS t)
SELECT e.expert_id, e.full_name, e.email, f.domain, f.country, f.signup_date, f.approved_date, f.last_work_date,
       count(*) OVER () AS matches
FROM experts e
JOIN kept_experts($domain, $country, $cohort) f USING (expert_id), needle
WHERE lower(e.expert_id) = t OR lower(e.email) = t
   OR contains(lower(e.full_name), t) OR contains(lower(e.email), t)
ORDER BY CASE WHEN lower(e.expert_id) = t OR lower(e.email) = t THEN 0
              WHEN starts_with(lower(e.full_name), t) THEN 1 ELSE 2 END,
         e.full_name, e.expert_id
LIMIT $limit;
