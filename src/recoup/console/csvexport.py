"""CSV downloads of the console's tables, safe to open in a spreadsheet.

Every table a person sees can be taken away as CSV: written with :mod:`csv` (quoting and
line breaks inside cells handled by the standard library, not by string joins) and sent with
a ``Content-Disposition`` filename, so the browser saves ``queue-2025-05-01.csv`` rather than
``export.csv``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from fastapi.responses import Response

#: A cell a spreadsheet would read as a formula starts with one of these (tab and carriage
#: return too: some spreadsheets strip them and then see the ``=`` behind them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def neutralise(value: Any) -> str:
    """One cell as text, with spreadsheet formula injection defused.

    Why: several cells hold text that came from outside (a customer's words in a summary, a
    company name from the CRM, a note someone typed). Excel, LibreOffice and Google Sheets
    evaluate a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, so a customer
    called ``=HYPERLINK("http://evil.example","Click")`` or ``=cmd|' /C calc'!A0`` would run
    in the finance team's spreadsheet when they open the export (OWASP "CSV Injection").
    Such cells get a leading apostrophe, which spreadsheets show as text and hide. Numbers we
    produce ourselves (``-12.50`` as a Python number or Decimal) are left alone: they are
    data, not text from outside, and an apostrophe would turn them into strings.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The table as CSV text (RFC 4180 quoting, ``\\r\\n`` line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def dict_rows(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> list[list[Any]]:
    """Dicts as lists in ``columns`` order (missing keys become empty cells)."""
    return [[row.get(c) for c in columns] for row in rows]


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A download of the table named ``filename`` (sanitised to letters, digits and ``._-``)."""
    safe = _SAFE_NAME.sub("-", filename).strip("-") or "export.csv"
    return Response(
        content=to_csv(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )
