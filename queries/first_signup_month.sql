-- The month of the network's first signup (NULL for an empty warehouse): where running
-- counts start. Grain: one row. Parameters: none.
SELECT min(signup_month) AS first_month FROM expert_facts;
