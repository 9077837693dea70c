"""Way 3, plain SQL: the same figures as DuckDB SQL written here (RAW_SQL) straight over the raw tables
(work_logs, contracts, experts, bonuses, clients, valuations), without the project's rollups, on the
same read-only connection as way 1; the KPI series is assembled from its parts as in way 2. Each
workload takes (connection, first, last) and returns {part: rows}."""

from datetime import date

from bench.kpis import activation_rows, assemble_kpis, summary_row
from bench.months import add_months, month_range
from bench.workloads import TOP_CLIENTS

RAW_SQL = {
    # work and pay by month, months $span_first .. $last
    "activity": """
        SELECT CAST(date_trunc('month', w.work_date) AS DATE) AS month,
               count(DISTINCT w.expert_id) AS experts_active,
               sum(w.hours) AS hours,
               sum(w.hours * w.pay_rate_usd) AS expert_pay_usd,
               sum(w.hours * c.bill_rate_usd) AS billings_usd
        FROM work_logs w JOIN contracts c USING (contract_id)
        WHERE w.work_date BETWEEN $span_first AND last_day($last)
        GROUP BY ALL""",
    "bonuses": """
        SELECT CAST(date_trunc('month', paid_date) AS DATE) AS month, sum(amount_usd) AS bonuses_usd
        FROM bonuses
        WHERE paid_date BETWEEN $span_first AND last_day($last)
        GROUP BY ALL""",
    "counts": """
        WITH months AS (
            SELECT CAST(unnest(generate_series($first, $last, INTERVAL 1 MONTH)) AS DATE) AS month
        )
        SELECT m.month,
               count(*) FILTER (WHERE e.signup_date <= last_day(m.month)) AS experts_total,
               count(*) FILTER (WHERE date_trunc('month', e.signup_date) = m.month) AS experts_new,
               count(*) FILTER (WHERE e.approved_date <= last_day(m.month)) AS experts_approved_total
        FROM months m CROSS JOIN experts e
        GROUP BY m.month""",
    # signup cohorts $first .. $last
    "activation": """
        SELECT CAST(date_trunc('month', e.signup_date) AS DATE) AS month,
               count(DISTINCT e.expert_id) AS cohort_size,
               count(DISTINCT w.expert_id) AS activated_90d
        FROM experts e
        LEFT JOIN work_logs w ON w.expert_id = e.expert_id AND w.work_date < e.signup_date + 90
        WHERE e.signup_date BETWEEN $first AND last_day($last)
        GROUP BY ALL""",
    "earnings": """
        WITH pay AS (
            SELECT CAST(date_trunc('month', work_date) AS DATE) AS month, expert_id,
                   sum(hours * pay_rate_usd) AS pay_usd
            FROM work_logs WHERE work_date BETWEEN $first AND last_day($last) GROUP BY ALL
        ), paid AS (
            SELECT CAST(date_trunc('month', paid_date) AS DATE) AS month, expert_id, sum(amount_usd) AS bonus_usd
            FROM bonuses WHERE paid_date BETWEEN $first AND last_day($last) GROUP BY ALL
        ), earners AS (
            SELECT CASE WHEN $per_month THEN month ELSE $first END AS month, expert_id,
                   sum(coalesce(pay_usd, 0) + coalesce(bonus_usd, 0)) AS earnings_usd
            FROM pay FULL JOIN paid USING (month, expert_id)
            GROUP BY ALL
            HAVING sum(coalesce(pay_usd, 0) + coalesce(bonus_usd, 0)) > 0
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
               sum(earnings_usd) FILTER (WHERE rank_asc > n - ceil(n / 100)) / sum(earnings_usd)
                   AS top1pct_earnings_share
        FROM ranked GROUP BY month""",
    "clients": """
        WITH client_months AS (
            SELECT CAST(date_trunc('month', w.work_date) AS DATE) AS month, c.client_id,
                   sum(w.hours * c.bill_rate_usd) AS billings_usd
            FROM work_logs w JOIN contracts c USING (contract_id)
            WHERE w.work_date BETWEEN $span_first AND last_day($last)
            GROUP BY ALL
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY month ORDER BY billings_usd DESC, client_id) AS rank_desc,
                      sum(billings_usd) OVER (PARTITION BY month) AS month_usd
            FROM client_months WHERE month >= $first
        ), concentration AS (
            SELECT month, count(*) AS clients_active,
                   max(billings_usd) / NULLIF(max(month_usd), 0) AS top_client_share,
                   sum(billings_usd) FILTER (WHERE rank_desc <= 5) / NULLIF(max(month_usd), 0) AS top5_client_share,
                   sum(power(100 * billings_usd / NULLIF(month_usd, 0), 2)) AS client_hhi
            FROM ranked GROUP BY month
        ), retained AS (
            SELECT CAST(base.month + INTERVAL 12 MONTH AS DATE) AS month,
                   sum(coalesce(cur.billings_usd, 0)) / NULLIF(sum(base.billings_usd), 0) AS nrr_12m,
                   sum(least(coalesce(cur.billings_usd, 0), base.billings_usd))
                       / NULLIF(sum(base.billings_usd), 0) AS grr_12m
            FROM client_months base
            LEFT JOIN client_months cur
                   ON cur.client_id = base.client_id AND cur.month = CAST(base.month + INTERVAL 12 MONTH AS DATE)
            WHERE base.month <= CAST($last - INTERVAL 12 MONTH AS DATE)
            GROUP BY ALL
        )
        SELECT coalesce(c.month, r.month) AS month, c.clients_active, c.top_client_share, c.top5_client_share,
               c.client_hhi, r.nrr_12m, r.grr_12m
        FROM concentration c FULL JOIN retained r USING (month)""",
    "valuation": """
        WITH months AS (
            SELECT CAST(unnest(generate_series($first, $last, INTERVAL 1 MONTH)) AS DATE) AS month
        )
        SELECT m.month, arg_max(v.post_money_usd, v.as_of_date) AS valuation_usd
        FROM months m LEFT JOIN valuations v ON v.as_of_date <= last_day(m.month)
        GROUP BY m.month""",
    "marks": "SELECT as_of_date, round, post_money_usd FROM valuations ORDER BY as_of_date",
    "last_work_date": "SELECT max(work_date) AS last_work_date FROM work_logs",
    "events": """
        SELECT event_date, title, kind FROM events
        UNION ALL SELECT as_of_date, round || ' round', 'round' FROM valuations""",
    "contracts_ending": """
        WITH ending AS (
            SELECT c.contract_id, datediff('day', last_day($last), c.end_date) AS days_left,
                   (SELECT coalesce(sum(w.hours * c.bill_rate_usd), 0) FROM work_logs w
                    WHERE w.contract_id = c.contract_id AND w.work_date BETWEEN $last AND last_day($last)) AS billed
            FROM contracts c
        )
        SELECT w AS ending_within_days,
               count(*) FILTER (WHERE days_left BETWEEN w - 29 AND w) AS contracts,
               12 * coalesce(sum(billed) FILTER (WHERE days_left BETWEEN w - 29 AND w), 0) AS arr_usd
        FROM ending CROSS JOIN (SELECT unnest([30, 60, 90]) AS w)
        GROUP BY w ORDER BY w""",
    "supply_segments": """
        WITH firsts AS (SELECT expert_id, min(work_date) AS first_work_date FROM work_logs GROUP BY ALL),
        last_month AS (SELECT DISTINCT expert_id FROM work_logs WHERE work_date BETWEEN $last AND last_day($last)),
        people AS (
            SELECT e.*, f.first_work_date, l.expert_id IS NOT NULL AS active_last,
                   CASE $by WHEN 'country' THEN e.country WHEN 'domain' THEN e.domain
                            ELSE strftime(e.signup_date, '%Y-%m') END AS segment
            FROM experts e LEFT JOIN firsts f USING (expert_id) LEFT JOIN last_month l USING (expert_id)
            WHERE e.signup_date <= last_day($last) AND ($by <> 'cohort' OR e.signup_date >= $first)
        )
        SELECT segment, count(*) AS experts_signed_up,
               count(*) FILTER (WHERE approved_date <= last_day($last)) AS experts_approved,
               count(*) FILTER (WHERE first_work_date <= last_day($last)) AS experts_first_paid,
               count(*) FILTER (WHERE active_last) AS experts_active_last_month,
               quantile_cont(datediff('day', signup_date, approved_date), 0.5)
                   FILTER (WHERE approved_date BETWEEN $first AND last_day($last)) AS days_to_approval_p50,
               quantile_cont(datediff('day', signup_date, approved_date), 0.9)
                   FILTER (WHERE approved_date BETWEEN $first AND last_day($last)) AS days_to_approval_p90,
               quantile_cont(datediff('day', signup_date, first_work_date), 0.5)
                   FILTER (WHERE first_work_date BETWEEN $first AND last_day($last)) AS days_to_first_paid_p50,
               quantile_cont(datediff('day', signup_date, first_work_date), 0.9)
                   FILTER (WHERE first_work_date BETWEEN $first AND last_day($last)) AS days_to_first_paid_p90,
               max(last_day(CAST(date_trunc('month', signup_date) AS DATE))) + 89
                   <= (SELECT max(work_date) FROM work_logs) AS mature
        FROM people GROUP BY segment""",
    # supply of months $first .. $last, straight from work_logs and experts
    "supply": """
        WITH firsts AS (
            SELECT expert_id, min(work_date) AS first_work_date FROM work_logs GROUP BY ALL
        ), people AS (
            SELECT e.expert_id, e.signup_date, e.approved_date, f.first_work_date
            FROM experts e LEFT JOIN firsts f USING (expert_id)
        ), worked AS (
            SELECT DISTINCT expert_id, CAST(date_trunc('month', work_date) AS DATE) AS month
            FROM work_logs WHERE work_date BETWEEN CAST($first - INTERVAL 1 MONTH AS DATE) AND last_day($last)
        ), months AS (
            SELECT CAST(unnest(generate_series($first, $last, INTERVAL 1 MONTH)) AS DATE) AS month
        )
        SELECT m.month,
               (SELECT count(*) FROM people p
                WHERE p.first_work_date BETWEEN m.month AND last_day(m.month)) AS experts_first_paid,
               (SELECT quantile_cont(p.first_work_date - p.signup_date, 0.5) FROM people p
                WHERE p.first_work_date BETWEEN m.month AND last_day(m.month)) AS days_to_first_paid_p50,
               (SELECT quantile_cont(p.approved_date - p.signup_date, 0.5) FROM people p
                WHERE p.approved_date BETWEEN m.month AND last_day(m.month)) AS days_to_approval_p50,
               (SELECT count(*) FROM worked w JOIN people p USING (expert_id)
                WHERE w.month = m.month AND p.first_work_date < CAST(m.month - INTERVAL 1 MONTH AS DATE)
                  AND w.expert_id NOT IN (SELECT expert_id FROM worked b
                                          WHERE b.month = CAST(m.month - INTERVAL 1 MONTH AS DATE))) AS experts_reactivated,
               (SELECT count(*) FROM worked w JOIN people p USING (expert_id)
                WHERE w.month = m.month AND p.approved_date <= last_day(m.month)) AS active_approved
        FROM months m""",
    "top_hours": """
        WITH hours AS (
            SELECT CAST(date_trunc('month', work_date) AS DATE) AS month, expert_id, sum(hours) AS hours
            FROM work_logs WHERE work_date BETWEEN $first AND last_day($last) GROUP BY ALL
        ), ranked AS (
            SELECT month, hours, row_number() OVER (PARTITION BY month ORDER BY hours DESC) AS r,
                   count(*) OVER (PARTITION BY month) AS n
            FROM hours
        )
        SELECT month, sum(hours) FILTER (WHERE r <= ceil(n / 10)) / sum(hours) AS top10pct_hours_share
        FROM ranked GROUP BY month""",
    # the client revenue bridge of months $first .. $last
    "bridge": """
        WITH client_months AS (
            SELECT c.client_id, CAST(date_trunc('month', w.work_date) AS DATE) AS month,
                   sum(w.hours * c.bill_rate_usd) AS billed
            FROM work_logs w JOIN contracts c USING (contract_id) GROUP BY ALL
        ), firsts AS (
            SELECT client_id, min(month) AS first_month FROM client_months GROUP BY ALL
        ), months AS (
            SELECT CAST(unnest(generate_series($first, $last, INTERVAL 1 MONTH)) AS DATE) AS month
        ), grid AS (
            SELECT m.month, f.client_id, f.first_month,
                   coalesce(cur.billed, 0) AS now, coalesce(prev.billed, 0) AS before
            FROM months m CROSS JOIN firsts f
            LEFT JOIN client_months cur ON cur.client_id = f.client_id AND cur.month = m.month
            LEFT JOIN client_months prev ON prev.client_id = f.client_id
                                        AND prev.month = CAST(m.month - INTERVAL 1 MONTH AS DATE)
        )
        SELECT month,
               count(*) FILTER (WHERE now > 0 AND first_month = month) AS clients_new,
               count(*) FILTER (WHERE now = 0 AND before > 0) AS clients_churned,
               coalesce(sum(now) FILTER (WHERE now > 0 AND first_month = month), 0) AS revenue_new_usd,
               coalesce(sum(now) FILTER (WHERE now > 0 AND before = 0 AND first_month < month), 0)
                   AS revenue_reactivated_usd,
               coalesce(sum(now - before) FILTER (WHERE before > 0 AND now > before), 0) AS revenue_expansion_usd,
               coalesce(sum(before - now) FILTER (WHERE now > 0 AND before > now), 0) AS revenue_contraction_usd,
               coalesce(sum(before) FILTER (WHERE now = 0 AND before > 0), 0) AS revenue_churned_usd
        FROM grid GROUP BY month""",
    # forward revenue at the end of months $first .. $last, whole company
    "forward": """
        WITH contract_months AS (
            SELECT contract_id, CAST(date_trunc('month', w.work_date) AS DATE) AS month,
                   sum(w.hours * c.bill_rate_usd) AS billed
            FROM work_logs w JOIN contracts c USING (contract_id) GROUP BY ALL
        ), months AS (
            SELECT CAST(unnest(generate_series($first, $last, INTERVAL 1 MONTH)) AS DATE) AS month
        ), per_contract AS (
            SELECT m.month, last_day(m.month) AS month_end, c.contract_id, c.start_date, c.end_date, c.committed_usd,
                   (SELECT coalesce(sum(cm.billed), 0) FROM contract_months cm
                    WHERE cm.contract_id = c.contract_id AND cm.month <= m.month) AS billed_to_date,
                   (SELECT coalesce(sum(cm.billed), 0) FROM contract_months cm
                    WHERE cm.contract_id = c.contract_id AND cm.month = m.month) AS billed_in_month
            FROM months m CROSS JOIN contracts c
        )
        SELECT month,
               coalesce(sum(greatest(committed_usd - billed_to_date, 0)) FILTER (
                   WHERE committed_usd IS NOT NULL AND start_date <= month_end
                     AND (end_date IS NULL OR end_date > month_end)), 0) AS committed_backlog_usd,
               count(*) FILTER (WHERE end_date BETWEEN month_end + 1 AND month_end + 90) AS contracts_ending_90d,
               12 * coalesce(sum(billed_in_month) FILTER (WHERE end_date BETWEEN month_end + 1 AND month_end + 90), 0)
                   AS arr_ending_90d_usd
        FROM per_contract GROUP BY month""",
    "segments": """
        WITH kept AS (
            SELECT CASE WHEN $by = 'country' THEN country ELSE domain END AS segment, approved_date
            FROM experts WHERE signup_date <= last_day($last)
        ), work AS (
            SELECT CASE WHEN $by = 'country' THEN e.country ELSE e.domain END AS segment,
                   count(DISTINCT w.expert_id) AS experts_active,
                   sum(w.hours) AS hours, sum(w.hours * w.pay_rate_usd) AS expert_pay_usd
            FROM work_logs w JOIN experts e USING (expert_id)
            WHERE w.work_date BETWEEN $first AND last_day($last)
            GROUP BY ALL
        )
        SELECT k.segment, count(*) AS experts_total,
               count(*) FILTER (WHERE k.approved_date <= last_day($last)) AS experts_approved,
               coalesce(any_value(w.experts_active), 0) AS experts_active,
               coalesce(any_value(w.hours), 0) AS hours,
               coalesce(any_value(w.expert_pay_usd), 0) AS expert_pay_usd,
               any_value(w.expert_pay_usd) / NULLIF(any_value(w.hours), 0) AS avg_pay_rate_usd
        FROM kept k LEFT JOIN work w USING (segment)
        GROUP BY k.segment
        ORDER BY experts_total DESC, k.segment""",
    "histogram": """
        WITH pay AS (
            SELECT expert_id, sum(hours * pay_rate_usd) AS usd
            FROM work_logs WHERE work_date BETWEEN $first AND last_day($last) GROUP BY ALL
        ), paid AS (
            SELECT expert_id, sum(amount_usd) AS usd
            FROM bonuses WHERE paid_date BETWEEN $first AND last_day($last) GROUP BY ALL
        ), earners AS (
            SELECT coalesce(pay.usd, 0) + coalesce(paid.usd, 0) AS earnings_usd
            FROM pay FULL JOIN paid USING (expert_id)
            WHERE coalesce(pay.usd, 0) + coalesce(paid.usd, 0) > 0
        ), binned AS (
            SELECT floor(log10(earnings_usd) * 4) AS bin FROM earners
        )
        SELECT power(10, bin / 4) AS earnings_from_usd, power(10, (bin + 1) / 4) AS earnings_to_usd,
               count(*) AS experts
        FROM binned GROUP BY bin ORDER BY bin""",
    "billings_by_segment": """
        SELECT CAST(date_trunc('month', w.work_date) AS DATE) AS month, cl.segment,
               sum(w.hours * c.bill_rate_usd) AS billings_usd, count(DISTINCT w.expert_id) AS experts
        FROM work_logs w JOIN contracts c USING (contract_id) JOIN clients cl USING (client_id)
        WHERE w.work_date BETWEEN $first AND last_day($last)
        GROUP BY ALL ORDER BY ALL""",
    "top_clients": """
        WITH billed AS (
            SELECT c.client_id, sum(w.hours * c.bill_rate_usd) AS billings_usd,
                   count(DISTINCT w.expert_id) AS experts
            FROM work_logs w JOIN contracts c USING (contract_id)
            WHERE w.work_date BETWEEN $first AND last_day($last)
            GROUP BY ALL
        )
        SELECT row_number() OVER (ORDER BY b.billings_usd DESC, b.client_id) AS rank,
               cl.name AS client, cl.segment, b.billings_usd,
               b.billings_usd / sum(b.billings_usd) OVER () AS share, b.experts
        FROM billed b JOIN clients cl USING (client_id)
        ORDER BY rank LIMIT $limit""",
    "retention": """
        WITH cohorts AS (
            SELECT CAST(date_trunc('month', signup_date) AS DATE) AS cohort, count(*) AS cohort_size
            FROM experts GROUP BY ALL
        ), active AS (
            SELECT CAST(date_trunc('month', e.signup_date) AS DATE) AS cohort,
                   CAST(date_trunc('month', w.work_date) AS DATE) AS month,
                   count(DISTINCT w.expert_id) AS active
            FROM work_logs w JOIN experts e USING (expert_id)
            GROUP BY ALL
        ), months AS (
            SELECT CAST(unnest(generate_series(
                       (SELECT min(cohort) FROM cohorts),
                       (SELECT CAST(date_trunc('month', max(work_date)) AS DATE) FROM work_logs),
                       INTERVAL 1 MONTH)) AS DATE) AS month
        )
        SELECT strftime(c.cohort, '%Y-%m') AS cohort,
               datediff('month', c.cohort, m.month) AS months_since,
               c.cohort_size,
               coalesce(a.active, 0) AS active,
               coalesce(a.active, 0) / c.cohort_size AS rate
        FROM cohorts c
        JOIN months m ON m.month >= c.cohort
        LEFT JOIN active a ON a.cohort = c.cohort AND a.month = m.month
        ORDER BY c.cohort, months_since""",
}


