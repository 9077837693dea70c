"""A share of billings beside billings gives away the other clients' billings too: they must rest
on 0 or at least 11 experts, as the top clients must (METRICS.md: a share of a total and that
total are members of one identity). The fixture plus 12 experts working for Beta Corp (C2) in
2025-06, so that its top client rests on 16 experts while the other two rest on 5."""

import shutil
from datetime import date

import pytest

from conftest import FIXTURE_EXPORT
from expertnet.access import roles
from expertnet.ingest.load import ingest
from expertnet.metrics import kpis
from expertnet.warehouse import open_read_only

JUNE = date(2025, 6, 1)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    export = tmp_path_factory.mktemp("complement") / "export"
    shutil.copytree(FIXTURE_EXPORT, export)
    with open(export / "experts.csv", "a") as out:
        out.write("".join(f"E{n},Crowd {n},e{n}@example.com,US,software,2025-01-02,2025-01-03\n" for n in range(30, 42)))
    with open(export / "work_logs.csv", "a") as out:
        out.write("".join(f"E{n},K2,2025-06-09,1,50\n" for n in range(30, 42)))
    db = export.parent / "warehouse.duckdb"
    ingest(export, db)
    connection = open_read_only(str(db))
    yield connection
    connection.close()


def test_the_top_clients_share_is_withheld_when_the_other_clients_rest_on_5_experts(con):
    founder = kpis.kpis(con, JUNE)
    investor = kpis.kpis(con, JUNE, role=roles.INVESTOR)
    # billings 4,820 + 12 h x $150 = 6,620; Beta Corp 2,300 + 1,800 = 4,100 on 16 experts; Delta Bank
    # (E01, E09, E11) and Gamma AI (E03, E12): 2,520 on 5 experts
    assert founder["billings_usd"] == investor["billings_usd"] == 6620
    assert founder["top_client_share"] == pytest.approx(4100 / 6620)
    assert investor["top_client_share"] is None        # 6,620 x (1 - share) would be the 5 experts' 2,520
    assert investor["top5_client_share"] == 1.0       # the top five are all three clients: nothing outside them
