"""Altair charts with one look across pages, each with the data behind it for download.

Charts are drawn from aggregates only (a few hundred rows at most): DuckDB does the
grouping, never the browser.
"""

import contextvars
import hashlib
import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Callable

import altair as alt
import pandas as pd
import pyarrow as pa
import streamlit as st

from expertnet.metrics.privacy import WITHHELD_TEXT
from expertnet.metrics.spreadsheet import safe_frame
from expertnet.metrics.units import EXPERTS, SHARE, USD, Unit, unit_of

PALETTE = ["#2F5D8A", "#E07A3F", "#3C9D6B", "#B8497C", "#7A6BB5", "#C9A227", "#5AA9C9", "#8C8C8C"]
MUTED = "#B9BEC4"          # what is not final yet (a cohort still inside its 90 days)
HEIGHT = 280
BAR_ROW_PX = 24            # a horizontal bar's height, so every bar keeps its label
# Specs inline their data (show); the charts hold aggregates, so Altair's 5,000-row guard has
# nothing to guard. Set once for the process: enabling a transformer per chart would race threads.
alt.data_transformers.disable_max_rows()


def value_axis(unit: Unit, title: str | None) -> alt.Axis:
    """The axis of a measure in its unit: whole-number ticks for counts (no 0, 1, 1, 2), SI
    money with B for billions (d3 writes G)."""
    unit = unit_of(unit)
    extra = {"tickMinStep": 1} if unit.integer else {}
    if unit is USD:     # and a plain $0 (d3's SI prefix writes $0k beside $200k)
        extra["labelExpr"] = "datum.value == 0 ? '$0' : replace(datum.label, 'G', 'B')"
    return alt.Axis(format=unit.axis_format, title=title, **extra)


def _month_axis(months: int = 12, field: str = "month") -> alt.X:
    # ticks on whole months, at most about a dozen: over a few months Vega would add ticks between
    # them, each labelled with the same month
    step = max(1, -(-int(months) // 12))
    return alt.X(f"{field}:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap=True,
                                                         tickCount={"interval": "month", "step": step}))


def with_events(chart: alt.Chart, events: pd.DataFrame | None, months: pd.Series) -> alt.Chart:
    """A time chart with its events marked: a thin rule at each event inside the chart's months,
    its title in the tooltip (funding rounds, and the events file's rows)."""
    if events is None or events.empty or months.empty:
        return chart
    dates = pd.to_datetime(events["event_date"])
    inside = events[(dates >= months.min()) & (dates <= months.max() + pd.offsets.MonthEnd(0))]
    if inside.empty:
        return chart
    rules = alt.Chart(inside.assign(event_date=pd.to_datetime(inside["event_date"]))).mark_rule(
        color="#8C8C8C", strokeDash=[2, 3], strokeWidth=1.2).encode(
        x="event_date:T", tooltip=[alt.Tooltip("event_date:T", title="Date", format="%Y-%m-%d"),
                                   alt.Tooltip("title:N", title="Event"), alt.Tooltip("kind:N", title="Kind")])
    return alt.layer(chart, rules)


def with_targets(chart: alt.Chart, targets: pd.DataFrame | None, months: pd.Series) -> alt.Chart:
    """A time chart with the plan drawn on it: a short dashed tick at each month's target
    (targets: month, series, target_value), inside the chart's months."""
    if targets is None or targets.empty or months.empty:
        return chart
    inside = targets.assign(month=pd.to_datetime(targets["month"]))
    inside = inside[(inside["month"] >= months.min()) & (inside["month"] <= months.max())]
    if inside.empty:
        return chart
    ticks = alt.Chart(inside).mark_tick(color="#C9A227", thickness=2, size=18, strokeDash=[3, 2]).encode(
        x="month:T", y="target_value:Q",
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"), alt.Tooltip("series:N", title="Target of"),
                 alt.Tooltip("target_value:Q", title="Target", format=",.2f")])
    return alt.layer(chart, ticks)


