-- Rollups built once at load time, so that no page has to scan work_logs.
-- Every metric query reads these; tests compare them with the raw tables.
-- A month is a DATE: the first day of the calendar month.

-- expert_facts: one row per expert. The attributes the filters use, and the
-- first and last work dates (NULL for an expert who never worked).
-- expert_key: an integer for the expert, in the order of their ids, carried into the
-- per-expert rollups below (contract_expert_months, client_expert_months, expert_months):
-- counting distinct experts and summing per expert group by it, about a quarter faster than
-- by the text id (issue 15). It means nothing outside one snapshot.
CREATE TABLE expert_facts AS
SELECT e.expert_id,
       CAST(row_number() OVER (ORDER BY e.expert_id) AS INTEGER) AS expert_key,
       e.domain,
       e.country,
       e.signup_date,
       CAST(date_trunc('month', e.signup_date) AS DATE) AS signup_month,
       e.approved_date,
       w.first_work_date,
       w.last_work_date
FROM experts e
LEFT JOIN (SELECT expert_id, min(work_date) AS first_work_date, max(work_date) AS last_work_date
           FROM work_logs GROUP BY expert_id) w USING (expert_id)
ORDER BY signup_month;
COMMENT ON TABLE expert_facts IS 'one row per expert';

-- contract_expert_months: one row per contract, expert and month with work (the contract's
-- client alongside). Money in USD, hours in hours. Carries the expert's filter attributes.
-- The grain the largest contracts and an expert's own contracts read; the two rollups below
-- are sums of it, so the raw log is grouped once.
CREATE TABLE contract_expert_months AS
WITH work AS (
    SELECT w.contract_id,
           c.client_id,
           w.expert_id,
           CAST(date_trunc('month', w.work_date) AS DATE) AS month,
           sum(w.hours) AS hours,
           sum(w.hours * w.pay_rate_usd) AS expert_pay_usd,
           sum(w.hours * c.bill_rate_usd) AS billings_usd,
           count(*) AS work_logs,
           max(w.work_date) AS last_work_date
    FROM work_logs w JOIN contracts c USING (contract_id)
    GROUP BY ALL
)
SELECT work.*, f.expert_key, f.domain, f.country, f.signup_month
FROM work JOIN expert_facts f USING (expert_id)
ORDER BY month;
COMMENT ON TABLE contract_expert_months IS 'one row per contract, expert and month with work';

-- client_expert_months: one row per client, expert and month with work.
CREATE TABLE client_expert_months AS
SELECT client_id, expert_id, month, sum(hours) AS hours, sum(expert_pay_usd) AS expert_pay_usd,
       sum(billings_usd) AS billings_usd, sum(work_logs) AS work_logs, max(last_work_date) AS last_work_date,
       expert_key, domain, country, signup_month
FROM contract_expert_months
GROUP BY client_id, expert_id, month, expert_key, domain, country, signup_month
ORDER BY month;
COMMENT ON TABLE client_expert_months IS 'one row per client, expert and month with work';

-- contract_months: one row per contract and month with work: its billings, for the forward
-- revenue figures (what is left of a commitment; the run-rate of contracts about to end).
CREATE TABLE contract_months AS
SELECT contract_id, month, sum(billings_usd) AS billings_usd
FROM contract_expert_months
GROUP BY ALL
ORDER BY month;
COMMENT ON TABLE contract_months IS 'one row per contract and month with work';

-- expert_months: one row per expert and month with work or a bonus paid.
-- earnings_usd = expert pay + bonuses of that month (METRICS.md).
CREATE TABLE expert_months AS
WITH work AS (
    SELECT expert_id, month, sum(hours) AS hours, sum(expert_pay_usd) AS expert_pay_usd,
           sum(billings_usd) AS billings_usd, sum(work_logs) AS work_logs,
           max(last_work_date) AS last_work_date
    FROM client_expert_months GROUP BY ALL
), paid_bonuses AS (
    SELECT expert_id, CAST(date_trunc('month', paid_date) AS DATE) AS month,
           sum(amount_usd) AS bonuses_usd
    FROM bonuses GROUP BY ALL
)
SELECT expert_id,
       month,
       coalesce(work.hours, 0) AS hours,
       coalesce(work.expert_pay_usd, 0) AS expert_pay_usd,
       coalesce(work.billings_usd, 0) AS billings_usd,
       coalesce(paid_bonuses.bonuses_usd, 0) AS bonuses_usd,
       coalesce(work.expert_pay_usd, 0) + coalesce(paid_bonuses.bonuses_usd, 0) AS earnings_usd,
       coalesce(work.work_logs, 0) AS work_logs,
       coalesce(work.work_logs, 0) > 0 AS is_active,
       work.last_work_date,
       f.expert_key, f.domain, f.country, f.signup_month
