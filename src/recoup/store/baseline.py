"""The pre-launch baseline: failed invoices from before Recoup, and what became of them.

The cohort view compares the first runs and steady state with what happened to failed
invoices *without* Recoup. That history comes from the billing system as a CSV file
(docs/baseline.md), imported by ``recoup baseline import FILE.csv``.

The import follows the rule of ``recoup ingest`` (docs/ingest.md): every row is validated
before anything is written, so a file with one bad cell changes nothing, and each error names
the line, the column and the value to fix. Strictness is the point: an unknown column (a typo
such as ``paid_ammount``) would otherwise drop a whole column of data silently, and a wrong
baseline makes every comparison with it wrong.

Rows are upserted by invoice ID in bulk statements (not one ORM object per row), so a file of
100,000 invoices imports in seconds, and importing a corrected export again updates rows
instead of duplicating them. :func:`summary` aggregates in SQL for the same reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from recoup.domain.errors import InputError
from recoup.store.guard import card_numbers
from recoup.store.tables_console import NONE, BaselineInvoiceRow

#: Every column a baseline file may have, in the order docs/baseline.md lists them.
COLUMNS = (
    "invoice_id",
    "customer_id",
    "amount",
    "currency",
    "due_date",
    "failed_at",
    "paid_at",
    "paid_amount",
    "cancelled_at",
    "segment",
    "owner",
    "source",
    "note",
)
REQUIRED = ("invoice_id", "amount", "currency", "due_date", "failed_at")
OPTIONAL = tuple(c for c in COLUMNS if c not in REQUIRED)
DEFAULT_SOURCE = "baseline"
#: How many errors an import keeps; past this the file is plainly the wrong shape.
MAX_ERRORS = 1000
_LOOKUP_CHUNK = 5000

_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*")
_SOURCE = re.compile(r"[a-z0-9_.-]{1,40}")
_EARLIEST = date(2000, 1, 1)


class BaselineFileError(InputError):
    """A baseline file that cannot be imported; ``errors`` lists every problem found (up to
    :data:`MAX_ERRORS`), each naming the line, the column and the value."""

    def __init__(self, path: Path, errors: list[str], total: int | None = None) -> None:
        self.path = path
        self.errors = errors
        self.total = total if total is not None else len(errors)
        more = f" (and {self.total - 1} more problem(s))" if self.total > 1 else ""
        super().__init__(f"{path.name}: {errors[0]}{more}; nothing was imported")


@dataclass(frozen=True)
class ImportReport:
    """What an import did. ``unchanged`` rows matched the stored ones exactly and were not
    touched (the spec's "skipped")."""

    file: str
    batch: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    currencies: tuple[str, ...]

    @property
    def skipped(self) -> int:
        return self.unchanged

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "batch": self.batch,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "currencies": list(self.currencies),
        }


class _CellError(ValueError):
    """One cell is wrong; the message says how, for a person fixing the file."""


# --- cells -------------------------------------------------------------------------------


def _amount(cell: str) -> Decimal:
    if cell.startswith("-"):
        raise _CellError("must not be negative")
    if not _AMOUNT.fullmatch(cell):
        raise _CellError(
            "must be a decimal with a dot and at most 2 places, such as 249.00 "
            "(no thousands separators, no currency symbol)"
        )
    return Decimal(cell)


def _positive_amount(cell: str) -> Decimal:
    value = _amount(cell)
    if value == 0:
        raise _CellError("must be more than zero: a failed invoice was for something")
    return value


def _plausible(day: date) -> None:
    if day < _EARLIEST:
        raise _CellError("is before 2000: 1970-01-01 usually means an empty timestamp converted")


def _date(cell: str) -> date:
    if not _ISO_DATE.fullmatch(cell):
        raise _CellError("must be a date YYYY-MM-DD")
    try:
        day = date.fromisoformat(cell)
    except ValueError:
        raise _CellError("is not a real date") from None
    _plausible(day)
    return day


