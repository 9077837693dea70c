"""What the dashboard refuses: writes through its own warehouse connection, hostile URL
values, dead share links, expert-level data in front of an investor, unlocking a link's
filters, and serving data to a viewer nobody signed in.

AppTest over the hand-checkable fixture warehouse (tests/fixture_export/); expected
figures come from tests/test_fixture_kpis.py.
"""

import csv
import re
import sqlite3
from pathlib import Path

import duckdb
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.util import calc_hash

from apptest_harness import (INVESTOR_PAGES, all_text, anonymous,
                             assert_no_data, chart_frames, infos, kpi_values, no_exception, sha256, signed_in,
                             through_link, titles)
from expertnet.access import accounts, share_links
from expertnet.metrics.filters import Filters
from expertnet.metrics import units
from expertnet.metrics.formatting import format_value
from expertnet.metrics.kpis import KPIS, KPIS_BY_KEY
from expertnet.metrics.privacy import WITHHELD_TEXT
from expertnet.ui.viewer import is_loopback
from expertnet.warehouse import open_read_only
from test_fixture_kpis import ALL_2025_06, KEYS, VALUATION

FIXTURE = Path(__file__).resolve().parent / "fixture_export"
NOT_VALID = "This link is not valid"
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _rows(name: str) -> list[dict]:
    with (FIXTURE / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


EXPERTS = _rows("experts")
CLIENT_NAMES = [c["name"] for c in _rows("clients")]
# an id standing alone ("#E07A3F", a chart colour, is not one)
EXPERT_ID = re.compile(r"(?<![#A-Za-z0-9])(?:" + "|".join(re.escape(e["expert_id"]) for e in EXPERTS)
                       + r")(?![A-Za-z0-9])")


def expert_count(db) -> int:
    with open_read_only(str(db)) as con:   # the app's own settings: DuckDB shares the instance
        return con.execute("SELECT count(*) FROM experts").fetchone()[0]


@pytest.fixture
def warehouse_untouched(fixture_db):
    """The warehouse file is byte for byte the same after the test, and still holds 15 experts."""
    before = sha256(fixture_db)
    yield
    assert sha256(fixture_db) == before
    assert expert_count(fixture_db) == len(EXPERTS) == 15


def assert_not_valid(at) -> None:
    no_exception(at)
    assert titles(at) == [NOT_VALID]
    assert_no_data(at)
    text = all_text(at)
    assert "Shared with" not in text and "$" not in text, text


# ---------------------------------------------------------------- the app's warehouse connection

REFUSED = [
    "CREATE TABLE t (x INTEGER)",
    "CREATE VIEW v AS SELECT 1",
    "INSERT INTO experts SELECT * FROM experts LIMIT 1",
    "UPDATE experts SET domain = 'x'",
    "DELETE FROM experts",
    "DROP TABLE experts",
    "COPY experts TO '/tmp/x.csv'",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "SELECT * FROM read_csv('/etc/passwd')",
    "ATTACH ':memory:' AS scratch",
    "INSTALL httpfs",
    "LOAD httpfs",
]


def test_read_only_connection_refuses_writes_files_and_settings(fixture_db, tmp_path):
    before = sha256(fixture_db)
    x_csv_existed = Path("/tmp/x.csv").exists()
    con = open_read_only(str(fixture_db))
    try:
        for sql in REFUSED + [f"COPY experts TO '{tmp_path / 'out.csv'}'",
                              f"ATTACH '{tmp_path / 'other.duckdb'}' AS other",
                              f"ATTACH '{fixture_db}' AS again (READ_WRITE)",
                              f"EXPORT DATABASE '{tmp_path / 'export'}'"]:
            with pytest.raises(duckdb.Error):
                con.execute(sql)
        # nothing changed underneath: still read-only and locked, every row still there
        assert con.execute("SELECT current_setting('enable_external_access'), "
                           "current_setting('lock_configuration')").fetchone() == (False, True)
        assert con.execute("SELECT count(*) FROM experts").fetchone()[0] == 15
        assert con.execute("SELECT count(*) FROM work_logs").fetchone()[0] == 38
    finally:
        con.close()
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()
    assert not (tmp_path / "export").exists()
    assert x_csv_existed or not Path("/tmp/x.csv").exists()
    assert sha256(fixture_db) == before


# ---------------------------------------------------------------- hostile values in the URL

HOSTILE = {
    "quote": "'",
    "quotes": "\"'`",
    "sql": "'; DROP TABLE experts; --",
    "long": "x" * 10_000,
    "rtl-override": "\u202eerawtfos",
    "emoji": "software\U0001F4A3",
    "nul": "software\x00",
    "zero-width": "soft\u200bware",
    "fullwidth": "ｓｏｆｔｗａｒｅ",
    "html": "<script>alert(1)</script>",
}
BILLINGS_ALL = format_value(ALL_2025_06["billings_usd"], units.USD)   # "$4,820"


@pytest.mark.parametrize("key", ["domain", "country", "cohort"])
def test_hostile_filter_values_are_ignored(app_env, warehouse_untouched, key):
    # the binding is live: a good value is applied (software 2025-06 billings are 3,060) ...
    good = {"domain": "software", "country": "IN", "cohort": "2025-03"}[key]
    at = signed_in(**{key: good}).run()
    widget = at.selectbox(key=key) if key == "cohort" else at.multiselect(key=key)
    assert widget.value == (good if key == "cohort" else [good])
    assert kpi_values(at)["Billings (GMV)"] != BILLINGS_ALL
    # ... and a hostile one is ignored: the filter shows All and the figures are the whole network's
    for name, value in HOSTILE.items():
        at = signed_in(**{key: value}).run()
        no_exception(at)
        assert titles(at) == ["Overview"], name
        widget = at.selectbox(key=key) if key == "cohort" else at.multiselect(key=key)
        assert widget.value == ("All" if key == "cohort" else []), name
        assert kpi_values(at)["Billings (GMV)"] == BILLINGS_ALL, name
        assert "all experts" in at.main.caption[0].value, name


def test_hostile_period_values_fall_back_to_the_default_period(app_env, warehouse_untouched):
    at = signed_in(period=["2025-01", "2025-03"]).run()
    assert at.select_slider(key="period").value == ("2025-01", "2025-03")   # the binding is live
    default = ("2024-07", "2025-06")
    for name, value in HOSTILE.items():   # whole or as one bound of the two: the default period
        for period in (value, ["2024-07", value]):
            at = signed_in(period=period).run()
            no_exception(at)
            assert titles(at) == ["Overview"], (name, period)
            assert at.select_slider(key="period").value == default, (name, period)
            assert kpi_values(at)["Billings (GMV)"] == BILLINGS_ALL
    for period in ("2030-01", ["2025-13", "2025-14"], ["2023-01", "2023-02"], ["2025-01", "2025-03", "2025-06"]):
        at = signed_in(period=period).run()
        no_exception(at)
        assert at.select_slider(key="period").value == default, period


def test_hostile_sort_values_are_ignored(app_env, warehouse_untouched):
    # The sort box binds its label to the URL: "Hours" is applied ...
    at = signed_in(period=["2025-06", "2025-06"], sort="Hours")
    at.switch_page("pages/experts.py").run()
    assert at.selectbox(key="sort").value == "hours"
    assert at.dataframe[0].value["expert_id"].tolist()[:2] == ["E03", "E01"]   # 10 h, 9 h
    # ... anything else leaves the default order (largest earnings first)
    for name, value in HOSTILE.items():
        at = signed_in(period=["2025-06", "2025-06"], sort=value)
        at.switch_page("pages/experts.py").run()
        no_exception(at)
        assert titles(at) == ["Experts"], name
        assert at.selectbox(key="sort").value == "earnings_usd", name
        assert at.dataframe[0].value["expert_id"].tolist()[:3] == ["E01", "E03", "E14"], name


def test_hostile_share_tokens_open_nothing(app_env, warehouse_untouched):
    for name, value in list(HOSTILE.items()) + [("empty", ""), ("dot", "."), ("two-dots", "a.b.c")]:
        assert_not_valid(through_link(value).run())
    # a signed-in founder with a bad token in the URL is not let through either
    for value in (HOSTILE["sql"], HOSTILE["nul"]):
        assert_not_valid(signed_in(share=value).run())
    assert share_links.views() == []


# ---------------------------------------------------------------- share links, state by state

def _flip(text: str, index: int) -> str:
    return text[:index] + B64URL[B64URL.index(text[index]) ^ 1] + text[index + 1:]


def test_valid_link_shows_the_investor_pages_and_a_banner(app_env):
    link, token, _ = share_links.create_link("Jane Doe, Acme Ventures", 14, "f@example.com")
    at = through_link(token).run()
    no_exception(at)
    assert titles(at) == ["Overview"]
    banner = " ".join(infos(at))
    assert "Shared with Jane Doe, Acme Ventures" in banner
    assert f"link expires {link.expires_at:%Y-%m-%d %H:%M} UTC" in banner
    assert not at.selectbox, "an investor gets no filter widgets"
    for path, title in INVESTOR_PAGES:
        at.switch_page(path).run()
        no_exception(at)
        assert titles(at) == [title]
        assert "Shared with Jane Doe, Acme Ventures" in " ".join(infos(at))
        if path == "pages/revenue.py":   # client by client and contract by contract: the company's own view
            frames = [d.value for d in at.dataframe] + chart_frames(at)
            assert not [f for f in frames if {"spread_usd", "clients_billed", "bill_rate_usd"} & set(f.columns)]
            assert not [s for s in at.subheader if "logo" in s.value or "an hour earns" in s.value]
    for path in ("pages/experts.py", "pages/share.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(path)


def test_expired_link(app_env, clock):
    link, token, _ = share_links.create_link("Jane", 1, "f@example.com")
    at = through_link(token).run()
    assert titles(at) == ["Overview"]
    clock.advance(days=1, seconds=-1)
    at.run()
    assert titles(at) == ["Overview"]
    clock.advance(seconds=1)
    at.run()
    assert_not_valid(at)
    assert_not_valid(through_link(token).run())
    # one page opened: its reruns are not views of their own
    assert [v.page for v in share_links.views(link.id)] == ["Overview"]


def test_revoked_link_stops_at_the_next_run(app_env):
    link, token, _ = share_links.create_link("Jane", 30, "f@example.com")
    other, other_token, _ = share_links.create_link("Bo", 30, "f@example.com")
    at = through_link(token).run()
    assert titles(at) == ["Overview"] and at.metric
    assert share_links.revoke(link.id)
    at.run()                                   # the same session, no restart
    assert_not_valid(at)
    with pytest.raises(ValueError):          # only the "not valid" page exists now
        at.switch_page("pages/overview.py")
    assert titles(through_link(other_token).run()) == ["Overview"]   # the other link still works
    assert [v.page for v in share_links.views(link.id)] == ["Overview"]


@pytest.mark.parametrize("where", ["payload", "signature", "appended"])
def test_tampered_link(app_env, where):
    _link, token, _ = share_links.create_link("Jane", 30, "f@example.com")
    payload, signature = token.split(".")
    forged = {"payload": _flip(payload, 3) + "." + signature,
              "signature": payload + "." + _flip(signature, 5),
              "appended": token + "A"}[where]
    assert forged != token
    assert_not_valid(through_link(forged).run())
    assert share_links.views() == []


def test_unknown_link_with_a_valid_signature(app_env):
    link, token, _ = share_links.create_link("Jane", 30, "f@example.com")
    with sqlite3.connect(app_env / "app_state.sqlite3") as con:
        con.execute("DELETE FROM share_links WHERE id = ?", (link.id,))
    con.close()
    assert share_links.resolve(token) == (None, "unknown")
    assert_not_valid(through_link(token).run())


# ---------------------------------------------------------------- what an investor sees

def _forbidden(text: str, show_client_names: bool = False) -> list[str]:
    found = [e[k] for e in EXPERTS for k in ("full_name", "email") if e[k].lower() in text.lower()]
    found += sorted(set(EXPERT_ID.findall(text)))
    found += [e["email"].split("@")[0] for e in EXPERTS if re.search(rf"\b{e['email'].split('@')[0]}\b", text)]
    if not show_client_names:
        found += [name for name in CLIENT_NAMES if name.lower() in text.lower()]
    return found


@pytest.mark.parametrize("locks", [{}, {"locked_domain": "software"}, {"locked_cohort": "2025-03"}],
                         ids=["unlocked", "software", "cohort-2025-03"])
def test_investor_pages_name_no_expert(app_env, locks):
    _link, token, _ = share_links.create_link("Jane", 30, "f@example.com", **locks)
    for period in (["2024-01", "2025-06"], ["2025-06", "2025-06"]):
        at = through_link(token, period=period).run()
        for path, title in INVESTOR_PAGES:
            at.switch_page(path).run()
            no_exception(at)
            assert titles(at) == [title]
            text = all_text(at)
            assert "Jane" in text                     # the scan reads the page (the banner is in it)
            assert not _forbidden(text), (title, period, _forbidden(text))


def test_the_scan_would_see_expert_data(app_env):
    """The same scan on a founder's Experts page finds every kind of identifier."""
    at = signed_in(period=["2025-06", "2025-06"])
    at.switch_page("pages/experts.py").run()
    found = _forbidden(all_text(at))
    assert {"Ada One", "e01@example.com", "E01", "E14"} <= set(found), found


def test_investor_cannot_reach_experts_or_share(app_env):
    _link, token, _ = share_links.create_link("Jane", 30, "f@example.com")
    at = through_link(token).run()
    for path in ("pages/experts.py", "pages/share.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(path)
    # An /experts or /share address typed by hand asks for a page the investor's navigation lacks:
    # Streamlit serves the default page. (AppTest.switch_page refuses unknown pages, so the
    # request is made the way the browser makes it: by the page's hash.)
    for name in ("experts", "share"):
        at._page_hash = calc_hash(name)
        at.run()
        no_exception(at)
        assert titles(at) == ["Overview"], name
        assert not _forbidden(all_text(at)), name


def _overview_table(at) -> dict[str, str]:
    return {row["Key"]: row["Value"] for row in at.dataframe[0].value.to_dict("records")}


def test_locked_filters_cannot_be_changed_through_the_url(app_env):
    _link, token, _ = share_links.create_link("Jane", 30, "f@example.com", locked_domain="software")
    at = through_link(token).run()
    locked = _overview_table(at)
    assert at.session_state["_view_context"].filters == Filters(domain="software")
    for attempt in ({"domain": "finance"}, {"domain": "All"}, {"domain": ""}, {"country": "US"},
                    {"cohort": "2025-03"}, {"domain": "finance", "country": "US", "cohort": "2025-03"},
                    {"domain": ["software", "finance"]}):
        at = through_link(token, **attempt).run()
        no_exception(at)
        assert not at.selectbox, "an investor gets no filter widgets"
        assert at.session_state["_view_context"].filters == Filters(domain="software"), attempt
        assert "Experts shown: domain software (set by the share link)" in [c.value for c in at.sidebar.caption]
        assert "domain software" in at.main.caption[0].value
        assert _overview_table(at) == locked, attempt
    # the whole network would show 15 experts signed up; the software lock withholds its 7
    assert locked["experts_total"] == WITHHELD_TEXT


def test_investor_figures_below_the_threshold_are_withheld(app_env):
    # test_fixture_kpis.test_investor_all_experts_2025_06: only experts_approved_total (12) and
    # valuation_usd reach an investor in 2025-06; every other figure rests on fewer than 11 experts,
    # and experts_total (15) beside 2025-05's 13 would give away 2 new signups.
    shown_to_investor = {"experts_approved_total": ALL_2025_06["experts_approved_total"], "valuation_usd": VALUATION}
    _link, token, _ = share_links.create_link("Jane", 30, "f@example.com")
    at = through_link(token, period=["2024-07", "2025-06"]).run()
    no_exception(at)
    values = kpi_values(at)
    assert values["Billings (GMV)"] == WITHHELD_TEXT
    assert values["Active experts"] == WITHHELD_TEXT
    assert values["Experts signed up"] == WITHHELD_TEXT
    assert values["Valuation"] == "$24M"
    for label, text in values.items():
        key = next(k.key for k in KPIS if k.label == label)
        assert text == format_value(shown_to_investor.get(key), KPIS_BY_KEY[key].unit, True), label
    table = _overview_table(at)
    assert {key: table[key] for key in KEYS[1:]} == {
        key: format_value(shown_to_investor.get(key), KPIS_BY_KEY[key].unit, True) for key in KEYS[1:]}
    # the operator keys: every one rests on fewer than 11 experts here, but the forward-revenue
    # figures, which describe the company's contracts, not experts
    forward = {"committed_backlog_usd": "$20.1k", "contracts_ending_90d": "1", "arr_ending_90d_usd": "$18.7k"}
    assert {key: value for key, value in table.items() if key not in KEYS} == {
        key: forward.get(key, WITHHELD_TEXT) for key in KPIS_BY_KEY if key not in KEYS}
    # Payouts sums each expert's earnings over the period. 2024-07..2025-06, by hand from the README's
    # work logs and bonuses: E01 200+250+250+550, E02 240+240+240+120, E03 200+100+500, E04 100+100,
    # E05 250+400+50, E06 200+250, E08 400+30, E09 400+200+400, E10 100+200+200, E11 200+200, E12 100,
    # E14 500: 12 earners. 12 >= 11 shows the count and the Gini; a median needs 22, top 1% 1,001.
    earnings = [1250, 840, 800, 200, 700, 450, 430, 1000, 500, 400, 100, 500]
    gini = sum(abs(a - b) for a in earnings for b in earnings) / (2 * len(earnings) * sum(earnings))
    at.switch_page("pages/payouts.py").run()
    no_exception(at)
    values = kpi_values(at)
    assert values["Experts who earned"] == "12"
    assert format_value(gini, units.COEFFICIENT) in values.values()              # 0.297
    assert list(values.values()).count(WITHHELD_TEXT) == 4                   # p50, p90, p99, top 1%
    at.select_slider(key="period").set_value(("2025-06", "2025-06")).run()   # 9 earners: all withheld
    assert set(kpi_values(at).values()) == {WITHHELD_TEXT}


def test_a_view_is_recorded_per_page_opened(app_env):
    link, token, _ = share_links.create_link("Jane", 30, "f@example.com")
    other, _other_token, _ = share_links.create_link("Bo", 30, "f@example.com")
    at = through_link(token).run()
    opened = ["Overview"]
    for path, title in INVESTOR_PAGES[1:] + INVESTOR_PAGES[:1]:
        at.switch_page(path).run()
        opened.append(title)
    at.run()                                   # a rerun of the same page is no new view
    views = share_links.views(link.id)
    assert [v.page for v in views] == opened[::-1]    # newest first
    assert {v.to_name for v in views} == {"Jane"}
    assert share_links.views(other.id) == []
    assert share_links.view_counts() == {link.id: len(opened)}


# ---------------------------------------------------------------- nobody signed in

def test_demo_mode_is_not_served_to_another_machine(app_env):
    at = anonymous().run()
    no_exception(at)
    assert titles(at) == ["Sign-in is not configured"]
    assert_no_data(at)
    assert "Demo mode" not in all_text(at)
    with pytest.raises(ValueError):
        at.switch_page("pages/overview.py")


@pytest.mark.parametrize("address, expected", [
    (None, True), ("127.0.0.1", True), ("::1", True), ("::ffff:127.0.0.1", True), ("127.0.0.2", True),
    ("10.0.0.1", False), ("::ffff:10.0.0.1", False), ("example", False), ("", False), ("192.168.1.1", False),
    ("0.0.0.0", False), ("localhost", False), (object(), False),
])
def test_is_loopback(address, expected):
    assert is_loopback(address) is expected


def test_local_accounts_ask_for_a_password_first(app_env):
    accounts.add_user("ann@example.com", "founder", "correct horse battery staple")
    at = anonymous().run()
    no_exception(at)
    assert titles(at) == ["Sign in"]
    assert_no_data(at)
    assert {t.key for t in at.text_input} >= {"signin-email", "signin-password"}
    at.text_input(key="signin-email").input("ann@example.com")
    at.text_input(key="signin-password").input("wrong password")
    at.button[0].click().run()
    assert titles(at) == ["Sign in"] and "do not match" in " ".join(e.value for e in at.error)
    assert_no_data(at)


def test_a_sixth_try_after_five_wrong_passwords_is_told_to_wait(app_env):
    accounts.add_user("ann@example.com", "founder", "correct horse battery staple")
    at = anonymous().run()
    for attempt in range(5):
        at.text_input(key="signin-email").input("ann@example.com")
        at.text_input(key="signin-password").input(f"wrong password {attempt}")
        at.button[0].click().run()
        assert "do not match" in " ".join(e.value for e in at.error)
    at.text_input(key="signin-email").input("ann@example.com")
    at.text_input(key="signin-password").input("correct horse battery staple")
    at.button[0].click().run()
    no_exception(at)
    assert titles(at) == ["Sign in"]
    assert [e.value for e in at.error] == ["Too many wrong passwords for this email. Try again in 15 minutes."]
    assert_no_data(at)


def test_oidc_viewer_who_is_not_logged_in_sees_the_sign_in_page(app_env):
    at = signed_in()
    at.user = {"is_logged_in": False}
    at.run()
    no_exception(at)
    assert titles(at) == ["Sign in"]
    assert_no_data(at)


# ---------------------------------------------------------------- a server's first run

@pytest.mark.parametrize("viewer, path", [
    ("founder", "pages/experts.py"), ("investor", "pages/experts.py"), ("investor", "pages/share.py"),
    ("anonymous", "pages/payouts.py"), ("anonymous", "pages/share.py"),
])
def test_a_page_address_on_the_servers_first_run_goes_through_the_gate(app_env, monkeypatch, viewer, path):
    """Until some run calls st.navigation, Streamlit serves a project with a pages/ folder in its
    old folder mode, where an address like /experts runs pages/experts.py alone, without app.py
    (and so without the viewer check). A server is in that mode for its first run; so is AppTest
    without app_env's PagesManager, whose first run is asked for the page by its file name here."""
    monkeypatch.setattr(app_test_module, "PagesManager", PagesManager)
    _link, token, _ = share_links.create_link("Jane", 30, "f@example.com")
    at = {"founder": signed_in, "investor": lambda: through_link(token), "anonymous": anonymous}[viewer]()
    at.switch_page(path).run()
    no_exception(at)
    text = all_text(at)
    assert not _forbidden(text, show_client_names=True) or viewer == "founder"
    if viewer == "founder":
        assert titles(at) == ["Experts"]    # the page the address asked for, once app.py has run
        assert at.multiselect(key="domain")   # app.py ran: the filters are there
    elif viewer == "investor":
        assert titles(at) == ["Overview"] and "Shared with Jane" in text
        assert not at.selectbox
    else:
        assert titles(at) == ["Sign-in is not configured"]
        assert_no_data(at)


# ---------------------------------------------------------------- the Share page

def test_share_page_picks_locks_from_the_warehouse_copies_revokes_with_confirmation_and_audits(app_env):
    founder = signed_in(domain="software").run()
    founder.switch_page("pages/share.py").run()
    no_exception(founder)
    # the locks are dropdowns of the values that exist, starting from the current view
    domain = founder.selectbox(key="share-domain")
    assert domain.value == "software" and "finance" in domain.options and "All" in domain.options
    assert founder.selectbox(key="share-country").options[0] == "All"
    founder.text_input(key="share-to").input("Ada Investor")
    founder.button[0].click().run()
    no_exception(founder)
    [link] = share_links.list_links()
    assert (link.to_name, link.locked_domain) == ("Ada Investor", "software")
    made = [c.value for c in founder.code]
    # the link, opening on the period the founder was looking at (the default: 2024-07 to 2025-06)
    assert made and made[0] == share_links.url_for(link) + "&period=2024-07&period=2025-06"
    # copy it again later: the same address
    founder.run()
    assert made[0] in [c.value for c in founder.code]
    # revoking needs the confirmation first
    revoke = next(b for b in founder.button if b.key == "revoke")
    assert revoke.disabled
    founder.checkbox(key="revoke-sure").check().run()
    next(b for b in founder.button if b.key == "revoke").click().run()
    assert share_links.get_link(link.id).state() == "revoked"


@pytest.mark.slow
def test_share_page_audit_button_reports_nothing_found_on_the_fixture(app_env):
    share_links.create_link("Ada", 30, "f@example.com", locked_country="IN")
    founder = signed_in().run()
    founder.switch_page("pages/share.py").run()
    next(b for b in founder.button if b.key == "audit-link").click().run()
    no_exception(founder)
    [message] = [s.value for s in founder.success]
    assert "Nothing withheld can be worked out from what is shown." in message
    assert "periods" in message


def test_a_chart_kept_for_a_founder_is_not_served_to_an_investor_of_the_same_view(app_env):
    """Charts are kept per snapshot, view (the role with it) and data (charts.show), so the
    investor of a company-wide link, on the same page and period just after a founder, gets the
    chart with its withheld months, not the founder's."""
    founder = signed_in().run()
    founder.switch_page("pages/network_growth.py").run()
    no_exception(founder)
    _link, token, _url = share_links.create_link("Ann", 7, "f@example.com")
    investor = through_link(token).run()
    investor.switch_page("pages/network_growth.py").run()
    no_exception(investor)

    def lines(at):
        (frame,) = [f for f in chart_frames(at) if "series" in f and "Active (worked)" in set(f["series"])]
        return frame.set_index(["month", "series"])["value"]
    shown, withheld = lines(founder), lines(investor)
    assert shown.notna().all()
    hidden = withheld[withheld.isna()].index
    assert len(hidden) > 0                                    # fewer than 11 experts behind those months
    assert shown.loc[hidden].notna().all()                    # which the founder's chart shows
