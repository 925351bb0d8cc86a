"""What every console page shares: the templates, rendering, flash messages, redirects.

Pages are rendered on the server from templates shipped inside the package, so ``recoup serve``
needs no build step and no network. Flash messages travel in a short-lived cookie set by the
redirect after a form post and cleared by the next page, so a reload does not repeat them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from recoup.console.auth import SignedIn

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
FLASH_COOKIE = "recoup_flash"
_FLASH_KINDS = ("ok", "error")


def money(value: Any, currency: str | None = None) -> str:
    """``1234.5`` -> ``1,234.50`` (with the currency code when known); "" for nothing."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{amount:,.2f}"
    return f"{text} {currency.upper()}" if currency else text


def pct(value: Any) -> str:
    """A rate as a percentage with one decimal, or an en dash when there is no denominator."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.1f}%"


def when(value: Any) -> str:
    """An ISO timestamp or datetime as ``2025-05-01 14:03 UTC``; dates stay dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        return str(value.strftime("%Y-%m-%d %H:%M")) + _zone(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _zone(value: datetime) -> str:
    """`` UTC`` for UTC, `` UTC-04:00`` for a local time (a customer's calling time)."""
    offset = value.utcoffset()
    if offset is None:
        return ""
    if not offset:
        return " UTC"
    sign, seconds = ("-" if offset.total_seconds() < 0 else "+"), abs(int(offset.total_seconds()))
    return f" UTC{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def urlpart(value: Any) -> str:
    """A key or case ID as one URL path segment (keys hold colons, never slashes we keep)."""
    return quote(str(value), safe=":@")


def label(value: Any) -> str:
    """``first_runs_approval`` -> ``First runs approval``."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def make_templates() -> Jinja2Templates:
    """Jinja2 over the package's templates, autoescaped, with the console's filters."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.autoescape = True
    env.trim_blocks = env.lstrip_blocks = True
    env.filters.update(money=money, pct=pct, when=when, urlpart=urlpart, label=label)
    return templates


def render(
    templates: Jinja2Templates,
    request: Request,
    name: str,
    signed: SignedIn | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A page, with the signed-in person, their form token and any pending flash message."""
    flash = read_flash(request)
    response = templates.TemplateResponse(
        request,
        name,
        {"me": signed, "csrf_token": signed.csrf_token if signed else "", "flash": flash,
         "path": request.url.path, **context},
        status_code=status_code,
    )  # fmt: skip
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def read_flash(request: Request) -> list[dict[str, str]]:
    """The message left by the previous redirect, as ``[{"kind", "text"}]``."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    kind, _, text = unquote(raw).partition("|")
    return [{"kind": kind if kind in _FLASH_KINDS else "ok", "text": text[:300]}]


def redirect(url: str, flash: str | None = None, kind: str = "ok") -> RedirectResponse:
    """A 303 to ``url`` (a form post becomes a GET), leaving ``flash`` for the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE, quote(f"{kind}|{flash[:300]}"), max_age=60, path="/",
            httponly=True, samesite="lax",
        )  # fmt: skip
    return response


def query_string(params: dict[str, Any]) -> str:
    """``?a=1&b=2`` from the non-empty values, or "" when none is set."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"?{urlencode(kept)}" if kept else ""


def optional_int(value: str | None, low: int = 0, high: int = 36_500) -> int | None:
    """A form's number field: blank or not a number means not given; out of ``[low, high]``
    is clamped (a typed ``99999999999`` must not overflow a date computation)."""
    try:
        number = int(value) if value not in (None, "") else None
    except ValueError:
        return None
    return None if number is None else min(max(number, low), high)


def optional_decimal(value: str | None) -> Decimal | None:
    """A form's amount field: blank, not a number, or not finite (``NaN``) means not given."""
    try:
        amount = Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        return None
    return amount if amount is not None and amount.is_finite() else None


def optional_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
