"""Spread by client segment, domain and contract, and client logo retention, against values
worked out by hand from tests/fixture_export (the work logs of 2025, listed in the comments)."""

from datetime import date

import pytest

from expertnet.access import roles
from expertnet.metrics import breakdowns, kpis
from expertnet.metrics.filters import Filters
from expertnet.warehouse import open_read_only

YEAR_2025 = (date(2025, 1, 1), date(2025, 12, 1))


@pytest.fixture(scope="module")
def con(fixture_db):
    connection = open_read_only(str(fixture_db))
    yield connection
    connection.close()


def rows(frame, columns):
    return {row[0]: tuple(row[1:]) for row in frame[columns].itertuples(index=False)}


def test_spread_by_contract_2025(con):
    # K4 (Delta Bank, $120): E09 4h@100 + 2h@100 + 4h@100, E10 2h@50 + 4h@50, E11 4h@50 + 4h@50,
    #   E01 5h@50: 29 h, billings 29*120 = 3,480, pay 1,950, spread 1,530, 4 experts.
    # K2 (Beta Corp, $150): E02 4+4+4+2 h @60, E01 5+4 h @50: 23 h, 3,450, pay 1,290, 2 experts.
    # K5 (Beta Corp, $200): E05 4h, E10 2h, E14 5h, all @100: 11 h, 2,200, pay 1,100, 3 experts.
    # K3 (Gamma AI, $80): E06 5h, E04 2h, E03 10h, E12 2h, all @50: 19 h, 1,520, pay 950, 4 experts.
    frame = breakdowns.spread_by(con, *YEAR_2025)["contract"]
    assert list(frame["name"]) == ["K4", "K2", "K5", "K3"]            # largest billings first
    got = rows(frame, ["name", "client", "bill_rate_usd", "hours", "billings_usd", "expert_pay_usd",
                       "spread_usd", "experts"])
    assert got == {"K4": ("Delta Bank", 120, 29, 3480, 1950, 1530, 4),
                   "K2": ("Beta Corp", 150, 23, 3450, 1290, 2160, 2),
                   "K5": ("Beta Corp", 200, 11, 2200, 1100, 1100, 3),
                   "K3": ("Gamma AI", 80, 19, 1520, 950, 570, 4)}
    assert frame.set_index("name")["spread_per_hour_usd"].to_dict() == pytest.approx(
        {"K4": 1530 / 29, "K2": 2160 / 23, "K5": 1100 / 11, "K3": 570 / 19})
    assert list(breakdowns.spread_by(con, *YEAR_2025, limit=2)["contract"]["name"]) == ["K4", "K2"]


def test_spread_by_segment_and_domain_2025(con):
    by_segment = rows(breakdowns.spread_by(con, *YEAR_2025)["segment"],
                      ["name", "hours", "billings_usd", "expert_pay_usd", "spread_usd", "experts"])
    # enterprise = K4 + K2 + K5; experts E09 E10 E11 E01 E02 E05 E14 (E01 and E10 counted once)
    assert by_segment == {"enterprise": (63, 9130, 4340, 4790, 7), "startup": (19, 1520, 950, 570, 4)}
    by_domain = rows(breakdowns.spread_by(con, *YEAR_2025, filters=Filters(domain="finance"))["domain"],
                     ["name", "hours", "billings_usd", "expert_pay_usd", "experts"])
    assert list(by_domain) == ["finance"]                              # the filter holds


def test_spread_rows_add_up_to_the_kpis_of_the_period(con):
    series = kpis.kpi_series(con, *YEAR_2025)
    for by in breakdowns.SPREAD_KINDS:
        frame = breakdowns.spread_by(con, *YEAR_2025, limit=100)[by]
        assert frame["billings_usd"].sum() == pytest.approx(series["billings_usd"].sum())
        assert frame["spread_usd"].sum() == pytest.approx(
            (series["billings_usd"] - series["expert_pay_usd"]).sum())
        assert frame["hours"].sum() == pytest.approx(series["hours"].sum())


def test_client_logo_retention_by_first_billing_month(con):
    # First billed: C2 (K2) 2024-05; C1 (K1) and C3 (K3) 2024-06; C4 (K4) 2025-01; C5 never.
    # C2 billed 2024-05, 06, 07, 10, 2025-02, 03, 05, 06. C1: 2024-06, 07, 09, 12.
    # C3: 2024-06, 08, 12, 2025-05, 06. C4: 2025-01, 03, 05, 06.
    frame = breakdowns.client_logo_retention(con)
    got = {(c, k): (size, billed) for c, k, size, billed in
           frame[["cohort", "months_since", "cohort_clients", "clients_billed"]].itertuples(index=False)}
    assert got[("2024-05", 0)] == (1, 1) and got[("2024-05", 3)] == (1, 0) and got[("2024-05", 5)] == (1, 1)
    assert [got[("2024-06", k)][1] for k in range(7)] == [2, 1, 1, 1, 0, 0, 2]
    assert [got[("2025-01", k)][1] for k in range(6)] == [1, 0, 1, 0, 1, 1]
    assert set(frame["cohort"]) == {"2024-05", "2024-06", "2025-01"}
    assert frame["months_since"].max() == 13                          # 2024-05 .. 2025-06, the last work
    assert frame.loc[(frame["cohort"] == "2024-06") & (frame["months_since"] == 1), "rate"].item() == 0.5


def test_client_breakdowns_are_not_for_investors(con):
    with pytest.raises(PermissionError):
        breakdowns.spread_by(con, *YEAR_2025, role=roles.INVESTOR)
    with pytest.raises(PermissionError):
        breakdowns.client_logo_retention(con, role=roles.INVESTOR)
