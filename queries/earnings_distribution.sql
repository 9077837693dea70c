-- The spread of expert earnings (expert pay + bonuses): percentiles, Gini and top-1% share,
-- over the experts whose earnings are > 0. Either per month ($per_month = true), or over the
-- whole period with each expert's earnings summed across it (reported on $from_month).
-- Grain: one row per month (or one row) that has earners. Units: USD; gini and share 0 to 1.
-- Percentiles interpolate linearly between closest ranks (as quantile_cont and NumPy do):
-- for q, h = (n - 1) q, and the value is x_(floor h) + (h - floor h) (x_(floor h + 1) - x_(floor h)),
-- ranks counted from 0. They are read off the one sort that the ranks need.
-- Gini = sum over pairs |x_i - x_j| / (2 n^2 mean), computed from ranks:
-- sum((2i - n - 1) x_(i)) / (n sum(x)), i the ascending rank from 1; 0 for one expert.
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
           row_number() OVER (PARTITION BY month ORDER BY earnings_usd) - 1 AS rank0,
           count(*) OVER (PARTITION BY month) AS n
    FROM earners
), spread AS (
    SELECT month,
           any_value(n) AS n,
           sum(earnings_usd) AS earnings_usd,
           sum((2 * (rank0 + 1) - n - 1) * earnings_usd) AS gini_numerator,
           sum(earnings_usd) FILTER (WHERE rank0 >= n - ceil(n / 100)) AS top1pct_usd,
           -- the two closest ranks around each percentile
           any_value(earnings_usd) FILTER (WHERE rank0 = floor((n - 1) * 0.50)) AS p50_low,
           any_value(earnings_usd) FILTER (WHERE rank0 = least(floor((n - 1) * 0.50) + 1, n - 1)) AS p50_high,
           any_value(earnings_usd) FILTER (WHERE rank0 = floor((n - 1) * 0.90)) AS p90_low,
           any_value(earnings_usd) FILTER (WHERE rank0 = least(floor((n - 1) * 0.90) + 1, n - 1)) AS p90_high,
           any_value(earnings_usd) FILTER (WHERE rank0 = floor((n - 1) * 0.99)) AS p99_low,
           any_value(earnings_usd) FILTER (WHERE rank0 = least(floor((n - 1) * 0.99) + 1, n - 1)) AS p99_high
    FROM ranked
    GROUP BY month
)
SELECT month,
       n AS experts_earning,
       earnings_usd,
       p50_low + ((n - 1) * 0.50 - floor((n - 1) * 0.50)) * (p50_high - p50_low) AS earnings_p50_usd,
       p90_low + ((n - 1) * 0.90 - floor((n - 1) * 0.90)) * (p90_high - p90_low) AS earnings_p90_usd,
       p99_low + ((n - 1) * 0.99 - floor((n - 1) * 0.99)) * (p99_high - p99_low) AS earnings_p99_usd,
       gini_numerator / (n * earnings_usd) AS earnings_gini,
       top1pct_usd / earnings_usd AS top1pct_earnings_share
FROM spread
ORDER BY month;
