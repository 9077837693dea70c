-- The spread of expert earnings (expert pay + bonuses): percentiles, Gini and top-1% share,
-- over the experts whose earnings are > 0. Either per month ($per_month = true), or over the
-- whole period with each expert's earnings summed across it (reported on $from_month).
-- Grain: one row per month (or one row) that has earners. Units: USD; gini and share 0 to 1.
-- Gini = sum over pairs |x_i - x_j| / (2 n^2 mean), computed from ranks:
-- sum((2i - n - 1) x_(i)) / (n sum(x)), i the ascending rank; 0 for one expert.
-- Parameters: $from_month, $to_month, $per_month; $domain, $country, $cohort (NULL = all).
WITH earners AS (
    SELECT CASE WHEN $per_month THEN month ELSE CAST($from_month AS DATE) END AS month,
           expert_id, sum(earnings_usd) AS earnings_usd
    FROM kept_expert_months($domain, $country, $cohort)
    WHERE month BETWEEN $from_month AND $to_month
    GROUP BY ALL
    HAVING sum(earnings_usd) > 0
), ranked AS (
    SELECT month, earnings_usd,
           row_number() OVER (PARTITION BY month ORDER BY earnings_usd) AS rank_asc,
           count(*) OVER (PARTITION BY month) AS n
    FROM earners
)
SELECT month,
       any_value(n) AS experts_earning,
       sum(earnings_usd) AS earnings_usd,
       quantile_cont(earnings_usd, 0.50) AS earnings_p50_usd,
       quantile_cont(earnings_usd, 0.90) AS earnings_p90_usd,
       quantile_cont(earnings_usd, 0.99) AS earnings_p99_usd,
       sum((2 * rank_asc - n - 1) * earnings_usd) / (any_value(n) * sum(earnings_usd)) AS earnings_gini,
       sum(earnings_usd) FILTER (WHERE rank_asc > n - ceil(n / 100)) / sum(earnings_usd) AS top1pct_earnings_share
FROM ranked
GROUP BY month
ORDER BY month;
