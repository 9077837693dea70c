"""The dashboard's pages under Streamlit's AppTest, over the hand-checkable fixture warehouse.

Every figure expected here is a hand-computed value of tests/test_fixture_kpis.py (imported,
not recomputed) or worked out by hand below from tests/fixture_export/README.md, then
written the way the page writes it (expertnet.metrics.formatting). Signed in through OIDC as a
founder unless a test says otherwise.
"""

import pytest

from apptest_harness import (DATA_PAGES, FOUNDER_PAGES, OPS_EMAIL, OPS_PAGES, STRANGER_EMAIL,
                             assert_no_data, chart_frames, data_elements, infos, kpi_values, no_exception,
                             signed_in, tiles, titles)
from expertnet.metrics import units
from expertnet.metrics.formatting import format_value
from expertnet.metrics.kpis import KPIS, KPIS_BY_KEY
from test_fixture_kpis import (ALL_2024_03, ALL_2024_06, ALL_2025_04, ALL_2025_05, ALL_2025_06,
                               COHORT_2024_09_2025_06, COHORT_2025_03_2025_06, EARNINGS, FINANCE_US_2025_05,
                               IN_2025_06, ALL_KEYS, RETENTION_ALL, SOFTWARE_2025_06, VALUATION)

EMPTY_HINT = "Widen the period or clear a filter"
BY_LABEL = {k.label: k for k in KPIS}
# Tiles the Overview must show (METRICS.md's headline figures the founders read first).
CORE_TILES = ("billings_usd", "net_revenue_usd", "take_rate", "arr_usd", "experts_total", "experts_new",
              "experts_active", "activation_rate_90d", "payouts_usd", "hours", "valuation_usd")


def filter_widget(at, key: str):
    """The sidebar's filter: domain and country pick any of several, the cohort one month."""
    return at.selectbox(key=key) if key == "cohort" else at.multiselect(key=key)


def shown(key: str, expected: dict) -> str:
    """A hand value as a founder's page writes it."""
    return format_value(expected[key], KPIS_BY_KEY[key].unit)


def month_series(frame, key: str) -> list:
    """The values of one series of a line chart's data (columns month, key, value), by month."""
    rows = frame[frame["key"] == key].sort_values("month")
    return [None if v != v else v for v in rows["value"].tolist()]   # NaN -> None


def frame_with(frames, *columns):
    """The first chart frame that has all `columns` (its series' keys for a line chart)."""
    for frame in frames:
        if set(columns) <= set(frame.columns) or ("key" in frame and set(columns) <= set(frame["key"])):
            return frame
    raise AssertionError(f"no chart with {columns}; charts hold {[list(f.columns) for f in frames]}")


# ---------------------------------------------------------------- every page renders

def test_every_founder_page_renders_with_its_title(app_env):
    at = signed_in().run()
    no_exception(at)
    assert titles(at) == ["Overview"]
    for path, title in FOUNDER_PAGES:
        at.switch_page(path).run()
        no_exception(at)
        assert titles(at) == [title], path
    # the sidebar shows who is signed in, and the filters are there
    assert any("f@example.com (founder)" in c.value for c in at.sidebar.caption)
    assert {w.key for w in at.sidebar.multiselect} == {"domain", "country"}        # any of several
    assert {w.key for w in at.sidebar.selectbox} == {"cohort"}
    assert at.sidebar.select_slider(key="period").value == ("2024-07", "2025-06")   # the last 12 months


# ---------------------------------------------------------------- Overview

def assert_overview(at, expected: dict, previous: dict | None = None) -> None:
    no_exception(at)
    assert titles(at) == ["Overview"]
    values = kpi_values(at)
    # a whole-company tile beside a filtered view says so in its label
    filtered = any(at.query_params.get(k) for k in ("domain", "country", "cohort")) or any(
        w.value != "All" for w in at.sidebar.selectbox) or any(w.value for w in at.sidebar.multiselect)
    whole = {f"{KPIS_BY_KEY[k].label} (whole company)": KPIS_BY_KEY[k].label for k in ("valuation_usd", "implied_arr_multiple")}
    if filtered:
        assert set(whole) <= set(values), sorted(values)
    values = {whole.get(label, label): text for label, text in values.items()}
    assert {KPIS_BY_KEY[k].label for k in CORE_TILES} <= set(values), sorted(values)
    wrong = {label: (text, shown(BY_LABEL[label].key, expected)) for label, text in values.items()
             if text != shown(BY_LABEL[label].key, expected)}
    assert not wrong, f"{expected['month']}: tile label: (shown, by hand) {wrong}"
    # the table below the tiles holds every KPI of METRICS.md
    table = at.dataframe[0].value
    assert sorted(table["Key"]) == sorted(ALL_KEYS[1:])
    for row in table.to_dict("records"):
        if row["Key"] not in expected:          # operator keys worked out for some months only
            continue
        assert row["Value"] == shown(row["Key"], expected), (expected["month"], row["Key"])
        if previous is not None and row["Key"] in previous:
            assert row["Previous month"] == shown(row["Key"], previous), ("previous month", row["Key"])


