"""Altair charts with one look across pages, each with the data behind it for download.

Charts are drawn from aggregates only (a few hundred rows at most): DuckDB does the
grouping, never the browser.
"""

import altair as alt
import pandas as pd
import streamlit as st

PALETTE = ["#2F5D8A", "#E07A3F", "#3C9D6B", "#B8497C", "#7A6BB5", "#C9A227", "#5AA9C9", "#8C8C8C"]
HEIGHT = 280
# Vega-Lite number formats by unit (d3-format)
AXIS_FORMAT = {"usd": "$,.3~s", "share": ".1~%", "experts": ",.0f", "hours": ",.0f", "usd/hour": "$,.0f",
               "x": ",.1f", "index": ",.0f", "clients": ",.0f", "hours/expert": ",.1f"}
TOOLTIP_FORMAT = {"usd": "$,.0f", "share": ".1%", "experts": ",.0f", "hours": ",.1f", "usd/hour": "$,.2f",
                  "x": ",.1f", "index": ",.0f", "clients": ",.0f", "hours/expert": ",.1f"}


def _month_axis(field: str = "month") -> alt.X:
    return alt.X(f"{field}:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap=True))


def line(frame: pd.DataFrame, series: dict[str, str], unit: str, y_title: str) -> alt.Chart:
    """One line per column of `series` ({column: label}) over months."""
    long = frame.melt(id_vars=["month"], value_vars=list(series), var_name="key", value_name="value")
    long["series"] = long["key"].map(series)
    return alt.Chart(long).mark_line(point=alt.OverlayMarkDef(size=28)).encode(
        x=_month_axis(),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=AXIS_FORMAT[unit])),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=PALETTE),
                        legend=alt.Legend(orient="top") if len(series) > 1 else None),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("value:Q", title=y_title, format=TOOLTIP_FORMAT[unit])],
    ).properties(height=HEIGHT)


def bars(frame: pd.DataFrame, x: str, y: str, unit: str, y_title: str, x_title: str | None = None,
         color: str | None = None, horizontal: bool = False, x_type: str = "N", sort=None) -> alt.Chart:
    # Months as ordinal bands, so a bar is as wide as its month.
    x_enc = (alt.X(f"yearmonth({x}):O", title=None, axis=alt.Axis(labelAngle=-45, format="%b %Y"))
             if x_type == "T" else
             alt.X(f"{x}:{x_type}", title=x_title, sort=sort, axis=alt.Axis(labelAngle=0, labelLimit=140)))
    y_enc = alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=AXIS_FORMAT[unit]))
    tooltip = [alt.Tooltip(f"{x}:{x_type}", title=x_title or "Month", **({"format": "%B %Y"} if x_type == "T" else {})),
               alt.Tooltip(f"{y}:Q", title=y_title, format=TOOLTIP_FORMAT[unit])]
    encoding = {"x": x_enc, "y": y_enc, "tooltip": tooltip}
    if horizontal:
        encoding["x"], encoding["y"] = (alt.X(f"{y}:Q", title=y_title, axis=alt.Axis(format=AXIS_FORMAT[unit])),
                                        alt.Y(f"{x}:N", title=x_title, sort="-x", axis=alt.Axis(labelLimit=160)))
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None, scale=alt.Scale(range=PALETTE),
                                      legend=alt.Legend(orient="top"))
        encoding["tooltip"] = [alt.Tooltip(f"{color}:N", title=color.replace("_", " ").capitalize())] + tooltip
    else:
        encoding["color"] = alt.value(PALETTE[0])
    return alt.Chart(frame).mark_bar().encode(**encoding).properties(height=HEIGHT)


def heatmap(frame: pd.DataFrame, x: str, y: str, value: str, x_title: str, y_title: str) -> alt.Chart:
    base = alt.Chart(frame).encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:O", title=y_title),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(f"{value}:Q", title="Active", scale=alt.Scale(scheme="blues"),
                        legend=alt.Legend(format=".0%")),
        tooltip=[alt.Tooltip(f"{y}:O", title=y_title), alt.Tooltip(f"{x}:O", title=x_title),
                 alt.Tooltip(f"{value}:Q", title="Share active", format=".1%"),
                 alt.Tooltip("active:Q", title="Active experts", format=",.0f"),
                 alt.Tooltip("cohort_size:Q", title="Cohort size", format=",.0f")],
    )
    return cells.properties(height=max(HEIGHT, 18 * frame[y].nunique()))


def show(chart: alt.Chart, data: pd.DataFrame, name: str, key: str) -> None:
    """Draw a chart with CSV and PNG downloads of exactly what it shows."""
    st.altair_chart(chart, width="stretch")
    buttons = st.container(horizontal=True, gap="small")
    buttons.download_button("CSV", csv_text(data), f"{name}.csv", "text/csv", key=f"{key}-csv",
                            icon=":material/download:", on_click="ignore")
    buttons.download_button("PNG", lambda: _png(chart), f"{name}.png", "image/png", key=f"{key}-png",
                            icon=":material/image:", on_click="ignore")


def _png(chart: alt.Chart) -> bytes:
    import vl_convert
    return vl_convert.vegalite_to_png(chart.to_json(), scale=2)


def csv_text(data: pd.DataFrame) -> str:
    """A download of `data`: for an investor, a withheld figure says so in words, never an empty
    cell (METRICS.md); for the others an empty cell is a null."""
    from ..privacy import WITHHELD_TEXT
    from .context import current
    if current().viewer.is_investor:
        data = data.astype(object).where(data.notna(), WITHHELD_TEXT)
    return data.to_csv(index=False)
