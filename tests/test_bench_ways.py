"""The benchmark's independent ways, run on a small network so they cannot rot: way 1 (the
pages' functions over the rollups), way 2 (pandas over the raw tables) and way 3 (plain SQL
over the raw tables) must each finish and agree on every figure of every workload, and the
benchmark must time each page the page registry declares."""

import pytest
import json
import subprocess
import sys

from conftest import PROJECT_DIR
from expertnet.access.roles import INVESTOR
from expertnet.ui.pages import pages_for


@pytest.mark.slow
def test_the_three_ways_run_and_agree_on_a_small_network(tmp_path):
    # 3k experts and 20k work logs: small enough that early signup cohorts have no work at
    # all (way 2 once crashed on exactly that).
    done = subprocess.run([sys.executable, "bench/run.py", "--experts", "3000", "--work-logs", "20000",
                           "--repeat", "1", "--db", str(tmp_path / "bench.duckdb"), "--format", "json"],
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert not [n for n in report["notes"] if "failed" in n or "SKIPPED" in n], report["notes"]
    agreement = report["agreement"]
    assert agreement["ways_compared"] == [1, 2, 3]
    assert agreement["differences"] == []
    assert agreement["agree"] is True
    assert report["warehouse"]["rows"]["work_logs"] == 20_000

    declared = [(p.title, [c.workload for c in p.calls if INVESTOR in c.roles]) for p in pages_for(INVESTOR) if p.calls]
    assert [(p["page"], [w for w in p["computes"]]) for p in report["pages"]] == [
        (title, [report["workloads"][w]["call"] for w in workloads]) for title, workloads in declared]
    for entry in report["pages"]:
        assert set(entry["ways"]) == {"1", "2", "3"}, entry["page"]
        assert all(entry["ways"][way]["median_s"] > 0 for way in entry["ways"]), entry["page"]