def _moment(cell: str) -> datetime:
    """A date (00:00 UTC) or an ISO date-time with an offset, in UTC."""
    if _ISO_DATE.fullmatch(cell):
        return datetime.combine(_date(cell), time(), UTC)
    if cell.isdigit():
        raise _CellError("looks like a Unix timestamp: write 2025-05-01 or 2025-05-01T10:15:00Z")
    try:
        if not _ISO_MOMENT.fullmatch(cell):
            raise ValueError(cell)
        moment = datetime.fromisoformat(cell)
    except ValueError:
        raise _CellError(
            "must be a date YYYY-MM-DD or a date-time such as 2025-05-01T10:15:00Z"
        ) from None
    if moment.tzinfo is None:
        raise _CellError("has no offset: add Z or +02:00, or give the date alone (00:00 UTC)")
    _plausible(moment.date())
    return moment.astimezone(UTC)


def _currency(cell: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{3}", cell):
        raise _CellError("must be a 3-letter ISO 4217 code such as usd")
    return cell.lower()


def _source(cell: str) -> str:
    if not _SOURCE.fullmatch(cell):
        raise _CellError("must be lowercase a-z 0-9 _ . - and at most 40 characters")
    return cell


def _text(limit: int) -> Callable[[str], str]:
    def parse(cell: str) -> str:
        if len(cell) > limit:
            raise _CellError(f"is longer than {limit} characters")
        if card_numbers(cell):
            raise _CellError("looks like a card number: remove it before importing")
        return cell

    return parse


#: column -> (table field, parser, value when blank). Required columns have no blank value.
_CELLS: dict[str, tuple[str, Callable[[str], Any], Any]] = {
    "invoice_id": ("invoice_ref", _text(255), None),
    "customer_id": ("customer_ref", _text(255), ""),
    "amount": ("amount", _positive_amount, None),
    "currency": ("currency", _currency, None),
    "due_date": ("due_date", _date, None),
    "failed_at": ("failed_at", _moment, None),
    "paid_at": ("paid_at", _moment, None),
    "paid_amount": ("paid_amount", _amount, None),
    "cancelled_at": ("cancelled_at", _moment, None),
    "segment": ("segment", _text(40), NONE),
    "owner": ("owner", _text(255), NONE),
    "source": ("source", _source, DEFAULT_SOURCE),
    "note": ("note", _text(2000), ""),
}
#: The stored fields an import writes; equal on all of them means "unchanged".
_FIELDS = tuple(field for field, _, _ in _CELLS.values())


# --- rows --------------------------------------------------------------------------------


def _parse_row(
    values: dict[str, str], line: int, now: datetime
) -> tuple[dict[str, Any], list[str]]:
    """One data row as table fields, or the problems with it."""
    record: dict[str, Any] = {}
    errors: list[str] = []
    for column, (field, parse, blank) in _CELLS.items():
        raw = values.get(column, "")
        if not raw:
            if column in REQUIRED:
                errors.append(f"line {line}: {column}: required, but blank")
            record[field] = blank
            continue
        try:
            record[field] = parse(raw)
        except _CellError as bad:
            errors.append(f"line {line}: {column}: {raw!r} {bad}")
    if not errors:
        errors = [f"line {line}: {problem}" for problem in _cross_checks(record, now)]
    return record, errors


def _cross_checks(record: dict[str, Any], now: datetime) -> Iterator[str]:
    """Rules between cells; fills ``paid_amount`` in when the invoice was paid in full."""
    paid_at: datetime | None = record["paid_at"]
    if paid_at is None:
        if record["paid_amount"] is not None:
            yield f"paid_amount: {record['paid_amount']} given but paid_at is blank"
    else:
        if record["paid_amount"] is None:
            record["paid_amount"] = record["amount"]
        if record["paid_amount"] > record["amount"]:
            yield (
                f"paid_amount: {record['paid_amount']} is more than amount "
                f"{record['amount']} (amounts in cents not divided by 100?)"
            )
        if paid_at.date() < record["failed_at"].date():
            yield f"paid_at: {paid_at.date()} is before failed_at {record['failed_at'].date()}"
    for field in ("failed_at", "paid_at", "cancelled_at"):
        moment = record[field]
        if moment is not None and moment > now:
            yield f"{field}: {moment.isoformat()} is in the future: the baseline is history"


def _records(reader: Any, now: datetime) -> tuple[list[dict[str, Any]], list[str], int]:
    """Every row validated: (records, the first errors, how many errors in all)."""
    header_line, header = _first_row(reader)
    errors = _header_errors(header, header_line)
    if errors:
        return [], errors, len(errors)
    columns = [name.strip().lower() for name in header]
    records: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    total = 0
    for line, row in _data_rows(reader):
        row_errors = _row_errors(columns, row, line)
        record: dict[str, Any] = {}
        if not row_errors:
            values = {c: v.strip() for c, v in zip(columns, row, strict=True)}
            record, row_errors = _parse_row(values, line, now)
        if not row_errors:
            ref = record["invoice_ref"]
            if ref in first_line:
                row_errors = [f"line {line}: invoice_id: {ref!r} repeats line {first_line[ref]}"]
            first_line.setdefault(ref, line)
        total += len(row_errors)
        errors.extend(row_errors[: max(0, MAX_ERRORS - len(errors))])
        if not row_errors:
            records.append(record)
    if total == 0 and not records:
        errors, total = [f"line {header_line + 1}: no invoices after the header"], 1
    return records, errors, total


def _first_row(reader: Any) -> tuple[int, list[str]]:
    """The header: the first line that is not blank."""
    for row in reader:
        if any(cell.strip() for cell in row):
            return reader.line_num, row
    return 1, []


def _data_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, its cells), skipping blank lines."""
    start = reader.line_num + 1
    for row in reader:
        if any(cell.strip() for cell in row):
            yield start, row
        start = reader.line_num + 1


def _header_errors(header: list[str], line: int) -> list[str]:
    known = ", ".join(COLUMNS)
    if not header:
        return [f"line 1: the file is empty: expected a header line naming the columns ({known})"]
    names = [name.strip().lower() for name in header]
    if len(names) == 1 and ";" in names[0]:
        return [
            f"line {line}: the columns are separated by ';': use commas, and a dot for decimals"
        ]
    errors = []
    for position, name in enumerate(names, start=1):
        if not name:
            errors.append(f"line {line}: column {position} has no name")
        elif name not in COLUMNS:
            errors.append(f"line {line}: column {name!r} is not known; the columns are: {known}")
        elif names.index(name) != position - 1:
            errors.append(f"line {line}: column {name!r} appears twice")
    errors += [
        f"line {line}: required column {name!r} is missing"
        for name in REQUIRED
        if name not in names
    ]
    return errors


def _row_errors(columns: Sequence[str], row: Sequence[str], line: int) -> list[str]:
    if len(row) == len(columns):
        return []
    return [f"line {line}: expected {len(columns)} values (one per column), found {len(row)}"]


def read_file(path: Path, now: datetime) -> tuple[list[dict[str, Any]], str]:
    """The validated rows of ``path`` as table fields, and the import's batch name (file name
    and SHA-256 prefix); ``BaselineFileError`` lists the problems, if any."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    batch = f"{path.name}:{hashlib.sha256(data).hexdigest()[:12]}"[-255:]
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BaselineFileError(path, [f"line {line}: not UTF-8 text ({exc.reason})"]) from None
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        records, errors, total = _records(reader, now)
    except csv.Error as exc:
        raise BaselineFileError(path, [f"line {reader.line_num}: not valid CSV: {exc}"]) from None
    if errors:
        raise BaselineFileError(path, errors, total)
    return records, batch


