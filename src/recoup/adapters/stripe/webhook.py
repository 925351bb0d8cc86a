"""Verify a Stripe webhook's signature before any byte of its body is trusted.

Why the SDK does the checking: signature schemes are easy to get subtly wrong (constant-time
compare, several ``v1`` entries while a secret rotates, ignoring ``v0``, the freshness window),
and ``stripe.WebhookSignature.verify_header`` is the reference implementation. We only translate
its errors into ours so the API layer can answer 400 without importing Stripe, and hand back a
plain ``dict`` so nothing downstream depends on ``StripeObject``.

``sign`` exists for tests, the demo and benchmarks: it produces exactly what Stripe would send.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import stripe
from recoup.domain.errors import ConfigError, PayloadError, SignatureError

#: The request header Stripe signs with.
SIGNATURE_HEADER = "Stripe-Signature"
#: Seconds a signature stays acceptable; Stripe's own default (stripe-python, stripe-node).
DEFAULT_TOLERANCE = 300


def verify_and_parse(
    payload: bytes, sig_header: str | None, secret: str, tolerance: int = DEFAULT_TOLERANCE
) -> dict[str, Any]:
    """Check ``sig_header`` against the raw ``payload`` and return the event as a plain dict.

    Raises ``SignatureError`` when the header is missing, malformed, does not match, or is older
    than ``tolerance`` seconds; ``PayloadError`` when a correctly signed body is not a JSON
    object; ``ConfigError`` when ``secret`` or ``tolerance`` could never verify anything (that
    is our fault, not the sender's, so it must not look like a bad request).
    """
    _check_settings(secret, tolerance)
    if not sig_header:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    try:
        stripe.WebhookSignature.verify_header(payload, sig_header, secret, tolerance)
    except stripe.SignatureVerificationError as exc:
        raise SignatureError(f"{SIGNATURE_HEADER} rejected: {exc.user_message}") from exc
    except UnicodeDecodeError as exc:  # the SDK decodes before it compares
        raise PayloadError(f"webhook body is not UTF-8: {exc.reason}") from exc
    return _parse(payload)


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A valid ``Stripe-Signature`` value (``t=...,v1=...``) for ``payload`` at ``timestamp``.

    HMAC-SHA256 over ``b"<t>." + payload`` keyed with the whole secret (``whsec_`` prefix
    included), hex encoded: the documented scheme, computed on bytes so any body can be signed.
    """
    signed_at = int(time.time()) if timestamp is None else timestamp
    message = f"{signed_at}.".encode() + payload
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"t={signed_at},v1={digest}"


def _check_settings(secret: str, tolerance: int) -> None:
    """Refuse settings that would silently accept or reject everything.

    The SDK skips the freshness check when ``tolerance`` is falsy, which would reopen replays.
    """
    if not secret or not secret.strip():
        raise ConfigError("Stripe webhook secret is empty (expected whsec_...)")
    if isinstance(tolerance, bool) or not isinstance(tolerance, int) or tolerance <= 0:
        raise ConfigError(f"Stripe webhook tolerance must be a positive int, got {tolerance!r}")


def _parse(payload: bytes) -> dict[str, Any]:
    """The verified body as a plain JSON object."""
    try:
        event = json.loads(payload.decode("utf-8"))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        raise PayloadError(f"webhook body is not valid JSON: {exc}") from exc
    if not isinstance(event, dict):
        raise PayloadError(f"webhook body must be a JSON object, not {type(event).__name__}")
    return event