def test_overview_tiles_are_the_hand_computed_figures_of_2025_06(app_env):
    at = signed_in(period=["2024-07", "2025-06"]).run()
    assert_overview(at, ALL_2025_06, previous=ALL_2025_05)
    values = kpi_values(at)
    # spelled out, so that a reader sees what the page shows
    assert values["Billings (GMV)"] == "$4,820"
    assert values["Net revenue"] == "$2,200"
    assert values["Take rate"] == "45.6%"           # 2200 / 4820
    assert values["Experts signed up"] == "15"
    assert values["Active experts"] == "8"
    assert values["Valuation"] == "$24M"
    assert f"{ALL_2025_06['month']} compared with {ALL_2025_05['month']}" in [s.value for s in at.subheader]


# (widget key -> value) set one after the other on a running app, the last month, and the hand values
FILTER_CASES = {
    "domain-software": ({"domain": "software"}, "2025-06", SOFTWARE_2025_06),
    "country-IN": ({"country": "IN"}, "2025-06", IN_2025_06),
    "cohort-2025-03": ({"cohort": "2025-03"}, "2025-06", COHORT_2025_03_2025_06),
    "cohort-2024-09": ({"cohort": "2024-09"}, "2025-06", COHORT_2024_09_2025_06),
    "finance-US-2025-05": ({"domain": "finance", "country": "US"}, "2025-05", FINANCE_US_2025_05),
    "all-2025-05": ({}, "2025-05", ALL_2025_05),
    "all-2025-04": ({}, "2025-04", ALL_2025_04),
    "all-2024-06": ({}, "2024-06", ALL_2024_06),
    "all-2024-03": ({}, "2024-03", ALL_2024_03),
}


@pytest.mark.parametrize("case", list(FILTER_CASES))
def test_overview_follows_the_filter_widgets(app_env, case):
    widgets, last_month, expected = FILTER_CASES[case]
    at = signed_in(period=["2024-01", "2025-06"]).run()
    before = kpi_values(at)
    assert before["Billings (GMV)"] == shown("billings_usd", ALL_2025_06)
    for key, value in widgets.items():
        filter_widget(at, key).set_value([value] if key != "cohort" else value)
    at.select_slider(key="period").set_value(("2024-01", last_month))
    at.run()
    assert_overview(at, expected)
    assert kpi_values(at) != before
    caption = at.main.caption[0].value
    for key, value in widgets.items():
        assert filter_widget(at, key).value == ([value] if key != "cohort" else value)
        assert f"{'signup cohort' if key == 'cohort' else key} {value}" in caption


def test_overview_filters_can_be_cleared_again(app_env):
    at = signed_in().run()
    at.multiselect(key="domain").set_value(["software"]).run()
    assert kpi_values(at)["Billings (GMV)"] == shown("billings_usd", SOFTWARE_2025_06)
    at.multiselect(key="domain").set_value([]).run()
    assert_overview(at, ALL_2025_06, previous=ALL_2025_05)


def test_several_domains_at_once(app_env):
    at = signed_in(domain=["software", "finance"]).run()      # every domain of the fixture: all experts
    assert sorted(at.multiselect(key="domain").value) == ["finance", "software"]
    assert_overview(at, ALL_2025_06, previous=ALL_2025_05)
    assert "domain finance or software" in at.main.caption[0].value


# ---------------------------------------------------------------- the other pages

