"""Clicks on an alert's buttons: verify that Slack sent them, then read what was asked.

Why the SDK verifies: ``slack_sdk.signature.SignatureVerifier`` is Slack's reference for its
``v0`` scheme (HMAC-SHA256 of ``v0:<timestamp>:<raw body>``, constant-time compare, a
five-minute window against replays). We only turn its boolean into a ``SignatureError`` with a
reason, so the route can answer 403 before a byte of the payload is trusted.

A click arrives as ``application/x-www-form-urlencoded`` with one field, ``payload``, holding
the ``block_actions`` JSON. :func:`parse_action` reads the Slack user who clicked, which of our
buttons it was, and the case and alert the button's value names; the "Open case" button (a link)
and anything that is not ours come back as ``None``: acknowledged, nothing to do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs

from pydantic import SecretStr
from slack_sdk.signature import Clock, SignatureVerifier

from recoup.adapters.slack.blocks import ACTION_RESOLVE, ACTION_TAKE, MessageRef
from recoup.domain.errors import ConfigError, PayloadError, SignatureError

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "ReviewAction", "parse_action", "sign", "verify"]

SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
#: Seconds a request stays acceptable: Slack's documented window (and the SDK's).
TOLERANCE = 300

_KINDS: dict[str, Literal["take", "resolve"]] = {ACTION_TAKE: "take", ACTION_RESOLVE: "resolve"}


@dataclass(frozen=True)
class ReviewAction:
    """Someone in Slack took or resolved the alert for ``case_id``."""

    kind: Literal["take", "resolve"]
    case_id: str
    alert_key: str
    user_id: str
    user_name: str
    message: MessageRef


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


def verify(
    body: bytes,
    headers: Mapping[str, str],
    signing_secret: SecretStr,
    now: Callable[[], float] = time.time,
) -> None:
    """Raise ``SignatureError`` unless ``body`` carries Slack's valid, fresh signature."""
    secret = signing_secret.get_secret_value()
    if not secret.strip():
        raise ConfigError("RECOUP_SLACK_SIGNING_SECRET is empty: no request could be verified")
    lower = {k.lower(): v for k, v in headers.items()}
    timestamp = lower.get(TIMESTAMP_HEADER.lower())
    signature = lower.get(SIGNATURE_HEADER.lower())
    if not timestamp or not signature:
        raise SignatureError(f"missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER} header")
    try:
        age = abs(now() - int(timestamp))
    except ValueError:
        raise SignatureError(f"{TIMESTAMP_HEADER} is not a Unix time") from None
    if age > TOLERANCE:
        raise SignatureError(f"{TIMESTAMP_HEADER} is {age:.0f} s away from now: stale or replayed")
    verifier = SignatureVerifier(secret, clock=_Clock(now))
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        raise SignatureError(f"{SIGNATURE_HEADER} does not match the body")


def sign(body: bytes, signing_secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack would send with ``body`` (for tests and local demos)."""
    at = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + at.encode() + b":" + body
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {TIMESTAMP_HEADER: at, SIGNATURE_HEADER: f"v0={digest}"}


def parse_action(body: bytes) -> ReviewAction | None:
    """The take or resolve click in a verified body; None for anything else we receive."""
    payload = _payload(body)
    if payload.get("type") != "block_actions":
        return None
    ours = [a for a in payload.get("actions") or [] if a.get("action_id") in _KINDS]
    if not ours:
        return None
    action = ours[0]
    try:
        value = json.loads(action.get("value") or "")
        case_id, alert_key = str(value["case"]), str(value["alert"])
        user = payload["user"]
    except (ValueError, KeyError, TypeError) as exc:
        raise PayloadError(f"Slack action {action.get('action_id')!r} lacks its case") from exc
    return ReviewAction(
        kind=_KINDS[action["action_id"]],
        case_id=case_id,
        alert_key=alert_key,
        user_id=str(user.get("id") or ""),
        user_name=str(user.get("username") or user.get("name") or user.get("id") or ""),
        message=_message_ref(payload),
    )


def _payload(body: bytes) -> dict[str, Any]:
    try:
        fields = parse_qs(body.decode("utf-8"), strict_parsing=False)
        payload = json.loads(fields["payload"][0])
    except (UnicodeDecodeError, KeyError, IndexError, ValueError) as exc:
        raise PayloadError("Slack interaction without a JSON 'payload' field") from exc
    if not isinstance(payload, dict):
        raise PayloadError("Slack interaction payload is not a JSON object")
    return payload


def _message_ref(payload: dict[str, Any]) -> MessageRef:
    container = payload.get("container") or {}
    message = payload.get("message") or {}
    channel = (payload.get("channel") or {}).get("id") or container.get("channel_id")
    ts = container.get("message_ts") or message.get("ts")
    if not channel or not ts:
        raise PayloadError("Slack action does not say which message was clicked")
    found = message.get("blocks") or []
    return MessageRef(
        channel=str(channel), ts=str(ts), blocks=tuple(b for b in found if isinstance(b, dict))
    )