def line(frame: pd.DataFrame, series: dict[str, str], unit: Unit, y_title: str,
         separate_scales: bool = False, events: pd.DataFrame | None = None,
         targets: pd.DataFrame | None = None) -> alt.Chart:
    """One line per column of `series` ({column: label}) over months; `events` marked as rules and
    the plan's `targets` of those columns (metric, month, target_value) as ticks, where given. With
    `separate_scales` (two series whose sizes differ by orders of magnitude, where on one axis the
    smaller would lie flat at zero), each line gets an axis of its own, left and right, in its colour."""
    long = frame.melt(id_vars=["month"], value_vars=list(series), var_name="key", value_name="value")
    long["series"] = long["key"].map(series)
    tooltip = [alt.Tooltip("month:T", title="Month", format="%B %Y"), alt.Tooltip("series:N", title="Series"),
               alt.Tooltip("value:Q", title=y_title, format=unit_of(unit).tooltip_format)]
    colour = alt.Color("series:N", title=None, scale=alt.Scale(domain=list(series.values()), range=PALETTE),
                       legend=alt.Legend(orient="top") if len(series) > 1 else None)
    if not separate_scales:
        chart = alt.Chart(long).mark_line(point=alt.OverlayMarkDef(size=28)).encode(
            x=_month_axis(frame["month"].nunique()), y=alt.Y("value:Q", axis=value_axis(unit, y_title)), color=colour, tooltip=tooltip)
        chart = with_events(_with_withheld_marks(chart, long, "month", "series", alt.X("month:T")), events,
                            frame["month"])
        if targets is not None and not targets.empty:
            planned = targets[targets["metric"].isin(list(series))]
            chart = with_targets(chart, planned.assign(series=planned["metric"].map(series)), frame["month"])
        return chart.properties(height=HEIGHT)
    assert len(series) == 2, "two series, one axis on each side"
    sides = []
    for n, (label, orient) in enumerate(zip(series.values(), ("left", "right"))):
        axis = value_axis(unit, label)
        axis["orient"], axis["titleColor"] = orient, PALETTE[n]
        sides.append(alt.Chart(long[long["series"] == label]).mark_line(point=alt.OverlayMarkDef(size=28)).encode(
            x=_month_axis(frame["month"].nunique()), y=alt.Y("value:Q", axis=axis), color=colour, tooltip=tooltip))
    chart = alt.layer(*sides).resolve_scale(y="independent")
    return _with_withheld_marks(chart, long, "month", "series", alt.X("month:T")).properties(height=HEIGHT)


_INVESTOR = contextvars.ContextVar("charts_for_investor", default=None)


@contextmanager
def drawn_for(investor: bool):
    """Charts built inside are for an investor (or not) whoever runs the code: a report made
    outside a page (reports/update.py) says so, since it has no viewer of its own."""
    token = _INVESTOR.set(investor)
    try:
        yield
    finally:
        _INVESTOR.reset(token)


def _for_investor() -> bool:
    chosen = _INVESTOR.get()
    if chosen is not None:
        return chosen
    from expertnet.ui.context import current
    return current().viewer.is_investor