def test_payouts_one_month_is_that_months_earnings_spread(app_env):
    at = signed_in(period=["2025-06", "2025-06"]).run()
    at.switch_page("pages/payouts.py").run()
    no_exception(at)
    values = tiles(at)
    assert values["Experts who earned"] == str(len(EARNINGS[("2025-06", "all")]))   # 9
    for key, unit in (("earnings_p50_usd", units.USD), ("earnings_p90_usd", units.USD),
                      ("earnings_p99_usd", units.USD), ("earnings_gini", units.COEFFICIENT),
                      ("top1pct_earnings_share", units.SHARE)):
        assert format_value(ALL_2025_06[key], unit) in values.values(), (key, values)


def test_payouts_over_two_months_sums_each_experts_earnings(app_env):
    # 2025-05 + 2025-06 by expert (pay + bonuses, README): E01 250+550 = 800, E02 240+120 = 360,
    # E03 0+500, E04 100, E05 400+50 = 450, E06 250, E08 30 (bonus), E09 200+400 = 600,
    # E10 200+200 = 400, E11 200+200 = 400, E12 100, E14 500 -> 12 earners, sum 4,490 (= 1,870 + 2,620).
    # Sorted 30 100 100 250 360 400 400 450 500 500 600 800: p50 = rank 5.5 = 400.
    at = signed_in(period=["2025-05", "2025-06"]).run()
    at.switch_page("pages/payouts.py").run()
    no_exception(at)
    values = tiles(at)
    assert values["Experts who earned"] == "12"
    assert format_value(400, units.USD) in values.values()


def test_payouts_bonus_chart_is_pay_and_bonuses_by_month(app_env):
    at = signed_in(period=["2025-04", "2025-06"]).run()
    at.switch_page("pages/payouts.py").run()
    no_exception(at)
    # pay and bonuses, each on an axis of its own (bonuses would be a sliver on pay's)
    frames = [f for f in chart_frames(at) if "series" in f and set(f["series"]) & {"Hourly pay", "Bonuses"}]
    by_kind = {kind: rows.sort_values("month")["value"].tolist()
               for frame in frames for kind, rows in frame.groupby("series")}
    months = (ALL_2025_04, ALL_2025_05, ALL_2025_06)
    assert by_kind["Hourly pay"] == pytest.approx([m["expert_pay_usd"] for m in months])   # 0, 1840, 2470
    assert by_kind["Bonuses"] == pytest.approx([m["bonuses_usd"] for m in months])          # 100, 30, 150


def test_revenue_top_clients_and_monthly_figures(app_env):
    at = signed_in(period=["2025-04", "2025-06"]).run()
    at.switch_page("pages/revenue.py").run()
    no_exception(at)
    # the month's clients only: 2025-04 billed nothing, 2025-05 (C2 2150, C3 560, C4 1200) is in the period too
    lines = frame_with(chart_frames(at), "billings_usd", "payouts_usd", "net_revenue_usd")
    months = (ALL_2025_04, ALL_2025_05, ALL_2025_06)
    for key in ("billings_usd", "payouts_usd", "net_revenue_usd"):
        assert month_series(lines, key) == pytest.approx([m[key] for m in months]), key
    assert f"HHI in the last month: {ALL_2025_06['client_hhi']:,.0f} of 10,000" in " ".join(c.value for c in at.caption)

    at.select_slider(key="period").set_value(("2025-06", "2025-06")).run()
    no_exception(at)
    clients = next(d.value for d in at.dataframe if "rank" in d.value)
    # C2 Beta Corp: E01 600 + E02 300 + E10 400 + E14 1000 = 2300 (4 experts); C4 Delta Bank:
    # E01 600 + E09 480 + E11 480 = 1560 (3); C3 Gamma AI: E03 800 + E12 160 = 960 (2)
    assert clients["client"].tolist() == ["Beta Corp", "Delta Bank", "Gamma AI"]
    assert clients["billings_usd"].tolist() == pytest.approx([2300, 1560, 960])
    assert clients["share"].tolist() == pytest.approx([2300 / 4820, 1560 / 4820, 960 / 4820])
    assert clients["experts"].tolist() == [4, 3, 2]


def test_network_growth_charts_hold_the_monthly_counts(app_env):
    at = signed_in(period=["2025-04", "2025-06"]).run()
    at.switch_page("pages/network_growth.py").run()
    no_exception(at)
    frames = chart_frames(at)
    months = (ALL_2025_04, ALL_2025_05, ALL_2025_06)
    size = frame_with(frames, "experts_total", "experts_approved_total")
    assert month_series(size, "experts_total") == [m["experts_total"] for m in months]                    # 13 13 15
    assert month_series(size, "experts_approved_total") == [m["experts_approved_total"] for m in months]  # 11 11 12
    joined = frame_with(frames, "experts_new", "experts_active")
    assert month_series(joined, "experts_new") == [m["experts_new"] for m in months]        # 0 0 2
    assert month_series(joined, "experts_active") == [m["experts_active"] for m in months]  # 0 8 8


