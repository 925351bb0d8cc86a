"""Inbound WhatsApp webhooks, Meta's and Twilio's: verify the signature, read the replies.

Nothing in a webhook body is trusted before its signature is checked:

* Meta signs the raw body with the app secret: ``X-Hub-Signature-256: sha256=<hex HMAC>``.
  Meta also verifies the URL once with a GET handshake (``hub.mode=subscribe``,
  ``hub.verify_token``, ``hub.challenge``), answered with the challenge.
* Twilio signs the public URL plus the sorted form fields with the auth token
  (``X-Twilio-Signature``); the SDK's ``RequestValidator`` is the reference implementation.

What comes out is domain-level: who wrote (E.164 with ``+``), what they wrote, and whether it
asks us to stop. An opt-out is the whole message being a stop word (``STOP``, ``STOP ALL``,
``UNSUBSCRIBE``, ``CANCEL``, ``END``, ``QUIT``), or a plain request to stop messaging: "cancel
my order" is a question for a person, not an opt-out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from recoup.adapters.whatsapp.mapping import e164
from recoup.domain.errors import PayloadError, PortError, SignatureError

__all__ = [
    "META_SIGNATURE_HEADER",
    "TWILIO_SIGNATURE_HEADER",
    "InboundMessage",
    "is_opt_out",
    "meta_handshake",
    "parse_meta",
    "parse_twilio",
    "sign_meta",
    "verify_meta",
    "verify_twilio",
]

META_SIGNATURE_HEADER = "X-Hub-Signature-256"
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"

_STOP_WORDS = frozenset(
    {"stop", "stop all", "stopall", "unsubscribe", "cancel", "end", "quit", "opt out", "optout"}
)
_STOP_PHRASES = re.compile(
    r"\b(stop|quit) (messaging|texting|contacting|writing to|sending me)\b|\bunsubscribe me\b"
)


@dataclass(frozen=True)
class InboundMessage:
    """One message a customer sent us; ``message_id`` is the provider's, unique per message."""

    provider: str
    message_id: str
    phone: str
    text: str
    is_opt_out: bool


def is_opt_out(text: str) -> bool:
    """True when ``text`` asks us to stop messaging (see the module docstring)."""
    words = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    return words in _STOP_WORDS or bool(_STOP_PHRASES.search(words))


def sign_meta(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for ``body`` (tests and the demo)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_meta(body: bytes, header: str | None, app_secret: str) -> None:
    """Raise SignatureError unless ``header`` is Meta's signature of the raw ``body``."""
    if not header or not header.startswith("sha256="):
        raise SignatureError(f"missing or malformed {META_SIGNATURE_HEADER} header")
    if not hmac.compare_digest(header.strip().lower(), sign_meta(body, app_secret)):
        raise SignatureError(f"{META_SIGNATURE_HEADER} does not match the body")


def meta_handshake(params: Mapping[str, str], verify_token: str) -> str:
    """The challenge to echo when Meta's subscription request carries our verify token."""
    given = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not hmac.compare_digest(
        given.encode(), verify_token.encode()
    ):
        raise SignatureError("webhook verification refused: wrong mode or verify token")
    challenge = params.get("hub.challenge", "")
    if not challenge:
        raise PayloadError("webhook verification without hub.challenge")
    return challenge


def _meta_text(message: dict[str, Any]) -> str:
    """The words of a text, quick-reply button or interactive reply; empty for media."""
    kind = message.get("type")
    if kind == "text":
        return str(message.get("text", {}).get("body", ""))
    if kind == "button":
        return str(message.get("button", {}).get("text", ""))
    if kind == "interactive":
        reply = message.get("interactive", {})
        chosen = reply.get("button_reply") or reply.get("list_reply") or {}
        return str(chosen.get("title", ""))
    return ""


def parse_meta(body: bytes) -> list[InboundMessage]:
    """The customer messages in a (verified) Meta webhook; status updates are skipped."""
    try:
        payload = json.loads(body)
        found = []
        for entry in payload.get("entry", []):
            for change in entry.get("changes", []):
                for message in change.get("value", {}).get("messages", []) or []:
                    text = _meta_text(message)
                    phone = e164(str(message["from"]))
                    found.append(
                        InboundMessage("meta", str(message["id"]), phone, text, is_opt_out(text))
                    )
        return found
    except (ValueError, AttributeError, KeyError, TypeError, PortError) as exc:
        raise PayloadError(f"unreadable WhatsApp webhook: {type(exc).__name__}") from exc


def verify_twilio(url: str, params: Mapping[str, str], header: str | None, auth_token: str) -> None:
    """Raise SignatureError unless ``header`` is Twilio's signature of ``url`` and ``params``.

    ``url`` must be the public URL Twilio posted to (behind a proxy, not the one we see)."""
    if not header:
        raise SignatureError(f"missing {TWILIO_SIGNATURE_HEADER} header")
    if not RequestValidator(auth_token).validate(url, dict(params), header):
        raise SignatureError(f"{TWILIO_SIGNATURE_HEADER} does not match the request")


def parse_twilio(params: Mapping[str, str]) -> list[InboundMessage]:
    """The customer message in a (verified) Twilio WhatsApp webhook; none for a status."""
    sid = params.get("MessageSid") or params.get("SmsSid")
    sender = params.get("From", "")
    if not sid or not sender.startswith("whatsapp:") or "Body" not in params:
        return []
    text = params.get("ButtonText") or params.get("Body", "")
    try:
        phone = e164(sender)
    except PortError as exc:
        raise PayloadError("unreadable WhatsApp sender number") from exc
    return [InboundMessage("twilio", sid, phone, text, is_opt_out(text))]
