"""The chart helpers' specs: every horizontal bar keeps its label, counts tick whole numbers,
money axes say B for billions, and two series of different sizes get an axis each."""

import pandas as pd

from expertnet.metrics import units
from expertnet.ui import charts


def _spec(chart) -> dict:
    return chart.to_dict()


def test_horizontal_bars_have_a_row_and_a_label_for_every_bar():
    frame = pd.DataFrame({"segment": [f"domain {n}" for n in range(30)], "experts": range(30)})
    spec = _spec(charts.bars(frame, "segment", "experts", units.EXPERTS, "Experts", horizontal=True))
    y_axis = spec["encoding"]["y"]["axis"]
    assert y_axis["labelOverlap"] is False                       # Vega may not drop a label
    assert spec["height"] >= 30 * charts.BAR_ROW_PX              # and each bar has room for one
    assert spec["encoding"]["x"]["axis"]["tickMinStep"] == 1     # counts: no 0, 1, 1, 2


def test_money_axes_write_billions_with_b_and_zero_plainly():
    frame = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"]), "arr_usd": [1e9, 2e9]})
    spec = _spec(charts.line(frame, {"arr_usd": "ARR"}, units.USD, "USD per year"))
    axis = spec["encoding"]["y"]["axis"]
    assert "replace(datum.label, 'G', 'B')" in axis["labelExpr"] and "'$0'" in axis["labelExpr"]


def test_two_series_of_different_sizes_get_an_axis_each():
    frame = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"]),
                          "experts_new": [13_000, 14_000], "experts_active": [250, 258]})
    spec = _spec(charts.line(frame, {"experts_new": "New signups", "experts_active": "Active"}, units.EXPERTS,
                             "Experts per month", separate_scales=True))
    assert spec["resolve"]["scale"]["y"] == "independent"
    orients = [layer["encoding"]["y"]["axis"]["orient"] for layer in spec["layer"]]
    assert orients == ["left", "right"]