# --- writing -----------------------------------------------------------------------------


def import_csv(session: Session, path: Path, now: datetime) -> ImportReport:
    """Validate every row of ``path``, then upsert them by invoice ID in a few bulk statements.

    Nothing is written unless the whole file is valid (``BaselineFileError`` otherwise); an
    invoice already stored and not in the file is left alone. ``now`` (aware) stamps the rows
    and bounds their times. The caller's session commits.
    """
    records, batch = read_file(path, now)
    existing = _stored(session, [r["invoice_ref"] for r in records])
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for record in records:
        stored = existing.get(record["invoice_ref"])
        if stored is not None and stored == tuple(record[f] for f in _FIELDS):
            continue
        row = {**record, "batch": batch, "imported_at": now}
        (new if stored is None else changed).append(row)
    _write(session, new, changed)
    return ImportReport(
        file=path.name,
        batch=batch,
        rows=len(records),
        inserted=len(new),
        updated=len(changed),
        unchanged=len(records) - len(new) - len(changed),
        currencies=tuple(sorted({r["currency"] for r in records})),
    )


def _write(session: Session, new: list[dict[str, Any]], changed: list[dict[str, Any]]) -> None:
    """Core executemany statements: the ORM's bulk insert is several times slower here."""
    table = BaselineInvoiceRow.metadata.tables[BaselineInvoiceRow.__tablename__]
    if new:
        session.execute(insert(table), new)
    if changed:
        # Bind names may not repeat column names in an UPDATE's SET clause: suffix them.
        names = (*_FIELDS[1:], "batch", "imported_at")
        statement = (
            update(table)
            .where(table.c.invoice_ref == bindparam("invoice_ref_"))
            .values({name: bindparam(f"{name}_") for name in names})
        )
        params = [{f"{name}_": row[name] for name in ("invoice_ref", *names)} for row in changed]
        session.execute(statement, params)
    if (new or changed) and session.get_bind().dialect.name == "postgresql":
        # Fresh statistics now, not when autovacuum gets round to it: without them PostgreSQL
        # scans the whole table for each lookup chunk, and a re-import minutes after a
        # 100,000-row import took minutes instead of a second.
        session.execute(text(f"ANALYZE {table.name}"))


