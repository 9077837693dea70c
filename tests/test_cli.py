"""The command line says a mistake in one line that names the help of the command as typed,
and its conveniences: the latest month by default, codes normalised, warnings when nothing
matches, the retention grid."""

import pytest

from expertnet.cli import main


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, hint", [
    ((), "the following arguments are required: COMMAND (see `python -m expertnet --help`)"),
    (("bogus",), "invalid choice: 'bogus'"),
    (("share",), "the following arguments are required: COMMAND (see `python -m expertnet share --help`)"),
    (("users",), "(see `python -m expertnet users --help`)"),
    (("share", "create"), "required: --to, --days (see `python -m expertnet share create --help`)"),
    (("kpis", "--bogus"), "unrecognized arguments: --bogus (see `python -m expertnet kpis --help`)"),
    (("share", "list", "extra"), "unrecognized arguments: extra (see `python -m expertnet share list --help`)"),
])
def test_a_mistake_is_one_line_naming_the_right_help(capsys, argv, hint):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and hint in err
    assert "expertnet expertnet" not in err and "_command" not in err


def test_kpis_default_to_the_latest_month_and_normalise_codes(capsys, fixture_db):
    code, out, err = run(capsys, "kpis", "--db", str(fixture_db), "--country", " in ", "--format", "json")
    assert code == 0 and err == ""
    assert '"month": "2025-06"' in out               # the fixture's last month with data
    code, typed, _ = run(capsys, "kpis", "--db", str(fixture_db), "--country", "IN", "--month", "2025-06",
                         "--format", "json")
    assert typed == out


def test_kpis_warn_when_nothing_matches(capsys, fixture_db):
    code, out, err = run(capsys, "kpis", "--db", str(fixture_db), "--domain", "astrology", "--month", "2031-01")
    assert code == 0
    assert "warning: no expert has the domain 'astrology'" in err
    assert "warning: 2031-01 is outside the data, which runs from 2024-01 to 2025-06" in err


def test_retention_grid_is_cohorts_down_and_months_across(capsys, fixture_db):
    code, out, err = run(capsys, "retention", "--db", str(fixture_db), "--format", "grid", "--cohort", "2025-03")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1].split() == ["cohort", "experts", "m0", "m1", "m2", "m3"]
    # E10 to E13 signed up in 2025-03; one of them worked that month (RETENTION_COHORT_2025_03)
    assert lines[3].split()[:3] == ["2025-03", "4", "25.0%"]
