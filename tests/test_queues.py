"""The ops work queues against members worked out by hand: the fixture export plus one member of
each queue and the edge cases beside it (added below, to a copy, so the hand values of the other
tests keep their fixture). The snapshot's last day D is 2025-06-30 (bonus B5)."""

import shutil
from datetime import date

import pandas as pd
import pytest

from expertnet import cli
from expertnet.access import roles
from expertnet.errors import BadInput
from expertnet.ingest.load import ingest
from expertnet.metrics import queues
from expertnet.metrics.filters import Filters
from expertnet.warehouse import open_read_only
from conftest import FIXTURE_EXPORT

EXTRA = {
    "experts.csv": [
        "E16,Pia Sixteen,e16@example.com,US,software,2025-01-10,2025-01-20",   # approved, never works
        "E17,Quinn Seventeen,e17@example.com,US,finance,2024-01-01,2024-01-02",  # top earner, then quiet
        "E18,Ray Eighteen,e18@example.com,IN,software,2024-02-01,2024-02-03",    # 13 h one day, 72 h one week
        "E19,Sam Nineteen,e19@example.com,GB,finance,2024-03-01,2024-03-04",     # paid above the bill rate
        "E20,Tia Twenty,e20@example.com,US,finance,2025-05-31,",                 # waiting exactly 30 days: not yet
        "E21,Uma TwentyOne,e21@example.com,US,software,2025-05-30,",             # waiting 31 days
    ],
    "work_logs.csv": [
        "E17,K2,2025-05-12,10,100", "E17,K2,2025-05-13,10,100",
        "E18,K3,2025-06-20,13,50",
        *(f"E18,K3,2025-06-{day},12,50" for day in range(23, 29)),              # Mon 23 .. Sat 28: 72 h
        "E19,K3,2025-06-25,3,90",                                                # K3 bills $80
        "E19,K2,2025-06-26,12,60",                                               # exactly 12 h: not unusual
    ],
}
PERIOD = (date(2024, 7, 1), date(2025, 6, 1))


@pytest.fixture(scope="module")
def queues_db(tmp_path_factory):
    export = tmp_path_factory.mktemp("queues") / "export"
    shutil.copytree(FIXTURE_EXPORT, export)
    for name, lines in EXTRA.items():
        with open(export / name, "a") as out:
            out.write("".join(line + "\n" for line in lines))
    db = export.parent / "warehouse.duckdb"
    ingest(export, db)
    return db


@pytest.fixture(scope="module")
def con(queues_db):
    connection = open_read_only(str(queues_db))
    yield connection
    connection.close()


def members(con, key, filters=Filters(), columns=("expert_id",)):
    rows, size = queues.queue(con, key, *PERIOD, filters)
    assert size == len(rows)
    as_dates = [tuple(v.date() if isinstance(v, pd.Timestamp) else v for v in row)
                for row in rows[list(columns)].itertuples(index=False)]
    return [row if len(columns) > 1 else row[0] for row in as_dates]


def test_the_snapshots_last_day_is_the_latest_date_of_the_export(con):
    assert queues.as_of_date(con) == date(2025, 6, 30)       # bonus B5, after the last work log (06-28)


def test_approved_but_never_worked(con):
    # every approved expert of the fixture worked; E16, approved 2025-01-20, never did: 11 + 28 + 31
    # + 30 + 31 + 30 = 161 days to 2025-06-30
    assert members(con, "approved_never_worked", columns=("expert_id", "days_since_approval")) == [("E16", 161)]


def test_went_quiet(con):
    # earnings dated 2025-04-02 .. 06-30: E18 85 h x 50 = 4,250; E17 20 h x 100 = 2,000; then E19 990,
    # E01 800 (pay 700 + B5 100), ... 15 experts earned, so the top decile is ceil(1.5) = 2: E18 and
    # E17. E18 worked on 06-28; E17 last on 05-13, before 06-01 (D - 29): 48 days quiet.
    assert members(con, "went_quiet", columns=("expert_id", "earnings_90d_usd", "days_since_last_work")) == [
        ("E17", 2000, 48)]
    assert members(con, "went_quiet", Filters(domain="software")) == []   # the filter narrows, the decile stays
    assert members(con, "went_quiet", Filters(domain="finance")) == ["E17"]


def test_unusual_hours(con):
    # 13 h on Fri 2025-06-20; 72 h in the week from Mon 2025-06-23; E19's 12 h day is not more than 12
    assert members(con, "unusual_hours", columns=("expert_id", "span", "starting", "hours")) == [
        ("E18", "week", date(2025, 6, 23), 72), ("E18", "day", date(2025, 6, 20), 13)]
    rows, size = queues.queue(con, "unusual_hours", date(2024, 7, 1), date(2025, 5, 1))
    assert size == 0 and rows.empty                          # outside the period


def test_negative_margin(con):
    # E19: 3 h on K3 (bills $80) paid $90: a loss of 3 x 10 = $30. E07 was paid K1's bill rate, not above it.
    assert members(con, "negative_margin",
                   columns=("expert_id", "contract_id", "client", "month", "hours", "pay_rate_usd", "bill_rate_usd",
                            "loss_usd")) == [("E19", "K3", "Gamma AI", "2025-06", 3, 90, 80, 30)]


def test_stuck_in_vetting(con):
    # not approved: E07 (signed up 2024-06-10: 385 days), E13 (2025-03-20: 102 days), E21 (31 days);
    # E20 (30 days) and E15 (10 days) not yet
    assert members(con, "stuck_in_vetting", columns=("expert_id", "days_since_signup")) == [
        ("E07", 385), ("E13", 102), ("E21", 31)]
    assert members(con, "stuck_in_vetting", Filters(domain="finance")) == ["E13"]


def test_a_queue_shows_its_first_rows_and_counts_them_all(con):
    rows, size = queues.queue(con, "stuck_in_vetting", *PERIOD, limit=1)
    assert list(rows["expert_id"]) == ["E07"] and size == 3
    text = queues.queue_csv(con, "stuck_in_vetting", *PERIOD).decode()
    assert text.splitlines()[0].replace('"', "") == "expert_id,full_name,email,domain,country,signup_date,days_since_signup"
    assert [line.split(",")[0].strip('"') for line in text.splitlines()[1:]] == ["E07", "E13", "E21"]


def test_queues_are_not_for_investors_and_refuse_unknown_names(con):
    with pytest.raises(PermissionError):
        queues.queue(con, "went_quiet", *PERIOD, role=roles.INVESTOR)
    with pytest.raises(PermissionError):
        queues.queue_csv(con, "went_quiet", *PERIOD, role=roles.INVESTOR)
    with pytest.raises(BadInput):
        queues.queue(con, "../experts", *PERIOD)


def test_the_queues_command(queues_db, capsys):
    assert cli.main(["queues", "--db", str(queues_db), "--since", "2025-01", "--to", "2025-06"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Work queues as of 2025-06-30 (all experts; dated queues: 2025-01 to 2025-06)")
    counts = {line.split()[-1]: line.split()[-2] for line in out.splitlines()[3:]}
    assert counts == {"approved_never_worked": "1", "went_quiet": "1", "unusual_hours": "2", "negative_margin": "1",
                      "stuck_in_vetting": "3"}
    assert cli.main(["queues", "--db", str(queues_db), "--queue", "went_quiet", "--domain", "finance,software"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith('"E17","Quinn Seventeen"')
