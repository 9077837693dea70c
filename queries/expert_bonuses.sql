-- One expert's bonuses paid from $from_month to the end of $to_month, latest first.
-- Grain: one row per bonus. Units: USD. Parameters: $expert_id, $from_month, $to_month.
SELECT bonus_id, paid_date, kind, amount_usd
FROM bonuses
WHERE expert_id = $expert_id AND paid_date BETWEEN $from_month AND last_day($to_month)
ORDER BY paid_date DESC, bonus_id;
