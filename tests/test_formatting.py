"""How figures are written: one format per unit and magnitude, the same in tiles, tables and the
CLI; withheld and missing values in words; CSV downloads rounded as a person reads them."""

import math

import pandas as pd
import pytest

from expertnet.metrics import units
from expertnet.metrics.formatting import format_value, text_table
from expertnet.metrics.privacy import WITHHELD_TEXT
from expertnet.ui.charts import rounded


@pytest.mark.parametrize("value, text", [
    (0, "$0"), (3.5, "$3.50"), (9.994, "$9.99"),                    # under $10: cents
    (10, "$10"), (162.35, "$162"), (9_870, "$9,870"), (9_999.4, "$9,999"),    # whole dollars
    (10_000, "$10k"), (15_234, "$15.2k"), (162_000, "$162k"), (999_700, "$1M"),   # 3 significant digits
    (1_010_000, "$1.01M"), (53_041_274.99, "$53M"), (500_000_000, "$500M"),
    (2_300_000_000, "$2.3B"), (-2_500_000, "-$2.5M"), (-3.5, "-$3.50"),
])
def test_money_has_one_format_per_magnitude(value, text):
    assert format_value(value, units.USD) == text


@pytest.mark.parametrize("unit, value, text", [
    (units.EXPERTS, 8, "8"), (units.EXPERTS, 999_999, "999,999"), (units.EXPERTS, 2_000_000, "2M"),
    (units.EXPERTS, 2_345_678, "2.35M"), (units.CLIENTS, 90, "90"),
    (units.SHARE, 0.4564, "45.6%"), (units.SHARE, 0.001, "0.1%"), (units.SHARE, -0.02, "-2.0%"),
    (units.HOURS, 1234.5, "1,234.5 h"), (units.HOURS, 35_234_000, "35.2M h"),
    (units.HOURS_PER_EXPERT, 32.54, "32.5 h"), (units.USD_PER_HOUR, 162.346, "$162.35/h"),
    (units.INDEX, 3_456.4, "3,456"), (units.MULTIPLE, 4.96, "5.0x"), (units.MONTH, "2025-06", "2025-06"),
])
def test_each_unit(unit, value, text):
    assert format_value(value, unit) == text


def test_missing_withheld_and_infinite_values_are_words():
    assert format_value(None, units.USD) == "n/a"
    assert format_value(float("nan"), units.SHARE) == "n/a"
    assert format_value(None, units.USD, withheld=True) == WITHHELD_TEXT == "fewer than 11 experts"
    assert format_value(math.inf, units.MULTIPLE) == "n/a (too large)"


def test_a_unit_must_be_one_of_the_registry():
    with pytest.raises(TypeError, match="expected one of the units"):
        format_value(5, "usd")


def test_downloads_round_money_to_cents_and_ratios_to_four_significant_digits():
    frame = pd.DataFrame({"month": ["2025-06"], "billings_usd": [53041.274999999994], "hours": [12.3456],
                          "take_rate": [0.456431535269], "experts_active": [8], "gini": [None]})
    got = rounded(frame.astype({"gini": "float64"})).iloc[0]
    assert got["billings_usd"] == 53041.27 and got["hours"] == 12.35
    assert got["take_rate"] == 0.4564 and got["experts_active"] == 8 and math.isnan(got["gini"])


def test_text_table_aligns_numbers_right():
    assert text_table([["metric", "value"], ["Billings", "$4,820"], ["Take rate", "45.6%"]], right_aligned={1}) == (
        "metric      value\n---------  ------\nBillings   $4,820\nTake rate   45.6%")


def test_a_withheld_whole_count_is_words_too():
    # a count column blanked for an investor is pandas' NA (Int64), and its sum over withheld months is too
    assert format_value(pd.NA, units.EXPERTS, withheld=True) == WITHHELD_TEXT
    assert format_value(pd.Series([pd.NA, 3], dtype="Int64").sum(min_count=2), units.EXPERTS, True) == WITHHELD_TEXT
    assert format_value(0, units.USD) == "$0" and format_value(0.5533, units.COEFFICIENT) == "0.553"
