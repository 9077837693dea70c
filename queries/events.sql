-- The events marked on the time charts: the rows of the optional events file, and every
-- valuation mark as a funding round. $investor_only keeps the rows marked investor_visible
-- (and the rounds, which every investor sees on the Valuation page).
-- Grain: one row per event. Parameters: $investor_only.
SELECT event_date, title, kind
FROM events
WHERE NOT $investor_only OR investor_visible = 'true'
UNION ALL
SELECT as_of_date AS event_date, round || ' round' AS title, 'round' AS kind
FROM valuations
ORDER BY event_date, title;
