"""A warehouse built from other rollup definitions than this code's is refused, with what to do."""

import shutil

import duckdb
import pytest

from expertnet import cli
from apptest_harness import signed_in


@pytest.fixture
def outdated_db(fixture_db, tmp_path):
    db = tmp_path / "outdated.duckdb"
    shutil.copyfile(fixture_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE snapshot SET rollups_version = 'built-by-older'")
    return db


def test_the_cli_refuses_it_and_says_how_to_rebuild(outdated_db, capsys):
    assert cli.main(["kpis", "--db", str(outdated_db), "--month", "2025-06"]) == 2
    error = capsys.readouterr().err
    assert "another version of expertnet" in error and "ingest" in error


def test_the_dashboard_refuses_it_and_shows_no_numbers(app_env, outdated_db, monkeypatch):
    monkeypatch.setenv("EXPERTNET_DB", str(outdated_db))
    at = signed_in()
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["No warehouse yet"]
    assert "another version of expertnet" in at.info[0].value
    assert not at.metric
