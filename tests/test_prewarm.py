"""After a new snapshot is pre-warmed, no page's default view computes anything more:
its figures are all in the snapshot's cache. This keeps prewarm.default_views honest
about what the pages ask for."""

from apptest_harness import OPS_EMAIL, app_env, no_exception, signed_in  # noqa: F401  (app_env is a fixture)
from conftest import FIXTURE_EXPORT
from expertnet.load import ingest
from expertnet.ui import session
from expertnet.ui.prewarm import prewarm

PAGES = ["overview", "network_growth", "payouts", "revenue", "cohorts", "valuation", "experts"]


def test_a_prewarmed_snapshot_serves_every_default_view_from_cache(app_env, monkeypatch, tmp_path):
    fresh = tmp_path / "fresh.duckdb"            # its own snapshot id: nothing is cached for it yet
    ingest(FIXTURE_EXPORT, fresh)
    monkeypatch.setenv("EXPERTNET_DB", str(fresh))
    prewarm(session.pin_snapshot())
    assert session.computed, "the pre-warm computed nothing"

    session.computed.clear()
    for page in PAGES:
        at = signed_in()
        at.run()
        at.switch_page(f"pages/{page}.py").run()
        no_exception(at)
    assert dict(session.computed) == {}, "computed on a page's default view after the pre-warm"


def test_ops_and_founders_share_the_cache(app_env, monkeypatch, tmp_path):
    fresh = tmp_path / "fresh.duckdb"
    ingest(FIXTURE_EXPORT, fresh)
    monkeypatch.setenv("EXPERTNET_DB", str(fresh))
    founder = signed_in()
    founder.run()
    founder.switch_page("pages/network_growth.py").run()
    session.computed.clear()
    ops = signed_in(OPS_EMAIL)
    ops.run()
    ops.switch_page("pages/network_growth.py").run()
    no_exception(ops)
    assert dict(session.computed) == {}
