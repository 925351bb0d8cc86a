"""HubSpot SDK failures -> Recoup's error tree, and the retry rule for writes.

The SDK raises one ``ApiException`` class *per API package* (contacts, notes, owners, ...),
with ``status``, ``headers`` and ``body``; transport failures surface as urllib3 errors. What a
user must fix (a revoked token, a missing scope) is named in words; HubSpot's own message is
kept but masked, since it can quote the email or phone number we searched for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import urllib3

from recoup.adapters.retry import Backoff, with_retries, write_once
from recoup.agent.redact import mask_contact
from recoup.domain.errors import (
    PermanentPortError,
    RecoupError,
    TransientPortError,
    UnknownRecordError,
)

T = TypeVar("T")




def translate(exc: Exception, doing: str, not_found: bool = False) -> RecoupError | None:
    """The Recoup error for a failed SDK call; ``doing`` says what we were trying to do.
    ``not_found``: the call read one record by ID, so a 404 means it does not exist. None: not
    a HubSpot failure (a bug of ours), to be raised as it is."""
    if isinstance(exc, urllib3.exceptions.HTTPError):
        return TransientPortError(f"HubSpot unreachable while {doing}: {type(exc).__name__}")
    status = _status(exc)
    if status is None:
        if type(exc).__module__.startswith("hubspot."):  # ApiValueError, ApiTypeError
            return PermanentPortError(f"HubSpot SDK refused the call while {doing}: {exc}")
        return None
    body = _body(exc)
    said = mask_contact(str(body.get("message") or ""))[:300]
    if status == 404 and not_found:
        return UnknownRecordError(f"HubSpot has no such record ({doing})")
    if status == 429:
        return TransientPortError(f"HubSpot rate limit while {doing}: {said}", _retry_after(exc))
    if status == 0 or status >= 500:
        return TransientPortError(f"HubSpot error {status} while {doing}: {said}")
    if status == 401:
        return PermanentPortError(
            f"HubSpot refused the access token while {doing} (401 {body.get('category', '')}): "
            "the private app token is wrong, expired or revoked; copy the current token from "
            "the private app in HubSpot and set RECOUP_HUBSPOT_ACCESS_TOKEN"
        )
    if status == 403:
        scopes = ", ".join(_required_scopes(body)) or "see docs/integrations/hubspot.md"
        return PermanentPortError(
            f"HubSpot refused {doing} (403 {body.get('category', '')}): give the private app "
            f"the scopes {scopes}. HubSpot said: {said}"
        )
    return PermanentPortError(f"HubSpot refused {doing} ({status}): {said}")


def repeatable(exc: Exception) -> bool:
    """Whether a failed write certainly did not happen: a 429 is refused before any work."""
    return _status(exc) == 429


def read(call: Callable[[], T], doing: str, backoff: Backoff | None, not_found: bool = False) -> T:
    """A read, retried on transient failures."""
    return with_retries(lambda: _translated(call, doing, not_found), backoff)


def write(call: Callable[[], T], doing: str, backoff: Backoff | None) -> T:
    """A create, retried only when HubSpot certainly did not apply it (429). A 5xx or timeout
    may hide a note that was written: it is raised, and the next attempt looks it up first."""
    return write_once(call, lambda exc: translate(exc, doing), repeatable, backoff)


def _translated(call: Callable[[], T], doing: str, not_found: bool) -> T:
    try:
        return call()
    except Exception as exc:
        error = translate(exc, doing, not_found)
        if error is None:
            raise
        raise error from exc


def _status(exc: Exception) -> int | None:
    status = getattr(exc, "status", None)
    if type(exc).__module__.startswith("hubspot.") and isinstance(status, int):
        return status
    return None


def _body(exc: Exception) -> dict[str, Any]:
    raw = getattr(exc, "body", None)
    try:
        parsed = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return {"message": str(raw)[:300]}
    return parsed if isinstance(parsed, dict) else {}


def _retry_after(exc: Exception) -> float | None:
    headers = getattr(exc, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _required_scopes(body: dict[str, Any]) -> list[str]:
    scopes: list[str] = []
    for error in body.get("errors") or []:
        context = error.get("context") or {} if isinstance(error, dict) else {}
        for key in ("requiredGranularScopes", "requiredScopes"):
            scopes += [str(s) for s in context.get(key) or []]
    return list(dict.fromkeys(scopes))
