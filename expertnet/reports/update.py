"""The monthly update of one month, for the founders or for one share link's investor: the
headline KPIs with their changes, plan against actual, four charts, the alerts, the founder's
note and the data's freshness. Every figure comes from the metric layer's functions with the
audience's role and filters, so a link's update withholds exactly what that link's pages
withhold (the rules live there, once). pdf.py draws it; digest.py mails it."""

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from expertnet.access import roles, share_links
from expertnet.errors import BadInput
from expertnet.metrics import breakdowns, kpis, units
from expertnet.metrics.filters import Filters, add_months, month_label
from expertnet.metrics.formatting import change_text, format_value
from expertnet.reports import alerts as alert_rules
from expertnet.warehouse import snapshot_info

CHART_WIDTH_PX = 420
CHART_HEIGHT_PX = 220


@dataclass(frozen=True)
class Audience:
    """Who an update is for, and so what it may show."""
    name: str
    role: str
    filters: Filters
    show_client_names: bool
    link_id: str | None = None

    @property
    def is_investor(self) -> bool:
        return self.role == roles.INVESTOR


FOUNDERS = Audience("the founders", roles.FOUNDER, Filters(), True)


def audience_of(link_id: str | None) -> Audience:
    """The founders, or the investor of a share link that is valid now (BadInput otherwise)."""
    if link_id is None:
        return FOUNDERS
    if not str(link_id).strip():       # an unset $LINK in a cron line must not mail the founders' figures
        raise BadInput("the share link is empty: give a link's id, or leave --link out for the founders' update")
    link = share_links.get_link(link_id)
    if link is None:
        raise BadInput(f"there is no share link {str(link_id)[:40]!r} (see `python -m expertnet share list`)")
    if link.state() != "valid":
        raise BadInput(f"share link {link.id} is {link.state()}: its investor sees nothing, so no update is made")
    return Audience(link.to_name, roles.INVESTOR, link.filters(), link.show_client_names, link.id)


@dataclass
class Row:
    label: str
    value: str
    vs_month_before: str
    vs_year_before: str
    plan: str = ""


@dataclass
class Update:
    month: date
    audience: Audience
    rows: list[Row]
    plan: list[dict]
    alerts: list                          # alerts.Fired, for the founders only
    charts: list[tuple[str, bytes | None, str]]   # title, PNG (None when withheld or empty), caption
    freshness: str
    note: str = ""
    withheld_any: bool = field(default=False)

    @property
    def title(self) -> str:
        return f"Monthly update: {month_label(self.month)}"


def _headline(series: pd.DataFrame, audience: Audience, plan: list[dict]) -> tuple[list[Row], bool]:
    now, before = series.iloc[-1], series.iloc[-2]
    year_ago = series.iloc[0] if len(series) == 13 else None
    targets = {row["metric"]: row for row in plan}
    rows, withheld_any = [], False
    for key in (key for keys in kpis.HEADLINE_ROWS for key in keys):
        kpi = kpis.KPIS_BY_KEY[key]
        withheld = audience.is_investor and kpi.can_be_withheld
        value = now[key]
        withheld_any |= withheld and pd.isna(value)
        target = targets.get(key)
        rows.append(Row(kpi.label_in_view(not audience.filters.is_empty()),
                        format_value(None if pd.isna(value) else value, kpi.unit, withheld),
                        change_text(kpi.unit, value, before[key]) or "",
                        (change_text(kpi.unit, value, year_ago[key]) or "") if year_ago is not None else "",
                        f"{format_value(target['target'], kpi.unit)} ({target['variance'] * 100:+.1f}%)"
                        if target and target["variance"] is not None else
                        format_value(target["target"], kpi.unit) if target else ""))
    return rows, withheld_any


def _charts(con, month: date, series: pd.DataFrame, audience: Audience) -> list[tuple[str, bytes | None, str]]:
    from expertnet.ui import charts      # the pages' own chart builders, drawn to PNG by vl-convert
    with charts.drawn_for(audience.is_investor):    # withheld months marked as the pages mark them
        return _drawn(charts, con, month, series, audience)


def _drawn(charts, con, month: date, series: pd.DataFrame, audience: Audience) -> list[tuple[str, bytes | None, str]]:
    role, filters = audience.role, audience.filters
    first = add_months(month, -12)
    months = series.assign(month=pd.to_datetime(series["month"]))
    size = dict(width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX)

    def drawn(chart) -> bytes:
        return charts.png(chart.properties(**size))

    out = [("ARR", drawn(charts.line(months, {"arr_usd": "ARR"}, units.USD, "ARR (USD)",
                                     events=breakdowns.events(con, role))),
            "Annualised revenue run-rate (12 x the month's billings); lines mark funding rounds and events."),
           ("Network growth", drawn(charts.line(months, {"experts_total": "Signed up", "experts_active": "Active"},
                                                units.EXPERTS, "Experts", separate_scales=True)),
            "Experts signed up to date and active in the month.")]
    histogram = breakdowns.earnings_of_period(con, month, month, filters, role)["histogram"]
    histogram = histogram[histogram["experts"].notna()]
    out.append(("Earnings distribution", drawn(charts.earnings_histogram(histogram)) if len(histogram) else None,
                f"Experts by their earnings in {month_label(month)}." if len(histogram)
                else "Withheld or empty: fewer than 11 experts earned in the month."))
    segments = breakdowns.billings_by_segment(con, first, month, filters, role)
    segments["month"] = pd.to_datetime(segments["month"])
    shown = segments["billings_usd"].notna().any()
    out.append(("Billings by client segment",
                drawn(charts.bars(segments, "month", "billings_usd", units.USD, "Billings (USD)", x_type="T",
                                  color="segment")) if shown else None,
                "Billings per month by the segment of the client." if shown
                else "Withheld or empty: the segments' billings rest on fewer than 11 experts." if len(segments)
                else "No billings."))
    return out


def build(con, month: date, audience: Audience = FOUNDERS, note: str = "",
          rules: tuple | None = None) -> Update:
    """The update of `month` for `audience`: every figure through the metric functions."""
    series = kpis.kpi_series(con, add_months(month, -12), month, audience.filters, audience.role)
    if series["experts_total"].fillna(0).iloc[-1] == 0 and series["billings_usd"].fillna(0).iloc[-1] == 0 \
            and not audience.is_investor:
        raise BadInput(f"the warehouse has no experts or work in {month_label(month)}")
    # targets and alerts describe the whole company and carry no investor flag: founders only
    plan = [] if audience.is_investor else kpis.plan(con, month)
    # the founders' series is the whole company's, which the rules are checked on
    fired = [] if audience.is_investor else alert_rules.holding(
        alert_rules.read_rules() if rules is None else rules, series, plan)
    rows, withheld_any = _headline(series, audience, plan)
    info = snapshot_info(con)
    freshness = (f"Data to {info.last_work_date or 'no work logged'}, loaded {info.loaded_at:%Y-%m-%d %H:%M} UTC "
                 f"(snapshot {info.snapshot_id[:8]})")
    return Update(month, audience, rows, plan, fired, _charts(con, month, series, audience), freshness,
                  note.strip(), withheld_any)
