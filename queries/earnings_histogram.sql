-- How many experts earned how much in the period: a histogram of each expert's
-- earnings (pay + bonuses, summed over the period) in bins of equal width on a log
-- scale, four bins per factor of ten ($100-$178, $178-$316, ...). Earners only (> 0).
-- Grain: one row per bin with experts. Units: USD (bin edges), experts.
-- Parameters: $from_month, $to_month; $domain, $country, $cohort (NULL = all).
WITH earners AS (
    SELECT expert_id, sum(earnings_usd) AS earnings_usd
    FROM kept_expert_months($domain, $country, $cohort)
    WHERE month BETWEEN $from_month AND $to_month
    GROUP BY ALL HAVING sum(earnings_usd) > 0
), binned AS (
    SELECT floor(log10(earnings_usd) * 4) AS bin FROM earners
)
SELECT power(10, bin / 4) AS earnings_from_usd,
       power(10, (bin + 1) / 4) AS earnings_to_usd,
       count(*) AS experts
FROM binned GROUP BY bin ORDER BY bin;