def _sql(con, name: str, **params):
    cursor = con.cursor()
    try:
        return cursor.execute(RAW_SQL[name], params).df()
    finally:
        cursor.close()


def _by_month(frame):
    import pandas as pd
    frame["month"] = pd.to_datetime(frame["month"])
    return frame.set_index("month")


def sql_parts(con, first: date, last: date) -> dict:
    import pandas as pd
    span_first = add_months(first, -12)
    span_months = pd.DatetimeIndex([pd.Timestamp(m) for m in month_range(span_first, last)])
    activity = _by_month(_sql(con, "activity", span_first=span_first, last=last)).reindex(span_months, fill_value=0)
    bonuses = _by_month(_sql(con, "bonuses", span_first=span_first, last=last))
    activity["bonuses_usd"] = bonuses["bonuses_usd"].reindex(span_months, fill_value=0)
    return {
        "activity": activity,
        "counts": _by_month(_sql(con, "counts", first=first, last=last)),
        "activation": _by_month(_sql(con, "activation", first=add_months(first, -3), last=add_months(last, -3))),
        "earnings": _by_month(_sql(con, "earnings", first=first, last=last, per_month=True)),
        "clients": _by_month(_sql(con, "clients", span_first=span_first, first=first, last=last)),
        "valuation": _by_month(_sql(con, "valuation", first=first, last=last)),
        "supply": _by_month(_sql(con, "supply", first=first, last=last)).join(
            _by_month(_sql(con, "top_hours", first=first, last=last))),
        "bridge": _by_month(_sql(con, "bridge", first=first, last=last)),
        "forward": _by_month(_sql(con, "forward", first=first, last=last)),
    }


