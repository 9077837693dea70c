"""The dashboard under load: snapshots swapped in while pages run, and many sessions at once.

Both tests drive the real app (app.py -> Overview) with Streamlit's AppTest from several
threads at the same time.

AppTest is not made for that on its own: every `AppTest.run()` swaps process-wide state in
and out around its script run -- `Runtime._instance` (a fresh mock, then None),
`st.secrets`, a `patch.object(config, "get_option", ...)` for "global.appTest",
`PagesManager.uses_pages_directory` (reset to None) -- and compiles the scripts anew in a
fresh ScriptCache. Tried first as it is, from 3 threads: one run's teardown pulls the
Runtime from under another ("RuntimeError: Runtime hasn't been created!", "st.session_state
has no key ...SCRIPT_RUN_WITHOUT_ERRORS"), overlapping compiles trip CPython 3.11's
thread-unsafe AST state ("SystemError: AST constructor recursion depth mismatch"), and the
nested config patches can leave the mock `get_option` installed for good.

Workaround, the `concurrent_apptest` fixture: that process-wide state is set ONCE for the
test, as a real server has it (one Runtime, one script cache, one secrets object, the
config, and the flag as st.navigation leaves it), and AppTest's per-run swaps are pointed
at stand-ins so that they no longer touch it. Everything per session (session state, query
params, the signed-in user, the script thread) stays AppTest's own, and the app runs
unchanged -- including the real `pin_snapshot`/`cached_call` with the process-wide
st.cache_resource/st.cache_data, shared between sessions as in the server.
"""

import csv
import json
import logging
import re
import shutil
import statistics
import threading
import time
from contextlib import nullcontext
from pathlib import Path
from unittest.mock import MagicMock

import duckdb
import pytest
import streamlit as st
import streamlit.testing.v1.app_test as app_test_module
import streamlit.testing.v1.local_script_runner as local_script_runner_module
from streamlit import config as st_config
from streamlit.runtime import Runtime
from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
from streamlit.runtime.dataframe_source_manager import DataframeSourceManager
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import build_mock_config_get_option

from apptest_harness import AUTH
from expertnet.metrics import kpis
from expertnet.metrics.filters import Filters, parse_month
from expertnet.metrics.formatting import format_value
from expertnet.ingest.load import ingest
from expertnet.ui import session
from expertnet.warehouse import open_read_only

pytestmark = pytest.mark.slow      # concurrent sessions and live swaps: `make test` runs them

TESTS_DIR = Path(__file__).resolve().parent
APP = TESTS_DIR.parent / "app.py"
FIXTURE_EXPORT = TESTS_DIR / "fixture_export"
ARTIFACTS_DIR = TESTS_DIR / "artifacts"
FOUNDER = "f@example.com"
SECRETS = {"auth": dict(AUTH), "roles": {"founders": [FOUNDER], "ops": []}}
LAST_MONTH = "2025-06"                      # the fixture's data ends here: the Overview's month

# The figures one Overview page shows, each from a different place in the page run:
#   "data to"    the caption: the snapshot table, read when app.py pins the snapshot
#   countries    the sidebar's Country options: breakdowns.filter_options (its own cached call)
#   billings     the "Billings (GMV)" tile: activity_by_month.sql inside kpis.kpi_series
#   experts      the "Experts signed up" tile: expert_counts_by_month.sql inside kpi_series
# Export A is tests/fixture_export as it is (hand-checked in its README.md and
# tests/test_fixture_kpis.py): 2025-06 billings $4,820, 15 experts, last work log 2025-06-16.
PAGE_A = ("2025-06-16", ("GB", "IN", "US"), "$4,820", "15")
# Export B doubles the hours of every work log (2025-06: 2 x 4,820 = 9,640) and adds expert
# E16 (DE, signed up 2025-06-25) with one hour on K5 (bill rate $200) on 2025-06-28:
# billings 9,640 + 200 = $9,840, 15 + 1 = 16 experts, data to 2025-06-28, a fifth country.
PAGE_B = ("2025-06-28", ("DE", "GB", "IN", "US"), "$9,840", "16")


# ---------------------------------------------------------------- AppTest from many threads

