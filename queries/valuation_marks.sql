-- Every valuation mark of the company. Grain: one row per mark. Units: USD.
-- Parameters: none.
SELECT as_of_date, round, post_money_usd FROM valuations ORDER BY as_of_date;
