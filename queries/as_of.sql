-- The snapshot's last day (the latest work log, signup, approval or bonus): the work queues'
-- "today". Grain: one row. Parameters: none.
SELECT as_of_date FROM as_of;