@pytest.fixture
def concurrent_apptest(monkeypatch, tmp_path):
    """Make AppTest runs safe to overlap in threads (see the module docstring)."""
    monkeypatch.setenv("EXPERTNET_APP_STATE", str(tmp_path / "app_state.sqlite3"))
    monkeypatch.setenv("EXPERTNET_SHARE_KEY_FILE", str(tmp_path / "share_signing.key"))
    for name in ("EXPERTNET_SHARE_KEY", "EXPERTNET_BASE_URL", "EXPERTNET_SECRETS"):
        monkeypatch.delenv(name, raising=False)

    runtime = MagicMock(spec=Runtime)        # one Runtime for the process, as in a server
    runtime.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/mock/media"))
    runtime.dataframe_source_mgr = DataframeSourceManager()
    runtime.cache_storage_manager = MemoryCacheStorageManager()
    monkeypatch.setattr(Runtime, "_instance", runtime)
    monkeypatch.setattr(app_test_module, "Runtime", type("RuntimeStandIn", (), {"_instance": None}))

    secrets = Secrets()                      # one st.secrets; AppTest.secrets stays empty, so
    secrets._secrets = SECRETS               # AppTest never swaps it
    monkeypatch.setattr(st, "secrets", secrets)

    monkeypatch.setattr(st_config, "get_option", build_mock_config_get_option({"global.appTest": True}))
    monkeypatch.setattr(app_test_module, "patch_config_options", lambda overrides: nullcontext())

    # One script cache, as the server's Runtime has: AppTest makes a new one per run, so every
    # run compiled app.py and the page again, and compiles overlapping in threads hit
    # CPython 3.11's thread-unsafe AST state ("SystemError: AST constructor recursion depth
    # mismatch"). The shared cache compiles each file once, under its lock.
    script_cache = ScriptCache()
    monkeypatch.setattr(app_test_module, "ScriptCache", lambda: script_cache)
    monkeypatch.setattr(local_script_runner_module, "ScriptCache", lambda: script_cache)

    # The app calls st.navigation, which leaves this False in a server after the first run.
    monkeypatch.setattr(PagesManager, "uses_pages_directory", False)
    monkeypatch.setattr(app_test_module, "PagesManager", type("PagesManagerStandIn", (PagesManager,), {}))

    # Driving AppTest from plain threads logs "missing ScriptRunContext" on every run
    # (a filter, as Streamlit resets its loggers' levels when it reads its config).
    noisy = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    quiet = _DropMessage("missing ScriptRunContext")
    noisy.addFilter(quiet)
    yield
    noisy.removeFilter(quiet)


class _DropMessage(logging.Filter):
    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