def _with_withheld_marks(chart: alt.Chart, data: pd.DataFrame, x: str, label: str | None,
                         month_x: alt.X | None = None) -> alt.Chart:
    """For an investor, a withheld value is a visibly marked gap, not a silently missing point or
    bar (METRICS.md): a dashed grey rule at its month, or a grey label at its bar, whose tooltip
    says why. (For the others a missing value is a null, drawn as a gap in the line.)"""
    missing = data[data["value"].isna()] if "value" in data else data.iloc[:0]
    if missing.empty or not _for_investor():
        return chart
    missing = missing.assign(why=WITHHELD_TEXT).drop(columns=["value"])
    tooltip = [alt.Tooltip("why:N", title="Withheld")]
    if label:
        tooltip.insert(0, alt.Tooltip(f"{label}:N", title=" "))
    if x == "month":
        marks = alt.Chart(missing).mark_rule(strokeDash=[4, 4], color="#9AA0A6", strokeWidth=1.5).encode(
            x=month_x, tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y")] + tooltip)
    else:
        marks = alt.Chart(missing).mark_text(align="left", dx=4, color="#6B7075", fontStyle="italic").encode(
            y=alt.Y(f"{x}:N"), x=alt.datum(0), text="why:N", tooltip=tooltip)
    return alt.layer(chart, marks)


def bars(frame: pd.DataFrame, x: str, y: str, unit: Unit, y_title: str, x_title: str | None = None,
         color: str | None = None, horizontal: bool = False, x_type: str = "N", sort=None,
         colors: dict[str, str] | None = None) -> alt.Chart:
    """Bars of `y` by `x`; with `color`, coloured by that column (`colors`: category -> colour)."""
    # Months as ordinal bands, so a bar is as wide as its month.
    x_enc = (alt.X(f"yearmonth({x}):O", title=None, axis=alt.Axis(labelAngle=-45, format="%b %Y"))
             if x_type == "T" else
             alt.X(f"{x}:{x_type}", title=x_title, sort=sort,
                   axis=alt.Axis(labelAngle=-45, labelLimit=140, labelOverlap=False)))
    y_enc = alt.Y(f"{y}:Q", axis=value_axis(unit, y_title))
    tooltip = [alt.Tooltip(f"{x}:{x_type}", title=x_title or "Month", **({"format": "%B %Y"} if x_type == "T" else {})),
               alt.Tooltip(f"{y}:Q", title=y_title, format=unit_of(unit).tooltip_format)]
    encoding = {"x": x_enc, "y": y_enc, "tooltip": tooltip}
    if horizontal:
        # every bar its own row, tall enough for its label (Vega drops labels that overlap)
        encoding["x"], encoding["y"] = (alt.X(f"{y}:Q", axis=value_axis(unit, y_title)),
                                        alt.Y(f"{x}:N", title=x_title, sort="-x",
                                              axis=alt.Axis(labelLimit=180, labelOverlap=False)))
    if color:
        scale = (alt.Scale(domain=list(colors), range=list(colors.values())) if colors
                 else alt.Scale(range=PALETTE))
        encoding["color"] = alt.Color(f"{color}:N", title=None, scale=scale, legend=alt.Legend(orient="top"))
        encoding["tooltip"] = [alt.Tooltip(f"{color}:N", title=color.replace("_", " ").capitalize())] + tooltip
    else:
        encoding["color"] = alt.value(PALETTE[0])
    chart = alt.Chart(frame).mark_bar().encode(**encoding)
    height = max(HEIGHT, BAR_ROW_PX * frame[x].nunique()) if horizontal else HEIGHT
    marked = frame[[x, y] + ([color] if color else [])].rename(columns={y: "value"})
    if x_type == "T":
        marked = marked.rename(columns={x: "month"})
    elif not horizontal:
        return chart.properties(height=height)
    return _with_withheld_marks(chart, marked, "month" if x_type == "T" else x, color,
                                alt.X("yearmonth(month):O")).properties(height=height)


def waterfall_steps(start_label: str, start: float, moves: list[tuple[str, float]], end_label: str,
                    end: float) -> pd.DataFrame | None:
    """The bars of a waterfall: a start total, each move from where the last one ended, the end
    total; None where a figure is withheld (a bridge is shown whole or not at all)."""
    values = [start, end, *(v for _, v in moves)]
    if any(v is None or pd.isna(v) for v in values):
        return None
    rows, level = [{"step": start_label, "low_usd": 0.0, "high_usd": start, "kind": "total", "value_usd": start}], start
    for label, move in moves:
        rows.append({"step": label, "low_usd": min(level, level + move), "high_usd": max(level, level + move),
                     "kind": "up" if move >= 0 else "down", "value_usd": move})
        level += move
    rows.append({"step": end_label, "low_usd": 0.0, "high_usd": end, "kind": "total", "value_usd": end})
    return pd.DataFrame(rows)


def waterfall(steps: pd.DataFrame, unit: Unit, value_title: str) -> alt.Chart:
    order = list(steps["step"])
    return alt.Chart(steps).mark_bar().encode(
        x=alt.X("step:N", sort=order, title=None, axis=alt.Axis(labelAngle=-35, labelOverlap=False, labelLimit=140)),
        y=alt.Y("low_usd:Q", axis=value_axis(unit, value_title)), y2="high_usd:Q",
        color=alt.Color("kind:N", legend=None, scale=alt.Scale(domain=["total", "up", "down"],
                                                               range=[PALETTE[0], "#3C9D6B", "#C0504D"])),
        tooltip=[alt.Tooltip("step:N", title=" "), alt.Tooltip("value_usd:Q", title=value_title,
                                                                format=unit.tooltip_format)],
    ).properties(height=HEIGHT)


def projection(frame: pd.DataFrame, unit: Unit, value_title: str) -> alt.Chart:
    """Actual values as a line, a projection as a dashed line in its interval band, and a
    backtest (last year's projection of the months since) as a dotted line."""
    data = frame.assign(month=pd.to_datetime(frame["month"]))
    colour = alt.Color("kind:N", title=None, scale=alt.Scale(domain=["actual", "projection", "backtest"],
                                                             range=[PALETTE[0], PALETTE[1], "#8C8C8C"]),
                       legend=alt.Legend(orient="top"))
    tooltip = [alt.Tooltip("month:T", title="Month", format="%B %Y"), alt.Tooltip("kind:N", title=" "),
               alt.Tooltip("arr_usd:Q", title=value_title, format=unit.tooltip_format),
               alt.Tooltip("low_usd:Q", title="Low", format=unit.tooltip_format),
               alt.Tooltip("high_usd:Q", title="High", format=unit.tooltip_format)]
    band = alt.Chart(data[data["kind"] == "projection"]).mark_area(opacity=0.18, color=PALETTE[1]).encode(
        x=_month_axis(data["month"].nunique()), y=alt.Y("low_usd:Q", axis=value_axis(unit, value_title)), y2="high_usd:Q")
    lines = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=20)).encode(
        x=_month_axis(data["month"].nunique()), y=alt.Y("arr_usd:Q", axis=value_axis(unit, value_title)), color=colour,
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=["actual", "projection", "backtest"],
                                                            range=[[1, 0], [6, 4], [2, 2]]), legend=None),
        tooltip=tooltip)
    return alt.layer(band, lines).properties(height=HEIGHT)


