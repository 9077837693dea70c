-- The spread of expert earnings (expert pay + bonuses): percentiles, Gini and top-1% share,
-- over the experts whose earnings are > 0. Either per month ($per_month = true), or over the
-- whole period with each expert's earnings summed across it (reported on $from_month).
-- Grain: one row per month (or one row) that has earners. Units: USD; gini and share 0 to 1.
-- Percentiles: DuckDB quantile_cont (linear interpolation between closest ranks, as NumPy).
-- Gini = sum over pairs |x_i - x_j| / (2 n^2 mean), computed from ranks:
-- sum((2i - n - 1) x_(i)) / (n sum(x)), i the ascending rank; 0 for one expert.
-- Parameters: $from_month, $to_month, $per_month; $domain, $country, $cohort (NULL = all).
WITH per_month AS (
    -- expert_months has one row per expert and month already: nothing to sum
    SELECT month, earnings_usd
    FROM kept_expert_months($domain, $country, $cohort)
    WHERE $per_month AND month BETWEEN $from_month AND $to_month AND earnings_usd > 0
), per_period AS (
    SELECT CAST($from_month AS DATE) AS month, sum(earnings_usd) AS earnings_usd
    FROM kept_expert_months($domain, $country, $cohort)
    WHERE NOT $per_month AND month BETWEEN $from_month AND $to_month
    GROUP BY expert_id
    HAVING sum(earnings_usd) > 0
), ranked AS (
    SELECT month, earnings_usd,
           row_number() OVER (PARTITION BY month ORDER BY earnings_usd) AS rank_asc,
           count(*) OVER (PARTITION BY month) AS n
    FROM (SELECT * FROM per_month UNION ALL SELECT * FROM per_period)
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
       top1pct_usd / earnings_usd AS top1pct_earnings_share
FROM spread
ORDER BY month;
