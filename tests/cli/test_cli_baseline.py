"""``recoup baseline import`` and ``show`` as a user runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner, Result

from recoup.cli_baseline import SHOWN_ERRORS, baseline_app

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "baseline.csv"
HEADER = "invoice_id,amount,currency,due_date,failed_at,paid_at,segment"

#: The main app registers ``baseline_app`` the same way.
app = typer.Typer()
app.add_typer(baseline_app, name="baseline")


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["baseline", *args])


def shown(db_url: str, *args: str) -> dict[str, Any]:
    result = run("show", "--database", db_url, "--json", *args)
    assert result.exit_code == 0, result.output
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def test_import_the_example_then_show_it(db_url: str) -> None:
    result = run("import", str(EXAMPLE), "--database", db_url)
    assert result.exit_code == 0, result.output
    assert "baseline.csv: 60 invoices: 60 new, 0 updated, 0 unchanged" in result.stdout

    again = run("import", str(EXAMPLE), "--database", db_url, "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert (report["rows"], report["inserted"], report["unchanged"]) == (60, 0, 60)
    assert report["batch"].startswith("baseline.csv:")

    figures = shown(db_url)
    assert figures["cases"] == 60
    assert figures["link_open_rate"] is None
    assert shown(db_url, "--segment", "enterprise")["cases"] < 60

    table = run("show", "--database", db_url)
    assert table.exit_code == 0, table.output
    assert "recovered_amount" in table.stdout
    assert "n/a" in table.stdout  # the rates history cannot give


def test_a_bad_file_exits_1_with_the_first_errors_and_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(f"{HEADER}\nin_0,10.00,usd,2025-06-01,2025-06-01,,smb\n")
    assert run("import", str(good), "--database", db_url).exit_code == 0
    rows = [f"in_{i},-{i}.00,usd,2025-06-01,2025-06-01,,smb" for i in range(1, 31)]
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([HEADER, *rows]) + "\n")

    result = run("import", str(bad), "--database", db_url)
    assert result.exit_code == 2
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == SHOWN_ERRORS
    assert errors[0] == "error: bad.csv: line 2: amount: '-1.00' must not be negative"
    assert "... and 10 more problem(s)" in result.stderr
    assert "nothing was imported" in result.stderr
    assert shown(db_url)["cases"] == 1


def test_an_unknown_column_is_named_with_the_known_ones(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "typo.csv"
    bad.write_text("invoice_id,amount,currency,due_date,failed_at,paid_att\n")
    result = run("import", str(bad), "--database", db_url)
    assert result.exit_code == 2
    assert "line 1: column 'paid_att' is not known; the columns are: invoice_id," in result.stderr


def test_show_on_an_empty_baseline_says_how_to_fill_it(db_url: str) -> None:
    result = run("show", "--database", db_url)
    assert result.exit_code == 0, result.output
    assert "recoup baseline import" in result.stderr
    assert shown(db_url)["dso_days"] is None


def test_a_missing_file_is_one_clear_line(sqlite_url: str, tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nope.csv"), "--database", sqlite_url)
    assert result.exit_code == 2
    assert "nope.csv: cannot read" in result.stderr
    assert "Traceback" not in result.output