def grouped_bars(frame: pd.DataFrame, row: str, group: str, unit: Unit, value_title: str,
                 order: list[str]) -> alt.Chart:
    """Horizontal bars of `value` for each `row`, one bar per `group` in `order` side by side
    (a funnel per cohort): every row keeps its label, a withheld value is marked in words."""
    rows = frame[row].nunique()
    chart = alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{row}:N", title=None, sort=None, axis=alt.Axis(labelOverlap=False, labelLimit=220)),
        yOffset=alt.YOffset(f"{group}:N", sort=order),
        x=alt.X("value:Q", axis=value_axis(unit, value_title)),
        color=alt.Color(f"{group}:N", title=None, sort=order, scale=alt.Scale(domain=order, range=PALETTE),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip(f"{row}:N", title=" "), alt.Tooltip(f"{group}:N", title=" "),
                 alt.Tooltip("value:Q", title=value_title, format=unit.tooltip_format)])
    height = max(HEIGHT, rows * len(order) * BAR_ROW_PX // 2)
    return _with_withheld_marks(chart, frame, row, group).properties(height=height)


def earnings_histogram(histogram: pd.DataFrame) -> alt.Chart:
    """Experts by their earnings in the period (breakdowns.earnings_of_period), on a log scale."""
    return alt.Chart(histogram).mark_bar(color=PALETTE[0]).encode(
        x=alt.X("earnings_from_usd:Q", scale=alt.Scale(type="log"),
                axis=value_axis(USD, "Earnings in the period (USD, log scale)")),
        x2="earnings_to_usd:Q",
        y=alt.Y("experts:Q", axis=value_axis(EXPERTS, "Experts")),
        y2=alt.datum(0),
        tooltip=[alt.Tooltip("earnings_from_usd:Q", title="From", format=USD.tooltip_format),
                 alt.Tooltip("earnings_to_usd:Q", title="To", format=USD.tooltip_format),
                 alt.Tooltip("experts:Q", title="Experts", format=EXPERTS.tooltip_format)],
    ).properties(height=HEIGHT)


def heatmap(frame: pd.DataFrame, x: str, y: str, value: str, x_title: str, y_title: str, value_title: str,
            counts: dict[str, tuple[str, Unit]]) -> alt.Chart:
    """A share per (x, y) cell (a cohort's retention), with the counts behind it in the tooltip:
    counts maps a column to its title and unit."""
    base = alt.Chart(frame).encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:O", title=y_title, axis=alt.Axis(labelOverlap=False)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(scheme="blues"),
                        legend=alt.Legend(format=SHARE.axis_format)),
        tooltip=[alt.Tooltip(f"{y}:O", title=y_title), alt.Tooltip(f"{x}:O", title=x_title),
                 alt.Tooltip(f"{value}:Q", title=value_title, format=SHARE.tooltip_format),
                 *(alt.Tooltip(f"{column}:Q", title=title, format=unit.tooltip_format)
                   for column, (title, unit) in counts.items())],
    )
    return cells.properties(height=max(HEIGHT, BAR_ROW_PX * frame[y].nunique()))   # a row per label


def show(chart: "alt.Chart | Callable[[], alt.Chart]", data: pd.DataFrame, name: str, key: str,
         filtered: bool = True) -> None:
    """Draw a chart with CSV and PNG downloads of exactly what it shows, named after it, the
    filters (where they apply) and the period.

    `chart` may be the function that builds it: a chart is a function of its data and the view
    (snapshot, period, filters, role), so its Vega-Lite spec and CSV are made once for them and
    kept (_drawn), and a page run that finds them builds nothing (issue 15: building and
    validating the spec and converting its data were a fifth of a cached run)."""
    from expertnet.ui.context import current
    context = current()
    drawn_key = (context.snapshot.info.snapshot_id, context.view, name, key, filtered, _fingerprint(data))
    make = chart if callable(chart) else (lambda: chart)
    found = _drawn.get(drawn_key)
    if found is None:
        found = _drawn.put(drawn_key, _spec_and_csv(make(), data))
    spec, csv = found
    # Streamlit moves the Arrow datasets out of the spec it is given: hand it a copy of the top level
    st.vega_lite_chart({**spec, "datasets": dict(spec["datasets"])}, width="stretch")
    buttons = st.container(horizontal=True, gap="small")
    buttons.download_button("CSV", csv, context.file_name(name, "csv", filtered=filtered), "text/csv",
                            key=f"{key}-csv", icon=":material/download:", on_click="ignore")
    buttons.download_button("PNG", still_allowed(lambda: png(make())), context.file_name(name, "png", filtered=filtered),
                            "image/png",
                            key=f"{key}-png", icon=":material/image:", on_click="ignore")


