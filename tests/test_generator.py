"""The demo generator (expertnet/demo/): one seed, one export; the export is a
real export that `ingest` accepts and that gives the same numbers; the shape is
the one the module promises. Sizes are small so that the file runs in seconds."""

import filecmp
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from expertnet.metrics import kpis
from expertnet.demo import generate
from expertnet.ingest.load import ingest
from expertnet.warehouse import open_read_only

ROOT = Path(__file__).resolve().parents[1]
EXPORT_FILES = ["experts.csv", "clients.csv", "contracts.csv", "work_logs.csv", "bonuses.csv", "valuations.csv"]
MONTHS = [date(2025, 12, 1), date(2024, 6, 1)]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "expertnet", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def cli_generate(folder: Path, seed: int, experts: int = 3000) -> tuple[Path, Path]:
    db, export = folder / "warehouse.duckdb", folder / "export"
    cli("generate", "--db", str(db), "--experts", str(experts), "--seed", str(seed), "--export", str(export))
    return db, export


def numbers(db: Path) -> dict:
    with open_read_only(str(db)) as con:
        return {"kpis": {m.isoformat(): kpis.kpis(con, m) for m in MONTHS},
                "retention": kpis.records(kpis.retention(con))}


@pytest.fixture(scope="module")
def seed7(tmp_path_factory) -> tuple[Path, Path]:
    return cli_generate(tmp_path_factory.mktemp("seed7a"), 7)


# ---------------------------------------------------------------- (a) determinism

def test_same_seed_gives_the_same_export_byte_for_byte(seed7, tmp_path):
    _, first = seed7
    _, second = cli_generate(tmp_path, 7)
    assert sorted(p.name for p in first.iterdir()) == sorted(EXPORT_FILES)
    assert sorted(p.name for p in second.iterdir()) == sorted(EXPORT_FILES)
    match, mismatch, errors = filecmp.cmpfiles(first, second, EXPORT_FILES, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in EXPORT_FILES)


def test_a_different_seed_gives_different_data(seed7, tmp_path):
    _, first = seed7
    _, other = cli_generate(tmp_path, 8)
    for name in ("experts.csv", "work_logs.csv", "contracts.csv"):
        assert (first / name).read_bytes() != (other / name).read_bytes(), name


# ---------------------------------------------------------------- (b) the export is a real export

def test_the_export_reloads_to_the_same_numbers(seed7, tmp_path):
    built, export = seed7
    reloaded = tmp_path / "reloaded.duckdb"
    result = ingest(export, reloaded)
    assert result.rows["work_logs"] > 0
    expected = numbers(built)
    assert expected["kpis"]["2025-12-01"]["experts_total"] == 3000
    assert expected["retention"]
    assert numbers(reloaded) == expected


def test_the_parquet_path_gives_the_same_numbers_as_the_csv_export(seed7, tmp_path):
    """Without --export the generator loads through Parquet; the numbers do not depend on it."""
    built, _ = seed7
    via_parquet = tmp_path / "parquet.duckdb"
    generate(via_parquet, 3000, None, 7)
    assert numbers(via_parquet) == numbers(built)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("expertnet-demo-")] == []


# ---------------------------------------------------------------- (c) --work-logs

def test_work_logs_gives_exactly_that_many_work_logs(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    cli("generate", "--db", str(db), "--experts", "5000", "--work-logs", "20000")
    with open_read_only(str(db)) as con:
        assert con.execute("SELECT count(*) FROM work_logs").fetchone()[0] == 20_000
        assert con.execute("SELECT count(*) FROM experts").fetchone()[0] == 5_000


# ---------------------------------------------------------------- (d) the default shape

@pytest.fixture(scope="module")
def default_shape(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("shape") / "warehouse.duckdb"
    generate(db, 20_000)             # the default seed
    return db


def test_the_default_shape_looks_like_the_spec(default_shape):
    with open_read_only(str(default_shape)) as con:
        first_signup, last_signup = con.execute("SELECT min(signup_date), max(signup_date) FROM experts").fetchone()
        workers = con.execute("SELECT count(DISTINCT expert_id) FROM work_logs").fetchone()[0]
        marks = con.execute("SELECT as_of_date, round, post_money_usd FROM valuations ORDER BY as_of_date").fetchall()
        k = kpis.kpis(con, date(2025, 12, 1))
    # Founded 2022-01; signups run to 2025-12.
    assert (first_signup.year, first_signup.month) == (2022, 1)
    assert (last_signup.year, last_signup.month) == (2025, 12)
    assert k["experts_total"] == 20_000
    # A 20-35% take rate.
    assert 0.20 <= k["take_rate"] <= 0.35
    # A Series A at $500M post-money in 2025, after a Seed mark.
    assert k["valuation_usd"] == 500_000_000
    series_a = next(d for d, _, v in marks if v == 500_000_000)
    assert any(r == "Seed" and d < series_a for d, r, _ in marks)
    # Most experts never work.
    assert workers / k["experts_total"] < 0.5
    # Annualised billings of about $50 per signed-up expert.
    assert 0.4 * 50 * k["experts_total"] <= k["arr_usd"] <= 1.6 * 50 * k["experts_total"]


def test_the_arr_projection_runs_a_year_ahead_with_a_band_and_a_backtest(tmp_path):
    from expertnet.metrics import forecast
    built = tmp_path / "w.duckdb"
    generate(built, 20_000, None, 7)        # 3,000 experts bill too rarely for 24 months in a row
    with open_read_only(str(built)) as con:
        projection = forecast.arr_projection(con, date(2025, 12, 1))
    by_kind = {kind: rows for kind, rows in projection.groupby("kind")}
    ahead, back, actual = by_kind["projection"], by_kind["backtest"], by_kind["actual"]
    assert list(ahead["month"]) == [f"2026-{m:02d}" for m in range(1, 13)]       # the 12 months after 2025-12
    assert (ahead["low_usd"] < ahead["arr_usd"]).all() and (ahead["arr_usd"] < ahead["high_usd"]).all()
    assert list(back["month"]) == list(actual["month"].iloc[-12:])              # last year's guess of known months
    known = actual.set_index("month")["arr_usd"].loc[list(back["month"])]
    expected_error = ((back.set_index("month")["arr_usd"] - known).abs() / known).mean()
    assert forecast.backtest_error(projection) == pytest.approx(expected_error)
    assert actual["arr_usd"].iloc[-1] == pytest.approx(numbers(built)["kpis"]["2025-12-01"]["arr_usd"])