def test_cohorts_table_and_heatmap_are_the_retention_rows_of_the_period(app_env):
    at = signed_in(period=["2024-07", "2025-06"]).run()
    at.switch_page("pages/cohorts.py").run()
    no_exception(at)
    in_period = [r for r in RETENTION_ALL if "2024-07" <= r["cohort"] <= "2025-06"]
    sizes = at.dataframe[0].value
    # cohorts 2024-09 (E08), 2025-01 (E09), 2025-03 (E10-E13), 2025-06 (E14 E15)
    assert dict(zip(sizes["cohort"], sizes["cohort_size"])) == {"2024-09": 1, "2025-01": 1, "2025-03": 4,
                                                                  "2025-06": 2}
    assert dict(zip(sizes["cohort"], sizes["cohort_size"])) == {r["cohort"]: r["cohort_size"] for r in in_period}
    heatmap = frame_with(chart_frames(at), "cohort", "months_since", "active", "rate")
    got = sorted((r.cohort, r.months_since, r.cohort_size, r.active) for r in heatmap.itertuples())
    assert got == sorted((r["cohort"], r["months_since"], r["cohort_size"], r["active"]) for r in in_period)


def test_valuation_marks_and_what_if(app_env):
    at = signed_in(period=["2025-04", "2025-06"]).run()
    at.switch_page("pages/valuation.py").run()
    no_exception(at)
    marks = at.dataframe[0].value
    assert [str(d)[:10] for d in marks["Date"]] == ["2024-03-31", "2025-05-15"]
    assert marks["Round"].tolist() == ["Seed", "Series A"]
    assert marks["Post-money"].tolist() == [format_value(5_000_000, units.USD), format_value(VALUATION, units.USD)]
    # ARR of the mark's month, whole company: 2024-03 billed nothing; 2025-05 billed 3,910
    assert marks["ARR that month"].tolist() == [format_value(ALL_2024_03["arr_usd"], units.USD),
                                                format_value(ALL_2025_05["arr_usd"], units.USD)]
    assert marks["Implied ARR multiple"].tolist() == [format_value(ALL_2024_03["implied_arr_multiple"], units.MULTIPLE),
                                                      format_value(ALL_2025_05["implied_arr_multiple"], units.MULTIPLE)]
    arr = ALL_2025_06["arr_usd"]   # 57,840
    values = tiles(at)
    assert values["ARR, 2025-06 (whole company)"] == format_value(arr, units.USD)
    assert values["At 15x"] == format_value(arr * 15, units.USD) and values["At 40x"] == format_value(arr * 40, units.USD)
    lines = frame_with(chart_frames(at), "arr_usd")
    assert month_series(lines, "arr_usd") == pytest.approx([m["arr_usd"] for m in (ALL_2025_04, ALL_2025_05,
                                                                                      ALL_2025_06)])


# ---------------------------------------------------------------- Experts

# 2025-06 by expert (README / test_fixture_kpis.py): hours, pay, bonuses, earnings
JUNE = {"E01": (9, 450, 100, 550), "E02": (2, 120, 0, 120), "E03": (10, 500, 0, 500), "E09": (4, 400, 0, 400),
        "E10": (2, 200, 0, 200), "E11": (4, 200, 0, 200), "E12": (2, 100, 0, 100), "E14": (5, 500, 0, 500)}


def test_experts_page_rows_of_a_month(app_env):
    at = signed_in(period=["2025-06", "2025-06"]).run()
    at.switch_page("pages/experts.py").run()
    no_exception(at)
    rows = at.dataframe[0].value
    # largest earnings first, ties by expert id
    assert rows["expert_id"].tolist() == ["E01", "E03", "E14", "E09", "E10", "E11", "E02", "E12"]
    for row in rows.itertuples():
        assert (row.hours, row.expert_pay_usd, row.bonuses_usd, row.earnings_usd) == \
               pytest.approx(JUNE[row.expert_id]), row.expert_id
    assert rows.set_index("expert_id").loc["E01", "full_name"] == "Ada One"
    assert "8 experts match" in " ".join(c.value for c in at.caption)


