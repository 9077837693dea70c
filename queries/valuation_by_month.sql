-- The company's valuation in force at each month's end: post_money_usd of the latest
-- valuation mark dated on or before the last day of the month. Always the whole company.
-- Grain: one row per month from $from_month to $to_month. Units: USD, NULL before any mark.
-- Parameters: $from_month, $to_month.
SELECT m.month,
       (SELECT v.post_money_usd FROM valuations v
        WHERE v.as_of_date <= last_day(m.month)
        ORDER BY v.as_of_date DESC LIMIT 1) AS valuation_usd
FROM months_between($from_month, $to_month) m
ORDER BY m.month;
