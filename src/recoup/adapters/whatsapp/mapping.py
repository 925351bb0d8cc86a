"""WhatsApp shapes: numbers, the template message, Graph API errors, and the sent-message store.

Both senders use one approved template (see docs/integrations/whatsapp.md), so the wording of
each message stays in the playbook and only the template's frame needs Meta's approval:

* body ``{{1}}``: the subject ("Your Acme invoice INV-1"),
* body ``{{2}}``: the rendered message on one line, with the tracked link and reference code,
* URL button ``{{1}}``: the tracking token, appended to ``https://<recoup>/l/``.

The template's own text carries the opt-out line ("Reply STOP to stop these messages.").
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import phonenumbers

from recoup.adapters.templates import OPT_OUT_LINES, delivered_text, one_line, reference
from recoup.domain.errors import PermanentPortError, PortError, TransientPortError
from recoup.domain.models import Channel, OutboundMessage

__all__ = [
    "TEMPLATE_BODY",
    "TEMPLATE_BUTTON_URL",
    "MemorySentStore",
    "SentStore",
    "e164",
    "graph_error",
    "template_parameters",
    "template_payload",
]

#: The body text to submit for approval (category Utility), exactly as here.
TEMPLATE_BODY = "Update: {{1}}.\n\n{{2}}\n\n" + OPT_OUT_LINES[Channel.WHATSAPP]
#: The URL button ("Open secure link"); ``{{1}}`` is the tracking token.
TEMPLATE_BUTTON_URL = "{public_base_url}/l/{{{{1}}}}"

_SUBJECT_LIMIT, _BODY_LIMIT = 120, 800  # with the template's own text, under 1,024

#: Graph API error codes that mean "not now": throttling, pair rate, temporary outage.
_TRANSIENT_CODES = frozenset({1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056, 133016})


def e164(number: str) -> str:
    """``number`` (``+1 415-555-0100``, ``whatsapp:+14155550100``) as E.164 with ``+``."""
    text = number.strip().removeprefix("whatsapp:").strip()
    if text and not text.startswith("+"):
        text = f"+{text}"  # Meta's webhooks give digits only, always with the country code
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise PermanentPortError("the WhatsApp number cannot be read") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise PermanentPortError("the WhatsApp number is not a possible phone number")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def template_parameters(message: OutboundMessage) -> tuple[str, str, str]:
    """The template's subject, one-line body and button suffix (the tracking token).

    A template's body is at most 1,024 characters in all; a longer message is shortened in
    the middle, keeping the reference code at its end (Twilio's look-up searches for it)."""
    subject = one_line(message.subject)[:_SUBJECT_LIMIT]
    body = one_line(delivered_text(message, opt_out=False))
    if len(body) > _BODY_LIMIT:
        ref = f" Ref: {reference(message.key)}"
        body = body[: _BODY_LIMIT - len(ref) - 1].rstrip() + "…" + ref
    return subject, body, message.tracking_token


def template_payload(
    message: OutboundMessage, to_digits: str, template: str, language: str
) -> dict[str, Any]:
    """The Cloud API request body for one template message."""
    subject, body, token = template_parameters(message)
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to_digits,
        "type": "template",
        "biz_opaque_callback_data": message.key,
        "template": {
            "name": template,
            "language": {"code": language},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": subject},
                        {"type": "text", "text": body},
                    ],
                },
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "0",
                    "parameters": [{"type": "text", "text": token}],
                },
            ],
        },
    }


def graph_error(status: int, payload: Any, retry_after: float | None) -> PortError:
    """A Graph API error response as a port error: throttling and 5xx may pass, others not."""
    error = payload.get("error", {}) if isinstance(payload, dict) else {}
    code = error.get("code") if isinstance(error, dict) else None
    label = f"WhatsApp Cloud API {status}" + (f" (code {code})" if code is not None else "")
    if status == 429 or status >= 500 or code in _TRANSIENT_CODES:
        return TransientPortError(label, retry_after)
    title = error.get("message", "") if isinstance(error, dict) else ""
    return PermanentPortError(f"{label}: {title}"[:300])


class SentStore(Protocol):
    """Where the Cloud adapter remembers which keys it sent, since Meta cannot tell it."""

    def get(self, key: str) -> str | None:
        """The provider message ID sent for ``key``, or None."""
        ...

    def put(self, key: str, provider_id: str) -> None:
        """Remember that ``key`` was sent as ``provider_id``."""
        ...


class MemorySentStore:
    """A ``SentStore`` in a dict: enough for one process; a restart forgets it."""

    def __init__(self) -> None:
        self._sent: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._sent.get(key)

    def put(self, key: str, provider_id: str) -> None:
        with self._lock:
            self._sent.setdefault(key, provider_id)
