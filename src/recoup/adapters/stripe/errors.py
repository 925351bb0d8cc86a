"""Translate the Stripe SDK's errors into Recoup's one exception tree.

Why a module of its own: the same rules serve every call the billing adapter makes, and they
carry two Stripe specifics worth keeping in one place. ``Stripe-Should-Retry`` overrides the
status code (``false`` on a 500 means the idempotency layer would only replay the failure);
and Stripe's own messages for a refused key quote a masked key, so those are never passed on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import stripe
from recoup.domain.errors import PermanentPortError, PortError, TransientPortError

_KEYLIKE = re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_\S+")


def translate(exc: stripe.StripeError, action: str) -> PortError:
    """The Recoup error for ``exc``, raised while doing ``action`` (e.g. "reading in_123")."""
    if isinstance(exc, stripe.APIConnectionError):
        return TransientPortError(f"Stripe unreachable while {action}: {_clean(exc)}")
    status, headers = exc.http_status or 0, exc.headers or {}
    advice = header(headers, "stripe-should-retry")
    if status == 401:
        return PermanentPortError(
            f"Stripe refused the API key (401) while {action}: check RECOUP_STRIPE_API_KEY "
            "(a secret or restricted key of this Stripe account and mode)"
        )
    if status == 403:
        return PermanentPortError(
            f"Stripe key lacks a permission needed for {action} (403): see "
            "docs/integrations/stripe.md for the restricted key's permissions"
        )
    if advice == "false":
        return PermanentPortError(
            f"Stripe failed {action} ({status}) and says a retry would not help: {_clean(exc)}"
        )
    if status == 429 or isinstance(exc, stripe.RateLimitError):
        return TransientPortError(
            f"Stripe rate-limited {action} (429)", retry_after=retry_after(headers)
        )
    if status >= 500 or status == 409 or advice == "true":
        return TransientPortError(f"Stripe failed {action} ({status}): {_clean(exc)}")
    code = f" {exc.code}" if exc.code else ""
    return PermanentPortError(f"Stripe refused {action} ({status}{code}): {_clean(exc)}")


def is_missing(exc: stripe.StripeError) -> bool:
    """A 404: the object does not exist (in this account and mode)."""
    return exc.http_status == 404


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A response header by case-insensitive name, whatever mapping the HTTP client gave."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def retry_after(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds, given as seconds or as an HTTP date; None when absent."""
    value = header(headers, "retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)


def _clean(exc: stripe.StripeError) -> str:
    """Stripe's message without anything shaped like an API key, masked or not."""
    message = exc.user_message if isinstance(exc.user_message, str) else type(exc).__name__
    return _KEYLIKE.sub("[key]", message or type(exc).__name__)