def workloads() -> dict:
    def series(con, first, last):
        return assemble_kpis(sql_parts(con, first, last), first, last)

    def valuation(con, first, last):
        marks = _sql(con, "marks")
        months = [date(m.year, m.month, 1) for m in marks["as_of_date"]]
        return {"marks": marks, "mark_kpis": [series(con, m, m) for m in months]}

    def summary(con, first, last):
        frame = _sql(con, "earnings", first=first, last=last, per_month=False).drop(columns=["month"])
        return {"summary": frame.to_dict("records") or [summary_row([])]}

    return {
        "kpi_series_13m": lambda con, first, last: {"kpis": series(con, add_months(last, -12), last)},
        "kpi_series_12m": lambda con, first, last: {"kpis": series(con, first, last)},
        "activation_by_cohort": lambda con, first, last: {
            "activation": activation_rows(_by_month(_sql(con, "activation", first=first, last=last)), first, last,
                                          _sql(con, "last_work_date").iloc[0, 0])},
        "experts_by_domain": lambda con, first, last: {
            "segments": _sql(con, "segments", by="domain", first=first, last=last)},
        "experts_by_country": lambda con, first, last: {
            "segments": _sql(con, "segments", by="country", first=first, last=last)},
        "earnings_of_period": lambda con, first, last: summary(con, first, last) | {
            "histogram": _sql(con, "histogram", first=first, last=last)},
        "billings_by_segment": lambda con, first, last: {
            "billings_by_segment": _sql(con, "billings_by_segment", first=first, last=last)},
        "top_clients": lambda con, first, last: {
            "top_clients": _sql(con, "top_clients", first=first, last=last, limit=TOP_CLIENTS)},
        "retention": lambda con, first, last: {"retention": _sql(con, "retention")},
        "events": lambda con, first, last: {"events": _sql(con, "events")},
        "contracts_ending": lambda con, first, last: {"ending": _sql(con, "contracts_ending", last=last)},
        **{f"supply_by_{by}": (lambda by: lambda con, first, last: {
            "supply": _sql(con, "supply_segments", by=by, first=first, last=last)})(by)
           for by in ("cohort", "domain", "country")},
        "valuation": valuation,
    }