FROM work FULL JOIN paid_bonuses USING (expert_id, month)
JOIN expert_facts f USING (expert_id)
ORDER BY month;
COMMENT ON TABLE expert_months IS 'one row per expert and month with work or a bonus';

-- The filters of every page and of the CLI, defined once: an expert is kept when
-- they match each filter that is set (NULL = not set): a domain in the list domain_filter,
-- a country in country_filter, and the signup month cohort_filter. Metric queries read the
-- rollups only through these macros.
CREATE MACRO keeps_expert(domain_value, country_value, signup_month_value, domain_filter, country_filter, cohort_filter) AS
    (domain_filter IS NULL OR list_contains(domain_filter, domain_value))
    AND (country_filter IS NULL OR list_contains(country_filter, country_value))
    AND (cohort_filter IS NULL OR signup_month_value = cohort_filter);

CREATE MACRO kept_experts(domain_filter, country_filter, cohort_filter) AS TABLE
    SELECT * FROM expert_facts
    WHERE keeps_expert(domain, country, signup_month, domain_filter, country_filter, cohort_filter);

CREATE MACRO kept_expert_months(domain_filter, country_filter, cohort_filter) AS TABLE
    SELECT * FROM expert_months
    WHERE keeps_expert(domain, country, signup_month, domain_filter, country_filter, cohort_filter);

CREATE MACRO kept_contract_expert_months(domain_filter, country_filter, cohort_filter) AS TABLE
    SELECT * FROM contract_expert_months
    WHERE keeps_expert(domain, country, signup_month, domain_filter, country_filter, cohort_filter);

CREATE MACRO kept_client_expert_months(domain_filter, country_filter, cohort_filter) AS TABLE
    SELECT * FROM client_expert_months
    WHERE keeps_expert(domain, country, signup_month, domain_filter, country_filter, cohort_filter);

-- billings of each client in each month, from the kept experts' work
CREATE MACRO kept_client_months(domain_filter, country_filter, cohort_filter) AS TABLE
    SELECT client_id, month, sum(billings_usd) AS billings_usd
    FROM client_expert_months
    WHERE keeps_expert(domain, country, signup_month, domain_filter, country_filter, cohort_filter)
    GROUP BY ALL;

-- one row per month from first_month to last_month (both first days of months)
CREATE MACRO months_between(first_month, last_month) AS TABLE
    SELECT CAST(m AS DATE) AS month
    FROM range(CAST(first_month AS TIMESTAMP), CAST(last_month AS TIMESTAMP) + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m);

-- Work and pay of the kept experts in each month from from_month to to_month that has any:
-- experts_active, hours, expert_pay_usd, bonuses_usd, billings_usd, and how many experts each
-- figure comes from (for the investor threshold). Units: experts, hours, USD.
-- A macro here, not a query file, because the rollup below is built with it: the read-time
-- query (queries/activity_by_month.sql) and the rollup share this one definition.
CREATE MACRO month_activity(domain_filter, country_filter, cohort_filter, from_month, to_month) AS TABLE
SELECT month,
       count(expert_id) FILTER (WHERE is_active) AS experts_active,
       count(expert_id) FILTER (WHERE bonuses_usd > 0) AS experts_with_bonus,
       count(expert_id) FILTER (WHERE earnings_usd > 0) AS experts_earning,
       sum(hours) AS hours,
       sum(expert_pay_usd) AS expert_pay_usd,
       sum(bonuses_usd) AS bonuses_usd,
       sum(billings_usd) AS billings_usd
FROM kept_expert_months(domain_filter, country_filter, cohort_filter)
WHERE month BETWEEN from_month AND to_month
GROUP BY month;

-- The work and pay of every month over every expert (no filter set): the KPI series reads 25
-- months of it for every page's tiles (the year before feeds the year-on-year figures), and
-- the whole company's beside a view's; 25 rows here instead of every expert of 25 months.
CREATE TABLE month_activity_of_all_experts AS
SELECT * FROM month_activity(NULL, NULL, NULL, DATE '0001-01-01', DATE '9999-12-01') ORDER BY month;
COMMENT ON TABLE month_activity_of_all_experts IS 'one row per month with work or a bonus: work and pay over every expert';