def founder_session(query_params: dict | None = None) -> AppTest:
    """A new browser session of a signed-in founder (secrets come from the fixture)."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.user = {"email": FOUNDER, "is_logged_in": True}
    for key, value in (query_params or {}).items():
        at.query_params[key] = value
    return at


def page_problems(at: AppTest) -> list[str]:
    """What went wrong on a page run, if anything: exceptions, error boxes, not the Overview."""
    problems = [f"exception: {e.message}" for e in at.exception]
    problems += [f"error: {e.value}" for e in at.error]
    if [t.value for t in at.title] != ["Overview"]:
        problems.append(f"titles {[t.value for t in at.title]} (not the Overview)")
    return problems


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def data_to(at: AppTest) -> str | None:
    for caption in at.caption:
        found = re.search(r"data to (\S+),", caption.value)
        if found:
            return found.group(1)
    return None


# ---------------------------------------------------------------- exports and connections

def make_exports(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "export_a", tmp_path / "export_b"
    shutil.copytree(FIXTURE_EXPORT, a)
    shutil.copytree(FIXTURE_EXPORT, b)
    path = b / "work_logs.csv"
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    for row in rows:
        row["hours"] = str(int(row["hours"]) * 2)
    rows.append({"expert_id": "E16", "contract_id": "K5", "work_date": "2025-06-28", "hours": "1",
                 "pay_rate_usd": "100"})
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        writer.writerows(rows)
    with (b / "experts.csv").open("a", newline="") as f:
        csv.writer(f).writerow(["E16", "Pia Sixteen", "e16@example.com", "DE", "software", "2025-06-25", ""])
    return a, b


@pytest.fixture
def recorded_connections(monkeypatch):
    """Every connection the dashboard opens for a snapshot, in order."""
    opened = []
    real_open = session._open

    def recording_open(target):
        con = real_open(target)
        opened.append(con)
        return con

    monkeypatch.setattr(session, "_open", recording_open)
    return opened


def is_closed(con) -> bool:
    try:
        con.cursor().close()
    except duckdb.ConnectionException:
        return True
    return False


# ---------------------------------------------------------------- 1. live refresh

def test_pages_pick_up_each_new_snapshot_and_never_mix_two(
        tmp_path, monkeypatch, concurrent_apptest, recorded_connections):
    """Loads B, A, B, ... swapped in while 3 sessions load the Overview over and over.

    The freshness check below is what caught session.py opening each new snapshot with
    duckdb.connect(path): DuckDB handed back the database already open under that path,
    so every page kept showing the first snapshot after the first swap."""
    export_a, export_b = make_exports(tmp_path)
    db = tmp_path / "warehouse" / "warehouse.duckdb"
    ingest(export_a, db)
    monkeypatch.setenv("EXPERTNET_DB", str(db))
    # Longer than any page run here (the slowest take about 1 s under this load),
    # short enough that retiring can be checked within the test. At 0 a pin closes the old
    # connection at once, under the pages still running on it, which is exactly what the
    # grace period is there to prevent.
    grace = 3.0
    monkeypatch.setattr(session, "RETIRED_CONNECTION_GRACE_SECONDS", grace)

    # Before any swap: each page is the hand-checked A page.
    first = founder_session()
    first.run()
    assert page_problems(first) == []
    observed_first = (data_to(first), tuple(first.multiselect(key="country").options),
                      tiles(first)["Billings (GMV)"], tiles(first)["Experts signed up"])
    assert observed_first == PAGE_A

    pages = {PAGE_A: "A", PAGE_B: "B"}
    runs, problems = [], []               # runs: (started, ended, "A" | "B")
    swaps = [(0.0, 0.0, "A")]             # (began, done, label): the file at the path once done
    lock = threading.Lock()
    # Bound by counts, not by a wall clock: swaps_wanted loads swapped in while every session
    # keeps loading pages, and each session loads at least loads_wanted pages (a busy machine
    # only makes the test slower). give_up only stops a hung run.
    swaps_wanted, loads_wanted = 5, 10
    t0 = time.monotonic()
    give_up = t0 + 600
    swapping_done = threading.Event()

    def swapper():
        for label in ["B", "A"] * (swaps_wanted // 2) + ["B"] * (swaps_wanted % 2):
            time.sleep(1.0)
            began = time.monotonic() - t0
            ingest(export_b if label == "B" else export_a, db)
            with lock:
                swaps.append((began, time.monotonic() - t0, label))
        swapping_done.set()

    def browse(number: int):
        # Session 0 reruns one AppTest (one browser tab left open), session 1 opens a new
        # session for every page load, session 2 opens a new one every third load.
        at = None
        loads = 0
        while (not swapping_done.is_set() or loads < loads_wanted) and time.monotonic() < give_up:
            if at is None or number == 1 or (number == 2 and loads % 3 == 0):
                at = founder_session()
            started = time.monotonic() - t0
            try:
                at.run()
            except Exception as error:            # a timed-out or crashed run
                with lock:
                    problems.append(f"session {number}: run raised {error!r}")
                at = None
                loads += 1                        # counted, so a failing session still ends
                continue
            ended = time.monotonic() - t0
            loads += 1
            found = page_problems(at)
            shown = tiles(at)
            page = (data_to(at), tuple(at.multiselect(key="country").options) if at.multiselect else (),
                    shown.get("Billings (GMV)"), shown.get("Experts signed up"))
            with lock:
                problems.extend(f"session {number}: {p}" for p in found)
                if page not in pages:
                    problems.append(f"session {number}: a page that is neither A nor B: {page}")
                else:
                    runs.append((started, ended, pages[page]))

    threads = [threading.Thread(target=swapper)] + [threading.Thread(target=browse, args=(n,))
                                                     for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert time.monotonic() < give_up, "the sessions did not finish their page loads"
    assert problems == []
    assert len(swaps) == 1 + swaps_wanted
    assert len(runs) >= 3 * loads_wanted

    # Fresh, not just consistent: a run shows the snapshot that was at the path when it
    # started, or one being swapped in while it ran -- never an older one.
    stale = []
    for started, ended, label in runs:
        current = [lbl for _, done, lbl in swaps if done <= started][-1:]
        during = [lbl for began, done, lbl in swaps if began < ended and done > started]
        if label not in current + during:
            stale.append((round(started, 2), round(ended, 2), label))
    assert stale == [], f"pages showed an older snapshot than the file at the path: {stale[:5]}"
    # ...so without a restart both snapshots were seen after being swapped in anew.
    first_swap, second_swap = swaps[1][1], swaps[2][1]
    assert any(label == "B" and started > first_swap for started, _, label in runs)
    assert any(label == "A" and started > second_swap for started, _, label in runs)

    # Retired connections get closed: once the grace period has passed, the next pin closes
    # every connection but the current one.
    time.sleep(grace + 0.2)
    last = founder_session()
    last.run()
    assert page_problems(last) == []
    final = ((data_to(last), tuple(last.multiselect(key="country").options),
              tiles(last)["Billings (GMV)"], tiles(last)["Experts signed up"]))
    assert final == {"A": PAGE_A, "B": PAGE_B}[swaps[-1][2]]
    assert len(recorded_connections) >= len(swaps)
    still_open = [con for con in recorded_connections if not is_closed(con)]
    print(f"\nlive refresh: {len(runs)} page loads over {len(swaps) - 1} swaps; "
          f"{len(recorded_connections)} snapshot connections opened, {len(still_open)} still open")
    assert len(still_open) == 1
    assert still_open[0] is recorded_connections[-1]
    still_open[0].close()                  # this test's warehouse is gone after it


# ---------------------------------------------------------------- 2. many sessions at once

SESSIONS = [                # (URL query params, the same filters as kpis.Filters)
    ({}, Filters()),
    ({"domain": "software"}, Filters(domain="software")),
    ({"country": "IN"}, Filters(country="IN")),
    ({"cohort": "2025-03"}, Filters(cohort=parse_month("2025-03"))),
    ({"domain": "finance", "country": "US"}, Filters(domain="finance", country="US")),
    ({"domain": "software", "cohort": "2024-06"}, Filters(domain="software", cohort=parse_month("2024-06"))),
]
CHECKED = ["billings_usd", "experts_total", "experts_active", "hours", "payouts_usd", "net_revenue_usd"]


def test_many_sessions_each_see_only_their_own_filters(
        tmp_path, monkeypatch, concurrent_apptest, recorded_connections):
    db = tmp_path / "warehouse" / "warehouse.duckdb"
    ingest(FIXTURE_EXPORT, db)
    monkeypatch.setenv("EXPERTNET_DB", str(db))

    # Expected tiles per filter, from the metrics layer directly (one connection with the
    # app's settings, closed before the sessions start).
    expected = {}
    with open_read_only(str(db)) as con:
        for params, filters in SESSIONS:
            month = kpis.kpis(con, parse_month(LAST_MONTH), filters)
            assert month["experts_total"] or month["billings_usd"], f"{filters} would show the empty state"
            expected[filters] = {kpis.KPIS_BY_KEY[k].label: format_value(month[k], kpis.KPIS_BY_KEY[k].unit)
                                 for k in CHECKED}
    figures = [tuple(e.values()) for e in expected.values()]
    assert len(set(figures)) == len(SESSIONS), "two filters give the same figures: the test could not tell them apart"

    wall_times, problems = [], []
    lock = threading.Lock()
    loads_each = 8        # bound by count, so a busy machine makes the test slower, never failing

    def browse(number: int):
        params, filters = SESSIONS[number]
        want = expected[filters]
        at, loads = None, 0
        while loads < loads_each:
            if at is None or loads % 5 == 0:      # a new tab every fifth load, else a rerun
                at = founder_session(params)
            started = time.perf_counter()
            try:
                at.run()
            except Exception as error:
                with lock:
                    problems.append(f"session {number}: run raised {error!r}")
                at = None
                loads += 1                        # counted, so a failing session still ends
                continue
            took = time.perf_counter() - started
            loads += 1
            found = page_problems(at)
            shown = tiles(at)
            got = {label: shown.get(label) for label in want}
            if got != want:
                others = [f for f, e in expected.items() if e == got]
                found.append(f"showed {got} ({'the figures of ' + str(others) if others else 'no filter'}), "
                             f"expected {want} for {filters}")
            if not any(filters.describe() in c.value for c in at.caption):
                found.append(f"the caption does not name {filters.describe()!r}")
            with lock:
                wall_times.append(took)
                problems.extend(f"session {number}: {p}" for p in found)

    threads = [threading.Thread(target=browse, args=(n,)) for n in range(len(SESSIONS))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    assert problems == [], problems[:10]
    assert len(wall_times) == loads_each * len(SESSIONS)
    ordered = sorted(wall_times)
    summary = {
        "sessions": len(SESSIONS),
        "seconds": round(elapsed, 1),
        "page_runs": len(wall_times),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }
    print(f"\nconcurrency: {summary['page_runs']} Overview runs by {summary['sessions']} sessions in "
          f"{summary['seconds']} s: p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
          f"max {summary['max_ms']} ms")
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    (ARTIFACTS_DIR / "concurrency.json").write_text(json.dumps(summary, indent=2) + "\n")
    assert len(recorded_connections) == 1      # one snapshot, one connection for every session
    recorded_connections[0].close()            # this test's warehouse is gone after it