def _stored(session: Session, refs: list[str]) -> dict[str, tuple[Any, ...]]:
    """The stored fields of the invoices among ``refs`` that are already imported."""
    columns = [getattr(BaselineInvoiceRow, field) for field in _FIELDS]
    found: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(refs), _LOOKUP_CHUNK):
        chunk = refs[start : start + _LOOKUP_CHUNK]
        query = select(*columns).where(_among(session, chunk))
        for row in session.execute(query):
            found[row[0]] = tuple(row)
    return found


def _among(session: Session, refs: list[str]) -> ColumnElement[bool]:
    """``invoice_ref IN refs``; on PostgreSQL as ``= ANY(array)``: one parameter instead of
    thousands, which psycopg otherwise spends most of a re-import's time rewriting."""
    column = BaselineInvoiceRow.invoice_ref
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("refs", refs, type_=ARRAY(String)))
    return column.in_(refs)


# --- the cohort's metrics ----------------------------------------------------------------


def summary(
    session: Session,
    now: datetime,
    segment: str | None = None,
    owner: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """The baseline as the dashboard's metric dict (docs/metrics.md), optionally for one
    segment, owner or source.

    History has no payment links, promises or calls, so those rates are None and the counts
    are 0. ``recovered_*`` counts invoices paid at all; ``dso_days`` ages unpaid invoices to
    ``now``, as :func:`recoup.domain.metrics.summarise` does for open cases.
    """
    t = BaselineInvoiceRow
    paid = t.paid_at.is_not(None)
    query = select(
        func.count(),
        func.sum(_cents(t.amount)),
        func.count(t.paid_at),
        func.sum(_cents(t.paid_amount)),
        func.sum(case((and_(paid, t.cancelled_at.is_(None)), 1), else_=0)),
        func.sum(_days_outstanding(session, now.astimezone(UTC).date())),
    )
    filters = {"segment": segment, "owner": owner, "source": source}
    for name, value in filters.items():
        if value is not None:
            query = query.where(getattr(t, name) == value)
    cases, amount, recovered, recovered_amount, stayed, days = session.execute(query).one()
    return {
        "cases": int(cases),
        "amount": _money(amount),
        "recovered_cases": int(recovered),
        "recovered_amount": _money(recovered_amount),
        "link_open_rate": None,
        "link_completion_rate": None,
        "promise_kept_rate": None,
        "dispute_escalation_rate": None,
        "churn_avoided": int(stayed or 0),
        "dso_days": round(float(days) / cases, 2) if cases else None,
        "calls": 0,
        "messages": 0,
        "alerts": 0,
        "review_items": 0,
    }


def _cents(column: Any) -> ColumnElement[int]:
    """Money as whole cents: exact sums on SQLite too, where NUMERIC is stored as a float."""
    return cast(func.round(column * 100), BigInteger)


def _money(cents: Any) -> str:
    return str((Decimal(int(cents or 0)) / 100).quantize(Decimal("0.01")))


def _days_outstanding(session: Session, today: date) -> ColumnElement[Any]:
    """Days from the due date to the payment's UTC date, or to ``today`` when unpaid."""
    t = BaselineInvoiceRow
    if session.get_bind().dialect.name == "sqlite":
        # Times are stored as UTC text, dates as YYYY-MM-DD: julianday reads both.
        end = func.coalesce(func.date(t.paid_at), today.isoformat())
        return func.julianday(end) - func.julianday(t.due_date)
    paid_day = cast(func.timezone("UTC", t.paid_at), Date)
    return func.coalesce(paid_day, today) - t.due_date