-- The spread of expert earnings (expert pay + bonuses): percentiles, Gini and top-1% share,
-- over the kept experts whose earnings are > 0. Either per month (per_month = true), or over
-- the whole period with each expert's earnings summed across it (reported on from_month).
-- Grain: one row per month (or one row) that has earners. Units: USD; gini and share 0 to 1.
-- Percentiles: DuckDB quantile_cont (linear interpolation between closest ranks, as NumPy).
-- Gini = sum over pairs |x_i - x_j| / (2 n^2 mean), computed from ranks:
-- sum((2i - n - 1) x_(i)) / (n sum(x)), i the ascending rank; 0 for one expert.
-- histogram (over the period only; NULL per month): how many of those experts earned how much,
-- in bins of equal width on a log scale, four per factor of ten ($100-$178, $178-$316, ...): a
-- list of {earnings_from_usd, earnings_to_usd, experts}, ascending. Made in the same pass as the
-- spread, so a page that shows both sums each expert's period once (issue 15).
-- A macro here, not a query file, because the rollup below is built with it: the read-time
-- query (queries/earnings_distribution.sql) and the rollup share this one definition.
CREATE MACRO earnings_spread(domain_filter, country_filter, cohort_filter, from_month, to_month, per_month) AS TABLE
WITH by_month AS (
    -- expert_months has one row per expert and month already: nothing to sum
    SELECT month, earnings_usd
    FROM kept_expert_months(domain_filter, country_filter, cohort_filter)
    WHERE per_month AND month BETWEEN from_month AND to_month AND earnings_usd > 0
), by_period AS (
    SELECT CAST(from_month AS DATE) AS month, sum(earnings_usd) AS earnings_usd
    FROM kept_expert_months(domain_filter, country_filter, cohort_filter)
    WHERE NOT per_month AND month BETWEEN from_month AND to_month
    GROUP BY expert_key
    HAVING sum(earnings_usd) > 0
), ranked AS MATERIALIZED (
    SELECT month, earnings_usd,
           row_number() OVER (PARTITION BY month ORDER BY earnings_usd) AS rank_asc,
           count(*) OVER (PARTITION BY month) AS n
    FROM (SELECT * FROM by_month UNION ALL SELECT * FROM by_period)
), bins AS (
    SELECT month, floor(log10(earnings_usd) * 4) AS bin, count(*) AS experts
    FROM ranked
    WHERE NOT per_month             -- no page draws a month's histogram: NULL per month
    GROUP BY month, bin
), histograms AS (
    SELECT month,
           list({'earnings_from_usd': power(10, bin / 4), 'earnings_to_usd': power(10, (bin + 1) / 4),
                 'experts': experts} ORDER BY bin) AS histogram
    FROM bins
    GROUP BY month
), spread AS (
    SELECT month,
           any_value(n) AS n,
           sum(earnings_usd) AS earnings_usd,
           quantile_cont(earnings_usd, [0.50, 0.90, 0.99]) AS percentiles_usd,
           sum((2 * rank_asc - n - 1) * earnings_usd) AS gini_numerator,
           sum(earnings_usd) FILTER (WHERE rank_asc > n - ceil(n / 100)) AS top1pct_usd
    FROM ranked
    GROUP BY month
)
SELECT month,
       n AS experts_earning,
       earnings_usd,
       percentiles_usd[1] AS earnings_p50_usd,
       percentiles_usd[2] AS earnings_p90_usd,
       percentiles_usd[3] AS earnings_p99_usd,
       gini_numerator / (n * earnings_usd) AS earnings_gini,
       top1pct_usd / earnings_usd AS top1pct_earnings_share,
       histogram
FROM spread LEFT JOIN histograms USING (month)
ORDER BY month;

-- The earnings spread of every month over every expert (no filter set), so a page with no
-- filter reads twelve rows instead of ranking every earner of every month.
CREATE TABLE earnings_spread_by_month AS
SELECT * FROM earnings_spread(NULL, NULL, NULL, DATE '0001-01-01', DATE '9999-12-01', true);
COMMENT ON TABLE earnings_spread_by_month IS 'one row per month with earners: the earnings spread over every expert';

-- ---------------------------------------------------------------- the ops work queues
-- Defined in expertnet/metrics/queues.py (and docs/QUEUES.md, written from it). What needs
-- single days of the raw log is worked out here, once per load, so no page reads work_logs.