def test_experts_page_sorting_and_toggles_change_the_rows(app_env):
    at = signed_in(period=["2025-06", "2025-06"]).run()
    at.switch_page("pages/experts.py").run()
    at.selectbox(key="sort").set_value("hours").run()
    no_exception(at)
    ids = at.dataframe[0].value["expert_id"].tolist()
    assert ids == ["E03", "E01", "E14", "E09", "E11", "E02", "E10", "E12"]   # 10 9 5 4 4 2 2 2
    at.toggle(key="desc").set_value(False).run()
    assert at.dataframe[0].value["expert_id"].tolist() == ["E02", "E10", "E12", "E09", "E11", "E14", "E01", "E03"]
    at.selectbox(key="sort").set_value("bonuses_usd")
    at.toggle(key="desc").set_value(True).run()
    assert at.dataframe[0].value["expert_id"].tolist()[0] == "E01"            # the only bonus of active experts
    # everyone signed up by 2025-06, worked or not: E05 earned a $50 bonus without hours
    at.selectbox(key="sort").set_value("earnings_usd")
    at.toggle(key="active_only").set_value(False).run()
    no_exception(at)
    rows = at.dataframe[0].value
    assert rows["expert_id"].tolist() == ["E01", "E03", "E14", "E09", "E10", "E11", "E02", "E12", "E05",
                                          "E04", "E06", "E07", "E08", "E13", "E15"]
    assert rows.set_index("expert_id").loc["E05", ["hours", "bonuses_usd", "earnings_usd"]].tolist() == [0, 50, 50]


def test_experts_page_follows_the_filters(app_env):
    at = signed_in(period=["2025-06", "2025-06"], country="IN").run()
    at.switch_page("pages/experts.py").run()
    no_exception(at)
    assert at.dataframe[0].value["expert_id"].tolist() == ["E03", "E10", "E12"]   # 500 200 100


# ---------------------------------------------------------------- empty states

def test_a_cohort_without_signups_shows_the_empty_state_on_every_page(app_env):
    at = signed_in(cohort="2024-04").run()          # nobody signed up in April 2024
    assert at.selectbox(key="cohort").value == "2024-04"
    for path, title in FOUNDER_PAGES:
        at.switch_page(path).run()
        no_exception(at)
        assert titles(at) == [title]
        if (path, title) not in DATA_PAGES:
            continue
        counts = data_elements(at)
        if title == "Queues":     # an empty queue is good news, and says so
            assert [m.value for m in at.metric] == ["0"] * 5
            assert [s.value for s in at.success] == ["Nobody is on this queue."] and not counts["dataframe"]
            continue
        assert any(EMPTY_HINT in text for text in infos(at)), (title, infos(at))
        if title == "Valuation":   # the marks and forward revenue describe the whole company, whatever the filter
            assert counts["chart"] == 2, counts     # committed backlog, contracts ending
        else:
            assert not any(counts.values()), (title, counts)


def test_a_period_without_work_shows_the_empty_state_where_figures_need_work(app_env):
    at = signed_in(period=["2025-04", "2025-04"]).run()   # no work log at all in April 2025
    assert_overview(at, ALL_2025_04)
    for path, title in FOUNDER_PAGES:
        at.switch_page(path).run()
        no_exception(at)
        assert titles(at) == [title]
        if title in ("Payouts", "Revenue & clients", "Cohorts", "Valuation", "Experts"):
            assert any(EMPTY_HINT in text for text in infos(at)), (title, infos(at))
    at.switch_page("pages/experts.py").run()
    assert not at.dataframe


# ---------------------------------------------------------------- roles

def test_ops_sees_experts_but_not_share(app_env):
    at = signed_in(OPS_EMAIL).run()
    no_exception(at)
    assert any("o@example.com (ops)" in c.value for c in at.sidebar.caption)
    for path, title in OPS_PAGES:
        at.switch_page(path).run()
        no_exception(at)
        assert titles(at) == [title]
    at.switch_page("pages/experts.py").run()
    assert len(at.dataframe[0].value) > 0
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/share.py")


