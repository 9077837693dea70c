-- Client logo retention: for the clients first billed in month C (their cohort), how many
-- were billed again k months later (0 = the first month itself), up to the last month that
-- has any work log. A client away in a month and back later counts again when back.
-- With filters, a client is billed in a month when the kept experts' work billed it.
-- Grain: one row per cohort and months_since. Units: clients; rate is a share (0 to 1).
-- Parameters: $domain, $country, $cohort (NULL = all).
WITH billed AS (
    SELECT client_id, month FROM kept_client_months($domain, $country, $cohort) WHERE billings_usd > 0
), firsts AS (
    SELECT client_id, min(month) AS cohort FROM billed GROUP BY ALL
), sizes AS (
    SELECT cohort, count(*) AS cohort_clients FROM firsts GROUP BY ALL
), retained AS (
    SELECT f.cohort, b.month, count(*) AS clients
    FROM billed b JOIN firsts f USING (client_id) GROUP BY ALL
), last_work AS (
    SELECT CAST(date_trunc('month', last_work_date) AS DATE) AS month FROM snapshot
)
SELECT strftime(s.cohort, '%Y-%m') AS cohort,
       datediff('month', s.cohort, m.month) AS months_since,
       s.cohort_clients,
       coalesce(r.clients, 0) AS clients_billed,
       coalesce(r.clients, 0) / s.cohort_clients AS rate
FROM sizes s
JOIN months_between((SELECT min(cohort) FROM sizes), (SELECT month FROM last_work)) m ON m.month >= s.cohort
LEFT JOIN retained r ON r.cohort = s.cohort AND r.month = m.month
ORDER BY s.cohort, months_since;