-- as_of: the snapshot's last day, the "today" of the queues: the latest date a row of the
-- export carries (a work log, a signup, an approval, a bonus paid). Contract, valuation,
-- target and event dates can lie in the future and do not count.
-- (expert_facts holds each expert's last work date: no need to read work_logs again)
CREATE TABLE as_of AS
SELECT greatest(max(last_work_date), max(signup_date), max(approved_date),
                (SELECT max(paid_date) FROM bonuses)) AS as_of_date
FROM expert_facts;
COMMENT ON TABLE as_of IS 'one row: the latest date of the snapshot, from which the queues count days';

-- unusual_hours: each day with more than 12 hours logged by one expert, and each week (from
-- Monday) with more than 70.
CREATE TABLE unusual_hours AS
WITH daily AS (
    SELECT expert_id, work_date, sum(hours) AS hours FROM work_logs GROUP BY ALL
), weekly AS (
    SELECT expert_id, CAST(date_trunc('week', work_date) AS DATE) AS week, sum(hours) AS hours
    FROM daily GROUP BY ALL
)
SELECT expert_id, 'day' AS span, work_date AS starting, hours FROM daily WHERE hours > 12
UNION ALL
SELECT expert_id, 'week' AS span, week AS starting, hours FROM weekly WHERE hours > 70
ORDER BY starting;
COMMENT ON TABLE unusual_hours IS 'one row per expert and day with more than 12 hours, or week with more than 70';

-- negative_margin_work: work logged at a pay rate above its contract's bill rate, by expert,
-- contract, month and pay rate.
CREATE TABLE negative_margin_work AS
SELECT w.expert_id, w.contract_id, c.client_id,
       CAST(date_trunc('month', w.work_date) AS DATE) AS month,
       w.pay_rate_usd, c.bill_rate_usd,
       sum(w.hours) AS hours, count(*) AS work_logs, max(w.work_date) AS last_work_date
FROM work_logs w JOIN contracts c USING (contract_id)
WHERE w.pay_rate_usd > c.bill_rate_usd
GROUP BY ALL
ORDER BY month;
COMMENT ON TABLE negative_margin_work IS 'one row per expert, contract, month and pay rate with pay above the bill rate';

-- recent_earnings: each expert's earnings (pay + bonuses) over the 90 days up to as_of
-- (as_of - 89 .. as_of), for the "went quiet" queue.
CREATE TABLE recent_earnings AS
WITH window_days AS (
    SELECT as_of_date - 89 AS first_day, as_of_date AS last_day FROM as_of
), earned AS (
    SELECT expert_id, hours * pay_rate_usd AS earnings_usd
    FROM work_logs, window_days WHERE work_date BETWEEN first_day AND last_day
    UNION ALL
    SELECT expert_id, amount_usd FROM bonuses, window_days WHERE paid_date BETWEEN first_day AND last_day
)
SELECT expert_id, sum(earnings_usd) AS earnings_90d_usd FROM earned GROUP BY ALL HAVING sum(earnings_usd) > 0;
COMMENT ON TABLE recent_earnings IS 'one row per expert with earnings in the 90 days up to as_of';

-- ---------------------------------------------------------------- supply activity
-- Of the kept experts active in each month from from_month to to_month: experts_reactivated
-- (work in M, none in M-1, some before M-1), active_approved (active in M and approved by its
-- last day: utilization's numerator) and top10pct_hours_share (hours of the ceil(n / 10)
-- experts with the most hours, ties by expert_id, n = experts active in M). A macro here, not a
-- query file, because the rollup below is built with it: the filtered views
-- (queries/supply_by_month.sql) and the unfiltered one share this one definition.
-- Grain: one row per month with active experts. Units: experts; share 0 to 1.
CREATE MACRO supply_activity(domain_filter, country_filter, cohort_filter, from_month, to_month) AS TABLE
WITH active AS (
    SELECT em.expert_id, em.month, em.hours, f.approved_date, f.first_work_date
    FROM kept_expert_months(domain_filter, country_filter, cohort_filter) em JOIN expert_facts f USING (expert_id)
    WHERE em.is_active AND em.month BETWEEN CAST(from_month AS DATE) - INTERVAL 1 MONTH AND to_month
), ranked AS (
    SELECT a.*,
           row_number() OVER (PARTITION BY a.month ORDER BY a.hours DESC, a.expert_id) AS rank_desc,
           count(*) OVER (PARTITION BY a.month) AS n,
           b.expert_id IS NOT NULL AS worked_month_before
    FROM active a
    LEFT JOIN active b ON b.expert_id = a.expert_id AND b.month = a.month - INTERVAL 1 MONTH
    WHERE a.month >= from_month
)
SELECT month,
       count(*) FILTER (WHERE NOT worked_month_before
                        AND first_work_date < month - INTERVAL 1 MONTH) AS experts_reactivated,
       count(*) FILTER (WHERE approved_date <= last_day(month)) AS active_approved,
       sum(hours) FILTER (WHERE rank_desc <= ceil(n / 10)) / NULLIF(sum(hours), 0) AS top10pct_hours_share
FROM ranked GROUP BY month;

-- The supply activity of every month over every expert (no filter set), so a page with no
-- filter reads twelve rows instead of ranking every active expert of every month.
CREATE TABLE supply_activity_by_month AS
SELECT * FROM supply_activity(NULL, NULL, NULL, DATE '0001-01-01', DATE '9999-12-01') ORDER BY month;
COMMENT ON TABLE supply_activity_by_month IS 'one row per month with active experts: reactivated, active and approved, top-10% hours share';
