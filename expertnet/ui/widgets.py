"""Small pieces every page uses: KPI tiles, the freshness line, the empty state."""

import pandas as pd
import streamlit as st

from expertnet.metrics.formatting import change_text, format_value, is_missing
from expertnet.metrics.units import Unit, unit_of
from expertnet.metrics.kpis import KPIS_BY_KEY
from expertnet.metrics.privacy import MIN_EXPERTS, WITHHELD_TEXT
from expertnet.ui.context import ViewContext
from expertnet.ui.text import md


# Tiles whose words are never cut: a label wraps onto a second line instead of ending in "…",
# and a value shrinks with the tile's width (values are short already: $500M, 32.5 h).
TILE_STYLE = """<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricValue"] { font-size: clamp(1.2rem, 1.1rem + 1vw, 2.1rem) !important; }
</style>"""


def page_style() -> None:
    st.html(TILE_STYLE)


DELTA_COLOR = {True: "normal", False: "inverse", None: "off"}     # by Kpi.higher_is_better


def kpi_tile(column, key: str, current: dict, previous: dict | None, withheld: bool,
             trend: list | None = None, filtered: bool = False, year_ago: dict | None = None,
             target: dict | None = None) -> None:
    """One KPI with its change against the previous month (and against the same month a year
    earlier and its target, where known), a small trend of the months before, and what it means
    on hover (the formula is on the Definitions page)."""
    kpi = KPIS_BY_KEY[key]
    value = current.get(key)
    before = previous.get(key) if previous else None
    label = kpi.label_in_view(filtered)
    help_text = f"{kpi.about} (Definitions: `{kpi.key}`)"
    if target is not None:
        help_text += (f"  \nTarget {format_value(target['target'], kpi.unit)}; actual "
                      f"{format_value(target['actual'], kpi.unit)}")
    withheld = withheld and kpi.can_be_withheld
    if withheld and is_missing(value):
        withheld_tile(column, label, help_text)
        return
    # the month before first (it sets the colour), then the year before and the plan
    parts = [(change_text(kpi.unit, value, before), "m/m"),
             (change_text(kpi.unit, value, year_ago.get(key)) if year_ago else None, "y/y"),
             (f"{target['variance'] * 100:+.1f}%" if target and target["variance"] is not None else None, "vs plan")]
    delta = " · ".join(f"{change} {what}" for change, what in parts if change) or None
    column.metric(label, format_value(None if is_missing(value) else value, kpi.unit, withheld),
                  delta=delta, delta_color=DELTA_COLOR[kpi.higher_is_better],
                  help=help_text, border=True,
                  chart_data=[v for v in (trend or []) if not is_missing(v)] or None, chart_type="line")


def withheld_tile(column, label: str, help_text: str | None) -> None:
    """A tile whose figure is withheld: the words are the point, and a metric tile would clip them."""
    with column.container(border=True, height="stretch"):
        st.markdown(label, help=help_text)
        st.markdown(f"*{WITHHELD_TEXT}*")


def kpi_row(context: ViewContext, keys: list[str], series: pd.DataFrame, targets: dict | None = None) -> None:
    """A row of KPI tiles for the last month of `series`, each with the months before as its trend,
    against the same month a year earlier where the series reaches back that far, and against
    its target (targets: metric -> plan row)."""
    current, previous = series.iloc[-1].to_dict(), series.iloc[-2].to_dict() if len(series) > 1 else None
    year_ago = series.iloc[-13].to_dict() if len(series) >= 13 else None
    for column, key in zip(st.columns(len(keys)), keys):
        kpi_tile(column, key, current, previous, context.viewer.is_investor, series[key].tolist(),
                 filtered=not context.filters.is_empty(), year_ago=year_ago, target=(targets or {}).get(key))


def header(context: ViewContext, title: str, subtitle: str) -> None:
    st.title(title)
    info = context.snapshot.info
    last_work = info.last_work_date.isoformat() if info.last_work_date else "no work logged"
    st.caption(f"{subtitle} · {context.period_label} · {md(context.filters.describe())} · "
               f"data to {last_work}, loaded {info.loaded_at:%Y-%m-%d %H:%M} UTC")


def empty_state(message: str = "No data for these filters and this period.") -> None:
    st.info(f"{message} Widen the period or clear a filter in the sidebar.", icon=":material/filter_alt_off:")


def withheld_note(context: ViewContext) -> None:
    if context.viewer.is_investor:
        st.caption(f"Figures drawn from fewer than {MIN_EXPERTS} experts are withheld and shown as “{WITHHELD_TEXT}”.")


def period_series(context: ViewContext) -> pd.DataFrame:
    """Every KPI for each month of the period, with `month` as a date for charts."""
    series = context.fetch("kpi_series_12m")
    series["month"] = pd.to_datetime(series["month"])
    return series


def withheld_info(what: str) -> None:
    """Why an investor sees no figures here: they rest on too few experts."""
    st.info(f"The {what} of this period rest on fewer than {MIN_EXPERTS} experts, so they are withheld.",
            icon=":material/lock:")


def nothing_to_show(context: ViewContext, values: pd.Series, what: str) -> bool:
    """Say why a page has nothing to draw, and whether it has: no such figures at all, or
    (for an investor) figures that exist but rest on fewer than MIN_EXPERTS experts."""
    if context.viewer.is_investor and len(values) and values.isna().all():
        withheld_info(what)
        return True
    if not values.fillna(0).any():
        empty_state(f"No {what} in this period for these filters.")
        return True
    return False


def figures_table(context: ViewContext, frame: pd.DataFrame, units: dict[str, Unit], labels: dict[str, str]) -> None:
    """A table of figures, each column written by its unit (formatting.format_value), so a
    withheld figure reads "fewer than 11 experts" for an investor, never a blank or None."""
    if not context.viewer.is_investor:   # numbers stay numbers, so the grid sorts them
        st.dataframe(frame, hide_index=True, width="stretch", height="content", column_config={
            c: st.column_config.NumberColumn(labels.get(c, c), format=unit_of(units[c]).column_format) if c in units
            else labels.get(c, c) for c in frame.columns})
        return
    shown = pd.DataFrame({labels.get(c, c): [format_value(None if is_missing(v) else v, units[c], True)
                                             if c in units else ("" if is_missing(v) else str(v)) for v in frame[c]]
                          for c in frame.columns})
    st.dataframe(shown, hide_index=True, width="stretch", height="content")