class _Drawn:
    """The charts this process drew last: (spec, CSV) by what defines them, at most `kept_bytes`
    of datasets and CSV in all (the least recently drawn go first; so do old snapshots' charts)."""

    def __init__(self, kept_bytes: int):
        self._kept_bytes = kept_bytes
        self._bytes = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key, value):
        with self._lock:
            if key not in self._entries:
                self._entries[key] = value
                self._bytes += _size(value)
            while self._bytes > self._kept_bytes and len(self._entries) > 1:
                self._bytes -= _size(self._entries.popitem(last=False)[1])
        return value


def _size(value: tuple[dict, str]) -> int:
    spec, csv = value
    return sum(len(data) for data in spec["datasets"].values()) + len(csv)


DRAWN_KEPT_BYTES = 64 * 1024 * 1024     # thousands of charts: a chart holds aggregates, a few KB
_drawn = _Drawn(DRAWN_KEPT_BYTES)


def _fingerprint(data: pd.DataFrame) -> tuple:
    """What tells one frame's content from another's, cheaply (a chart's data is small)."""
    try:
        digest = hashlib.sha1(pd.util.hash_pandas_object(data, index=True).to_numpy().tobytes()).hexdigest()
    except TypeError:       # a cell pandas cannot hash (a list): its text will do
        digest = hashlib.sha1(data.to_csv().encode()).hexdigest()
    return tuple(data.columns), tuple(map(str, data.dtypes)), digest


def _spec_and_csv(chart: alt.Chart, data: pd.DataFrame) -> tuple[dict, str]:
    """The chart's Vega-Lite spec, validated once, with each dataset as Arrow IPC bytes (what
    Streamlit hands the browser, and passes on as they are), and the CSV download."""
    spec = chart.to_dict()
    spec["datasets"] = {name: _arrow_bytes(values) for name, values in spec.get("datasets", {}).items()}
    return spec, csv_text(data)


def _arrow_bytes(values: list[dict]) -> bytes:
    table = pa.Table.from_pylist(values)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def png(chart: alt.Chart) -> bytes:
    import vl_convert
    return vl_convert.vegalite_to_png(chart.to_json(), scale=2)


def csv_text(data: pd.DataFrame) -> str:
    """A download of `data`: for an investor, a withheld figure says so in words, never an empty
    cell (METRICS.md); for the others an empty cell is a null."""
    from expertnet.ui.context import current
    data = rounded(data.copy())
    for column in data.columns:     # the charts' months are dates; a month reads as YYYY-MM
        if pd.api.types.is_datetime64_any_dtype(data[column]):
            data[column] = data[column].dt.strftime("%Y-%m")
    if current().viewer.is_investor:
        data = data.astype(object).where(data.notna(), WITHHELD_TEXT)
    return safe_frame(data).to_csv(index=False)


def rounded(data: pd.DataFrame) -> pd.DataFrame:
    """Figures as a person reads them, not as floating point sums them (53041.274999999994):
    money (`*_usd`) and hours to cents, other fractions (shares, rates, ratios) to 4 significant
    digits. Whole numbers stay as they are."""
    for column in data.columns:
        values = data[column]
        if not pd.api.types.is_float_dtype(values):
            continue
        if column.endswith("_usd") or "hours" in column:
            data[column] = values.round(2)
        else:
            data[column] = values.map(lambda v: float(f"{v:.4g}") if pd.notna(v) else v)
    return data


def still_allowed(make):
    """A download made when it is clicked (not when the page ran): an investor's link is checked
    again then, so a link revoked since the page was drawn yields nothing."""
    from expertnet.ui.context import current
    viewer = current().viewer
    if not viewer.is_investor:
        return make

    def made() -> bytes:
        from expertnet.access.share_links import get_link
        link = get_link(viewer.link.id)
        return make() if link is not None and link.state() == "valid" else b""
    return made