def test_an_email_on_no_list_gets_no_access_and_no_data(app_env):
    at = signed_in(STRANGER_EMAIL).run()
    no_exception(at)
    assert titles(at) == ["No access"]
    assert any(STRANGER_EMAIL in text for text in infos(at))
    assert_no_data(at)
    for path, _title in FOUNDER_PAGES:
        with pytest.raises(ValueError):
            at.switch_page(path)


def test_overview_tiles_compare_with_the_month_before_a_year_before_and_the_plan(app_env):
    at = signed_in(period=["2024-07", "2025-06"]).run()
    no_exception(at)
    deltas = {m.label: m.delta for m in at.metric}
    # billings 4820 against 3910 (2025-05), 2560 (2024-06) and the 5000 of targets.csv
    assert deltas["Billings (GMV)"] == (f"{(4820 / 3910 - 1) * 100:+.1f}% m/m · {(4820 / 2560 - 1) * 100:+.1f}% y/y"
                                        f" · {(4820 / 5000 - 1) * 100:+.1f}% vs plan")
    # active experts 8, as in May (no change to show), against 6 in 2024-06 and a target of 10
    assert deltas["Active experts"] == "+33.3% y/y · -20.0% vs plan"
    totals = {row["Metric"]: row for row in at.dataframe[1].value.to_dict("records")}
    # 2025-04..06 billings 0 + 3910 + 4820; 2025-01..06 adds January 480 + February 600 + March 840
    assert totals["Billings (GMV)"]["Quarter to date"] == format_value(8730, units.USD)
    assert totals["Billings (GMV)"]["Last 3 months"] == format_value(8730, units.USD)
    assert totals["Billings (GMV)"]["Year to date"] == format_value(8730 + 480 + 600 + 840, units.USD)


def test_a_filtered_overview_shows_no_plan(app_env):
    at = signed_in(period=["2024-07", "2025-06"], domain="software").run()
    no_exception(at)
    assert not any("vs plan" in (m.delta or "") for m in at.metric)   # targets describe the whole company


def test_revenue_spread_by_contract_and_client_logo_retention(app_env):
    at = signed_in(period=["2025-06", "2025-06"]).run()
    at.switch_page("pages/revenue.py").run()
    no_exception(at)
    tables = [d.value for d in at.dataframe]
    contracts = next(t for t in tables if "bill_rate_usd" in t).set_index("name")
    # 2025-06 work: K2 E01 4h@50 + E02 2h@60 = 6 h, billings 900, pay 320; K4 E01 5h@50 + E09 4h@100
    # + E11 4h@50 = 13 h, 1,560, pay 850; K3 E03 10h + E12 2h @50 = 12 h, 960, pay 600;
    # K5 E10 2h + E14 5h @100 = 7 h, 1,400, pay 700
    assert list(contracts.index) == ["K4", "K5", "K3", "K2"]
    assert contracts["spread_usd"].to_dict() == pytest.approx({"K4": 710, "K5": 700, "K3": 360, "K2": 580})
    assert contracts["spread_per_hour_usd"]["K2"] == pytest.approx(580 / 6)
    segments = next(t for t in tables if "spread_usd" in t and set(t["name"]) == {"enterprise", "startup"})
    assert segments.set_index("name")["hours"].to_dict() == pytest.approx({"enterprise": 26, "startup": 12})
    logos = frame_with(chart_frames(at), "cohort", "clients_billed", "cohort_clients")
    row = logos[(logos["cohort"] == "2024-06") & (logos["months_since"] == 6)]   # C1 and C3 both in 2024-12
    assert row[["cohort_clients", "clients_billed", "rate"]].values.tolist() == [[2, 2, 1.0]]


def test_the_plan_is_drawn_on_the_founders_revenue_chart_only(app_env):
    at = signed_in(period=["2024-07", "2025-06"]).run()
    at.switch_page("pages/revenue.py").run()
    no_exception(at)
    plan = frame_with(chart_frames(at), "target_value", "series")
    plan = plan[plan["target_value"].notna()]        # the layers' rows share one frame
    # targets.csv: billings_usd 5,000 and net_revenue_usd 0 in 2025-06 (payouts has no target)
    assert sorted(zip(plan["series"], plan["target_value"])) == [("Billings", 5000), ("Net revenue", 0)]
    at = signed_in(period=["2024-07", "2025-06"], domain="software").run()
    at.switch_page("pages/revenue.py").run()
    assert not any("target_value" in frame for frame in chart_frames(at))   # the plan is the whole company's
