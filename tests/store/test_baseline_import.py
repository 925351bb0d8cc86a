"""The baseline import checks the whole file before writing, upserts by invoice ID, and its
summary gives the figures a person computes by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from recoup.domain.metrics import CaseFacts, summarise
from recoup.store import baseline
from recoup.store.baseline import BaselineFileError, import_csv, summary
from recoup.store.db import Database
from recoup.store.migrate import upgrade
from recoup.store.tables_console import NONE, BaselineInvoiceRow

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "baseline.csv"
HEADER = (
    "invoice_id,customer_id,amount,currency,due_date,failed_at,paid_at,paid_amount,"
    "cancelled_at,segment,owner,source"
)
#: Five invoices whose figures are worked out by hand in the tests below.
GOOD = f"""{HEADER}
in_a,c_a,100.00,usd,2025-06-01,2025-06-01T10:00:00Z,2025-06-11T09:00:00Z,,,smb,Dana Whitfield,stripe
in_b,c_b,250.50,usd,2025-06-05,2025-06-05,2025-06-25,200.25,2025-07-01,mid_market,Priya Raman,stripe
in_c,c_c,49.99,USD,2025-07-01,2025-07-01T23:30:00-02:00,,,2025-07-20,smb,Priya Raman,
in_d,,1000,usd,2025-08-01,2025-08-02T08:00:00Z,2025-08-31T23:30:00-05:00,,,,,stripe
in_e,c_e,10.01,usd,2025-09-01,2025-09-01T00:00:00+00:00,,,,smb,Dana Whitfield,stripe
"""


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    upgrade(db_url)
    database = Database(db_url)
    yield database
    database.dispose()


def write(tmp_path: Path, text: str, name: str = "baseline.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(db: Database, path: Path) -> baseline.ImportReport:
    with db.session() as session:
        return import_csv(session, path, NOW)


def figures(db: Database, **filters: Any) -> dict[str, Any]:
    with db.session() as session:
        return summary(session, NOW, **filters)


def snapshot(db: Database) -> list[tuple[Any, ...]]:
    """Every stored baseline row, every column: to prove a failed import changed nothing."""
    table = BaselineInvoiceRow.__table__
    with db.session() as session:
        return [tuple(row) for row in session.execute(select(table).order_by(table.c.invoice_ref))]


def row(db: Database, ref: str) -> BaselineInvoiceRow:
    with db.session() as session:
        found = session.get(BaselineInvoiceRow, ref)
        assert found is not None
        return found


def test_a_good_file_gives_the_figures_worked_out_by_hand(db: Database, tmp_path: Path) -> None:
    report = load(db, write(tmp_path, GOOD))
    assert (report.rows, report.inserted, report.updated, report.unchanged) == (5, 5, 0, 0)
    assert report.currencies == ("usd",)
    name, digest = report.batch.split(":")
    assert (name, len(digest)) == ("baseline.csv", 12)

    # Paid: a (10 days after due), b (20, a date-only paid_at, 200.25 collected, churned
    # later) and d (paid 2025-08-31 at 23:30 in UTC-5, which is 2025-09-01 in UTC: 31 days).
    # Unpaid, aged to NOW (2025-10-01): c (92 days, churned) and e (30 days).
    assert figures(db) == {
        "cases": 5,
        "amount": "1410.50",  # 100 + 250.50 + 49.99 + 1000 + 10.01
        "recovered_cases": 3,
        "recovered_amount": "1300.25",  # 100 + 200.25 + 1000
        "link_open_rate": None,
        "link_completion_rate": None,
        "promise_kept_rate": None,
        "dispute_escalation_rate": None,
        "churn_avoided": 2,  # a and d; b paid but cancelled
        "dso_days": 36.6,  # (10 + 20 + 92 + 31 + 30) / 5
        "calls": 0,
        "messages": 0,
        "alerts": 0,
        "review_items": 0,
    }


def test_summary_filters_by_segment_owner_and_source(db: Database, tmp_path: Path) -> None:
    load(db, write(tmp_path, GOOD))
    smb = figures(db, segment="smb")  # a, c, e
    assert (smb["cases"], smb["amount"], smb["recovered_cases"]) == (3, "160.00", 1)
    assert smb["dso_days"] == 44.0  # (10 + 92 + 30) / 3
    priya = figures(db, owner="Priya Raman")  # b, c
    assert (priya["cases"], priya["recovered_amount"], priya["churn_avoided"]) == (2, "200.25", 0)
    assert figures(db, source="baseline")["cases"] == 1  # c left source blank
    assert figures(db, segment=NONE)["cases"] == 1  # d has no segment
    assert figures(db, segment="smb", owner="Dana Whitfield")["cases"] == 2
    empty = figures(db, segment="no_such_segment")
    assert (empty["cases"], empty["amount"], empty["dso_days"]) == (0, "0.00", None)


def test_cells_are_stored_normalised(db: Database, tmp_path: Path) -> None:
    load(db, write(tmp_path, GOOD))
    c = row(db, "in_c")
    assert c.currency == "usd"
    assert c.failed_at == datetime(2025, 7, 2, 1, 30, tzinfo=UTC)  # -02:00 read into UTC
    assert c.cancelled_at == datetime(2025, 7, 20, tzinfo=UTC)  # a date is 00:00 UTC
    assert (c.paid_at, c.paid_amount, c.source) == (None, None, "baseline")
    d = row(db, "in_d")
    assert (d.customer_ref, d.segment, d.owner) == ("", NONE, NONE)
    assert d.paid_amount == Decimal("1000.00")  # paid in full when paid_amount is blank
    assert d.imported_at == NOW


def test_the_summary_agrees_with_the_reference_definitions(db: Database) -> None:
    """Same figures as recoup.domain.metrics.summarise over the same invoices as CaseFacts
    (each with the amount it collected, which is what the baseline counts as recovered)."""
    load(db, EXAMPLE)
    with db.session() as session:
        rows = session.scalars(select(BaselineInvoiceRow)).all()
    facts = [
        CaseFacts(
            case_id=r.invoice_ref,
            opened_at=r.failed_at,
            source=r.source,
            segment=r.segment,
            owner=r.owner,
            outcome=None,
            amount=r.paid_amount if r.paid_amount is not None else r.amount,
            due_date=r.due_date,
            closed_at=None,
            paid_at=r.paid_at,
            cancelled=r.cancelled_at is not None,
        )
        for r in rows
    ]
    reference = summarise(facts, NOW)
    ours = figures(db)
    shared = set(ours) & set(reference)
    assert shared == set(ours) - {"amount"}
    assert {k: ours[k] for k in shared} == {k: reference[k] for k in shared}


def test_reimport_updates_adds_and_leaves_alone(db: Database, tmp_path: Path) -> None:
    first = load(db, write(tmp_path, GOOD, "first.csv"))
    # e is now paid; c is left out of the export; f is new.
    lines = GOOD.splitlines()
    lines[5] = lines[5].replace("+00:00,,", "+00:00,2025-09-20T10:00:00Z,")
    del lines[3]
    lines.append("in_f,cus_f,75.00,usd,2025-09-10,2025-09-10,,,,smb,Dana Whitfield,stripe")
    second = load(db, write(tmp_path, "\n".join(lines) + "\n", "second.csv"))
    assert (second.rows, second.inserted, second.updated, second.unchanged) == (5, 1, 1, 3)
    assert second.skipped == 3
    assert len(snapshot(db)) == 6  # c is still there: an import never deletes
    assert row(db, "in_e").paid_at == datetime(2025, 9, 20, 10, tzinfo=UTC)
    assert row(db, "in_e").batch == second.batch
    assert row(db, "in_a").batch == first.batch  # unchanged rows are not touched
    assert figures(db)["recovered_cases"] == 4

    again = load(db, write(tmp_path, "\n".join(lines) + "\n", "second.csv"))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)


def test_reimport_finds_stored_rows_across_lookup_chunks(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(baseline, "_LOOKUP_CHUNK", 2)
    path = write(tmp_path, GOOD)
    load(db, path)
    report = load(db, path)
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 5)


def test_the_example_in_the_docs_imports_cleanly(db: Database) -> None:
    report = load(db, EXAMPLE)
    assert (report.rows, report.inserted, report.currencies) == (60, 60, ("usd",))
    shown = figures(db)
    assert shown["cases"] == 60
    assert 0 < shown["recovered_cases"] < 60
    assert 0 < shown["churn_avoided"] < shown["recovered_cases"]
    with db.session() as session:
        segments = set(session.scalars(select(BaselineInvoiceRow.segment).distinct()))
        churned = session.scalar(
            select(func.count()).where(
                BaselineInvoiceRow.paid_at.is_(None), BaselineInvoiceRow.cancelled_at.is_not(None)
            )
        )
    assert segments == {"smb", "mid_market", "enterprise"}
    assert churned


ROW = "in_1,cus_1,49.00,usd,2025-06-03,2025-06-03T09:22:23Z,2025-06-24T15:01:23Z,,,smb,Dana Whitfield,stripe"  # noqa: E501
BAD_FILES = {
    "bad date": (
        f"{HEADER}\n{ROW}\n{ROW.replace('in_1', 'in_2').replace('2025-06-03,', '2025-02-30,')}",
        ["line 3: due_date: '2025-02-30' is not a real date"],
    ),
    "date in another format": (
        f"{HEADER}\n{ROW.replace('2025-06-03,', '03/06/2025,')}",
        ["line 2: due_date: '03/06/2025' must be a date YYYY-MM-DD"],
    ),
    "negative amount": (
        f"{HEADER}\n{ROW.replace('49.00', '-49.00')}",
        ["line 2: amount: '-49.00' must not be negative"],
    ),
    "comma decimal": (
        f"{HEADER}\n{ROW.replace('49.00', chr(34) + '49,00' + chr(34))}",
        ["line 2: amount: '49,00' must be a decimal with a dot"],
    ),
    "unknown column": (
        f"{HEADER.replace('paid_amount', 'paid_ammount')}\n{ROW}",
        [
            "line 1: column 'paid_ammount' is not known; the columns are: invoice_id, "
            "customer_id, amount, currency, due_date, failed_at, paid_at, paid_amount, "
            "cancelled_at, segment, owner, source, note"
        ],
    ),
    "duplicate invoice": (
        f"{HEADER}\n{ROW}\n{ROW.replace('in_1', 'in_2')}\n{ROW}",
        ["line 4: invoice_id: 'in_1' repeats line 2"],
    ),
    "missing required column": (
        "invoice_id,amount,due_date,failed_at\nin_1,49.00,2025-06-03,2025-06-03",
        ["line 1: required column 'currency' is missing"],
    ),
    "empty file": ("", ["line 1: the file is empty: expected a header line"]),
    "header only": (f"{HEADER}\n\n", ["line 2: no invoices after the header"]),
    "semicolons": (
        HEADER.replace(",", ";") + "\n" + ROW.replace(",", ";"),
        ["line 1: the columns are separated by ';': use commas"],
    ),
    "blank required cell": (
        f"{HEADER}\n{ROW.replace('usd', '')}",
        ["line 2: currency: required, but blank"],
    ),
    "time without offset": (
        f"{HEADER}\n{ROW.replace('2025-06-03T09:22:23Z', '2025-06-03 09:22')}",
        ["line 2: failed_at: '2025-06-03 09:22' has no offset"],
    ),
    "unix timestamp": (
        f"{HEADER}\n{ROW.replace('2025-06-24T15:01:23Z', '1750777283')}",
        ["line 2: paid_at: '1750777283' looks like a Unix timestamp"],
    ),
    "epoch zero": (
        f"{HEADER}\n{ROW.replace('2025-06-24T15:01:23Z', '1970-01-01T00:00:00Z')}",
        ["line 2: paid_at: '1970-01-01T00:00:00Z' is before 2000"],
    ),
    "cents not divided": (
        f"{HEADER}\n{ROW.replace(',,,smb', ',4900,,smb')}",
        ["line 2: paid_amount: 4900 is more than amount 49.00"],
    ),
    "paid before it failed": (
        f"{HEADER}\n{ROW.replace('2025-06-24T15:01:23Z', '2025-06-01')}",
        ["line 2: paid_at: 2025-06-01 is before failed_at 2025-06-03"],
    ),
    "paid amount without payment": (
        f"{HEADER}\n{ROW.replace('2025-06-24T15:01:23Z,', ',49.00')}",
        ["line 2: paid_amount: 49.00 given but paid_at is blank"],
    ),
    "in the future": (
        f"{HEADER}\n{ROW.replace('2025-06-24T15:01:23Z', '2025-12-24T15:01:23Z')}",
        ["line 2: paid_at: 2025-12-24T15:01:23+00:00 is in the future"],
    ),
    "too many values": (f"{HEADER}\n{ROW},extra", ["line 2: expected 12 values"]),
    "bad currency": (
        f"{HEADER}\n{ROW.replace('usd', 'dollars')}",
        ["line 2: currency: 'dollars' must be a 3-letter ISO 4217 code"],
    ),
    "card number": (
        f"{HEADER}\n{ROW.replace('Dana Whitfield', '4242 4242 4242 4242')}",
        ["line 2: owner: '4242 4242 4242 4242' looks like a card number"],
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_bad_file_names_line_and_column_and_changes_nothing(
    db: Database, tmp_path: Path, kind: str
) -> None:
    load(db, write(tmp_path, GOOD, "good.csv"))
    before = snapshot(db)
    text, expected = BAD_FILES[kind]
    with pytest.raises(BaselineFileError) as caught:
        load(db, write(tmp_path, text, "bad.csv"))
    for message, want in zip(caught.value.errors, expected, strict=True):
        assert message.startswith(want), message
    assert "nothing was imported" in str(caught.value)
    assert snapshot(db) == before


def test_every_bad_row_is_reported_not_only_the_first(db: Database, tmp_path: Path) -> None:
    rows = [ROW.replace("in_1", f"in_{i}") for i in range(1, 6)]
    rows[1] = rows[1].replace("49.00", "abc")
    rows[3] = rows[3].replace("usd", "")
    path = write(tmp_path, "\n".join([HEADER, *rows]))
    with pytest.raises(BaselineFileError) as caught:
        load(db, path)
    assert caught.value.errors == [
        "line 3: amount: 'abc' must be a decimal with a dot and at most 2 places, such as "
        "249.00 (no thousands separators, no currency symbol)",
        "line 5: currency: required, but blank",
    ]
    assert caught.value.total == 2
    assert snapshot(db) == []


def test_errors_are_capped_but_counted(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(baseline, "MAX_ERRORS", 3)
    rows = [ROW.replace("in_1", f"in_{i}").replace("49.00", "-1") for i in range(10)]
    with pytest.raises(BaselineFileError) as caught:
        load(db, write(tmp_path, "\n".join([HEADER, *rows])))
    assert len(caught.value.errors) == 3
    assert caught.value.total == 10
    assert "(and 9 more problem(s))" in str(caught.value)


def test_bom_crlf_blank_lines_quotes_and_column_order(db: Database, tmp_path: Path) -> None:
    """What Excel and hand edits produce is read, and line numbers stay physical lines."""
    text = (
        "\ufeffOwner, invoice_id ,amount,currency,due_date,failed_at,note\r\n"
        "\r\n"
        '"Whitfield, Dana",in_1,49.00,usd,2025-06-03,2025-06-03,"two\r\nlines"\r\n'
        "Priya Raman,in_2,-1,usd,2025-06-03,2025-06-03,\r\n"
    )
    with pytest.raises(BaselineFileError) as caught:
        load(db, write(tmp_path, text))
    assert caught.value.errors == ["line 5: amount: '-1' must not be negative"]

    load(db, write(tmp_path, text.replace("-1", "1")))
    first = row(db, "in_1")
    assert (first.owner, first.note, first.source) == (
        "Whitfield, Dana",
        "two\r\nlines",
        "baseline",
    )


def test_not_utf8_names_the_line(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        f"{HEADER}\n{ROW}\n".encode()
        + "in_2,cus,1,eur,2025-06-03,2025-06-03,,,,,Zoë,\n".encode("latin-1")
    )
    with pytest.raises(BaselineFileError) as caught:
        load(db, path)
    assert caught.value.errors[0].startswith("line 3: not UTF-8 text")


def test_several_currencies_are_reported(db: Database, tmp_path: Path) -> None:
    text = f"{HEADER}\n{ROW}\n{ROW.replace('in_1', 'in_2').replace('usd', 'EUR')}\n"
    assert load(db, write(tmp_path, text)).currencies == ("eur", "usd")


def test_an_import_is_a_few_bulk_statements_not_one_per_row(db: Database, tmp_path: Path) -> None:
    """What keeps a 100,000-row file to seconds: statements do not grow with the rows."""
    rows = [ROW.replace("in_1", f"in_{i}") for i in range(2500)]
    path = write(tmp_path, "\n".join([HEADER, *rows]))
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert load(db, path).inserted == 2500
        inserted = len(statements)
        changed = write(tmp_path, "\n".join([HEADER, *rows]).replace("smb", "enterprise"))
        assert load(db, changed).updated == 2500
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert inserted < 15, statements[:inserted]
    assert len(statements) - inserted < 15, statements[inserted:]
    assert figures(db, segment="enterprise")["cases"] == 2500
