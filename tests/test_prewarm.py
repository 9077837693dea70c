"""After a new snapshot is pre-warmed, no page's default view computes anything more:
its figures are all in the snapshot's cache. This keeps prewarm.default_views honest
about what the pages ask for."""

import threading

from apptest_harness import (INVESTOR_PAGES, OPS_EMAIL, no_exception, signed_in,
                             through_link)
from conftest import FIXTURE_EXPORT
from expertnet.access import share_links
from expertnet.ingest.load import ingest
from expertnet.access.roles import FOUNDER
from expertnet.ui import session
from expertnet.ui.pages import pages_for
from expertnet.ui.prewarm import prewarm

PAGES = [page.file for page in pages_for(FOUNDER) if page.calls]


def test_a_prewarmed_snapshot_serves_every_default_view_from_cache(app_env, monkeypatch, tmp_path):
    fresh = tmp_path / "fresh.duckdb"            # its own snapshot id: nothing is cached for it yet
    ingest(FIXTURE_EXPORT, fresh)
    monkeypatch.setenv("EXPERTNET_DB", str(fresh))
    snapshot = session.pin_snapshot()
    prewarm(snapshot)
    assert snapshot.computed, "the pre-warm computed nothing"

    snapshot.computed.clear()
    for page in PAGES:
        at = signed_in()
        at.run()
        at.switch_page(page).run()
        no_exception(at)
    assert dict(snapshot.computed) == {}, "computed on a page's default view after the pre-warm"


def test_ops_and_founders_share_the_cache(app_env, monkeypatch, tmp_path):
    fresh = tmp_path / "fresh.duckdb"
    ingest(FIXTURE_EXPORT, fresh)
    monkeypatch.setenv("EXPERTNET_DB", str(fresh))
    founder = signed_in()
    founder.run()
    founder.switch_page("pages/network_growth.py").run()
    snapshot = session.pin_snapshot()
    snapshot.computed.clear()
    ops = signed_in(OPS_EMAIL)
    ops.run()
    ops.switch_page("pages/network_growth.py").run()
    no_exception(ops)
    assert dict(snapshot.computed) == {}


def _investor_pages_compute_nothing(token: str) -> None:
    snapshot = session.pin_snapshot()
    snapshot.computed.clear()
    for path, title in INVESTOR_PAGES:
        at = through_link(token)
        at.run()
        at.switch_page(path).run()
        no_exception(at)
    assert dict(snapshot.computed) == {}, "computed on an investor's default view after the pre-warm"


def test_a_prewarm_covers_each_live_links_investor_view(app_env, monkeypatch, tmp_path):
    _link, token, _url = share_links.create_link("Ada Investor", 7, "f@example.com", locked_domain="software")
    revoked, _token, _url = share_links.create_link("Old Investor", 7, "f@example.com", locked_country="IN")
    share_links.revoke(revoked.id)
    fresh = tmp_path / "fresh.duckdb"
    ingest(FIXTURE_EXPORT, fresh)
    monkeypatch.setenv("EXPERTNET_DB", str(fresh))
    snapshot = session.pin_snapshot()
    snapshot.computed.clear()
    prewarm(snapshot)
    # Overview's 13 months, the period's 12 and Valuation's whole company from the first mark
    # to the last month, for the founder's view and the live link's; none for the revoked link.
    assert snapshot.computed["kpi_series"] == 2 * 2
    assert snapshot.computed["company_series"] == 2
    _investor_pages_compute_nothing(token)


def test_a_link_made_on_the_share_page_is_prewarmed_at_once(app_env, monkeypatch, tmp_path):
    fresh = tmp_path / "fresh.duckdb"
    ingest(FIXTURE_EXPORT, fresh)
    monkeypatch.setenv("EXPERTNET_DB", str(fresh))
    founder = signed_in()
    founder.run()                                    # pins the snapshot with the watcher off
    founder.switch_page("pages/share.py").run()
    monkeypatch.setenv("EXPERTNET_PREWARM", "1")     # only the new link's warm-up is under test
    founder.text_input(key="share-to").input("Ada Investor")
    founder.selectbox(key="share-country").set_value("US")
    founder.button[0].click().run()
    no_exception(founder)
    [link] = share_links.list_links()
    assert link.locked_country == "US"
    for thread in threading.enumerate():
        if thread.name == "expertnet-prewarm-link":
            thread.join(60)
    monkeypatch.setenv("EXPERTNET_PREWARM", "0")
    _investor_pages_compute_nothing(share_links.url_for(link).split("share=")[1])
