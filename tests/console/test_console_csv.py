"""CSV exports of the console's tables: they parse, they hold what the page shows, they name
their file, and a cell that a spreadsheet would run as a formula is defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from recoup.console.csvexport import csv_response, neutralise, to_csv

from .console_world import FORMULA_COMPANY, PLUS_OWNER, ConsoleWorld, launch, parse

DASHBOARD_TABLES = ("weekly", "by-source", "by-segment", "by-owner", "by-outcome", "cohorts")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleWorld]:
    yield from launch(tmp_path_factory.mktemp("console_csv"))


@pytest.fixture(scope="module")
def finance(world: ConsoleWorld) -> TestClient:
    return world.client("finance")


def download(client: TestClient, path: str) -> tuple[list[dict[str, str]], str]:
    """The rows of a CSV download, and its file name."""
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.endswith('.csv"')
    name = disposition.split('filename="', 1)[1].rstrip('"')
    return list(csv.DictReader(io.StringIO(response.text))), name


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1 415 555 0100", "'+1 415 555 0100"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Acme = good", "Acme = good"),
        ("", ""),
        (None, ""),
        (-12, "-12"),
        (-0.5, "-0.5"),
        (Decimal("-1.50"), "-1.50"),
        (True, "true"),
    ],
)
def test_cells_that_would_run_as_formulas_get_an_apostrophe(value: object, shown: str) -> None:
    assert neutralise(value) == shown


def test_quoting_is_the_csv_modules() -> None:
    text = to_csv(["name", "note"], [['Acme, "Inc."', "two\nlines"], ["=1+1", 3]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "note"], ['Acme, "Inc."', "two\nlines"], ["'=1+1", "3"],
    ]  # fmt: skip


def test_a_file_name_cannot_break_the_header() -> None:
    response = csv_response('bad"; name\r\n.csv', ["a"], [])
    assert response.headers["content-disposition"] == 'attachment; filename="bad-name-.csv"'


def test_dashboard_tables_export_as_shown(world: ConsoleWorld, finance: TestClient) -> None:
    doc = parse(finance.get("/dashboard").text)
    for name in DASHBOARD_TABLES:
        href = doc.one("a", data_testid=f"csv-{name}").attrs["href"]
        rows, filename = download(finance, href)
        assert filename.startswith(f"recoup-{name}-")
        table = doc.one("table", data_testid=f"table-{name}")
        if name == "cohorts":
            assert [r["cohort"] for r in rows] == [
                "Before launch (baseline)", "Runs 1-50", "Runs 51-100", "Steady state"
            ]  # fmt: skip
            continue
        shown = [tr for tr in table.one("tbody").all("tr") if tr.all("th")]
        assert len(rows) == len(shown), name
    weekly, _ = download(finance, "/dashboard/export/weekly.csv")
    assert sum(int(r["cases"]) for r in weekly) == len(world.case_ids)
    owners, _ = download(finance, "/dashboard/export/by-owner.csv")
    assert "'" + PLUS_OWNER in {r["owner"] for r in owners}
    assert PLUS_OWNER not in {r["owner"] for r in owners}


def test_dashboard_export_keeps_the_filters(finance: TestClient) -> None:
    every, _ = download(finance, "/dashboard/export/by-owner.csv")
    one, _ = download(finance, "/dashboard/export/by-owner.csv?owner=Dana+Whitfield")
    assert [r["owner"] for r in one] == ["Dana Whitfield"]
    assert len(every) > 1
    assert finance.get("/dashboard/export/nothing.csv").status_code == 404


def test_queue_export_defuses_a_formula_in_a_company_name(
    world: ConsoleWorld, finance: TestClient
) -> None:
    rows, filename = download(finance, "/queue/export.csv")
    assert filename.startswith("recoup-queue-")
    by_key = {r["key"]: r for r in rows}
    big = by_key[world.high_value_key]
    assert big["company"] == "'" + FORMULA_COMPANY
    assert big["summary"].startswith("'=")  # the summary starts with the company name
    assert not [cell for r in rows for cell in r.values() if cell.startswith(("=", "+", "@"))]
    page_keys = [
        tr.attrs["data-key"]
        for tr in parse(finance.get("/queue").text).all("tr", data_testid="queue-item")
    ]
    assert list(by_key) == page_keys


def test_audit_export_matches_the_case_page(world: ConsoleWorld, finance: TestClient) -> None:
    case_id = world.case_ids[2]
    doc = parse(finance.get(f"/cases/{case_id}").text)
    href = doc.one("a", data_testid="csv-audit").attrs["href"]
    rows, filename = download(finance, href)
    assert filename == f"recoup-audit-{case_id.replace(':', '_')}.csv"
    shown = doc.one("table", data_testid="audit").one("tbody").all("tr")
    assert [r["action"] for r in rows] == [tr.attrs["data-action"] for tr in shown]
    assert list(rows[0]) == ["id", "at", "actor", "action", "key", "detail"]


def test_dry_run_export(world: ConsoleWorld, finance: TestClient) -> None:
    rows, filename = download(finance, "/playbook/dry-run.csv?days=365")
    assert filename.startswith("recoup-dry-run-365d-")
    assert len(rows) >= len(world.case_ids)
    assert {r["action"] for r in rows} <= {"call", "review", "skip"}
    viewer = world.client("viewer")
    assert viewer.get("/playbook/dry-run.csv").status_code == 403


def test_cases_export_holds_every_matching_case(world: ConsoleWorld, finance: TestClient) -> None:
    href = parse(finance.get("/cases?status=closed").text).one("a", data_testid="csv-cases")
    assert href.attrs["href"] == "/cases/export.csv?status=closed"
    every, filename = download(finance, "/cases/export.csv")
    assert filename.startswith("recoup-cases-")
    assert sorted(r["case_id"] for r in every) == sorted(world.case_ids)
    closed, _ = download(finance, href.attrs["href"])
    assert closed
    assert {r["status"] for r in closed} == {"closed"}
    big = next(r for r in every if r["case_id"] == world.case_ids[1])
    assert big["company"] == "'" + FORMULA_COMPANY
