"""``MessagingPort`` through Twilio's WhatsApp sender (the official ``twilio`` SDK).

Sending once per key: Twilio's Messages API takes no idempotency key, but it lists what was
sent. Every message carries its reference code (``Ref: RCP-...``, derived from the key) in the
body, so before each send, and again before each retry, the adapter lists the latest messages
from our sender to that number and looks for the code; found, it returns that message's SID
with ``duplicate=True``. That survives a crash between Twilio accepting a message and the
workflow step recording it, unlike an in-memory guard.

With ``content_sid`` (a Content template approved for WhatsApp, needed outside the customer's
24-hour session) the SDK sends ``ContentSid`` and ``ContentVariables`` shaped like the Cloud
template (see ``whatsapp.mapping``); without it, a free-form ``Body`` (sandbox, or replies
inside a session).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import requests
from pydantic import SecretStr
from twilio.base.exceptions import TwilioException, TwilioRestException  # type: ignore[import-untyped]
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

from recoup.adapters.retry import Backoff, with_retries
from recoup.adapters.templates import delivered_text, reference
from recoup.adapters.whatsapp.mapping import e164, template_parameters
from recoup.domain.errors import PermanentPortError, PortError, TransientPortError
from recoup.domain.models import MessageReceipt, OutboundMessage

__all__ = ["TwilioWhatsAppMessaging"]

log = logging.getLogger(__name__)

#: Twilio error codes for "too many requests" that come without a 429 status.
_RATE_CODES = frozenset({20429, 63018})


class TwilioWhatsAppMessaging:
    """Send WhatsApp messages from one Twilio WhatsApp sender number."""

    def __init__(
        self,
        account_sid: str,
        auth_token: SecretStr,
        from_number: str,
        base_url: str | None = None,
        content_sid: str | None = None,
        timeout: float = 10.0,
        lookback: int = 50,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # The SDK logs request query strings (the customer's number) at INFO: give it a
        # logger of its own that only passes warnings.
        quiet = logging.Logger("recoup.twilio_sdk", logging.WARNING)
        http = TwilioHttpClient(timeout=timeout, logger=quiet)
        self._client: Any = Client(account_sid, auth_token.get_secret_value(), http_client=http)
        if base_url:
            self._client.api.base_url = base_url.rstrip("/")
        self._from = f"whatsapp:{e164(from_number)}"
        self._content_sid, self._lookback = content_sid, lookback
        self._backoff, self._sleep = backoff, sleep

    def send(self, message: OutboundMessage) -> MessageReceipt:
        """Send once per ``message.key``: look for the reference code first, then send."""
        to = f"whatsapp:{e164(message.to)}"
        ref = reference(message.key)

        def attempt() -> MessageReceipt:
            earlier = self._find(to, ref)
            if earlier is not None:
                return MessageReceipt(key=message.key, provider_id=earlier, duplicate=True)
            return MessageReceipt(key=message.key, provider_id=self._create(to, message))

        receipt = with_retries(attempt, self._backoff, self._sleep)
        log.info("WhatsApp %s %s through Twilio", ref, "found" if receipt.duplicate else "sent")
        return receipt

    def _find(self, to: str, ref: str) -> str | None:
        messages = _call(
            lambda: self._client.messages.list(to=to, from_=self._from, limit=self._lookback)
        )
        for sent in messages:
            if ref in (sent.body or ""):
                return str(sent.sid)
        return None

    def _create(self, to: str, message: OutboundMessage) -> str:
        fields: dict[str, Any] = {"to": to, "from_": self._from}
        if self._content_sid:
            subject, body, token = template_parameters(message)
            fields["content_sid"] = self._content_sid
            fields["content_variables"] = json.dumps({"1": subject, "2": body, "3": token})
        else:
            fields["body"] = delivered_text(message)
        created = _call(lambda: self._client.messages.create(**fields))
        return str(created.sid)


def _call(request: Callable[[], Any]) -> Any:
    try:
        return request()
    except TwilioRestException as exc:
        raise _translate(exc) from exc
    except requests.Timeout as exc:
        raise TransientPortError("Twilio timed out") from exc
    except requests.RequestException as exc:
        raise TransientPortError(f"Twilio unreachable: {type(exc).__name__}") from exc
    except TwilioException as exc:
        raise PermanentPortError(f"Twilio SDK error: {type(exc).__name__}") from exc


def _translate(exc: TwilioRestException) -> PortError:
    status, code = int(exc.status), exc.code
    label = f"Twilio {status}" + (f" (code {code})" if code else "")
    if status == 429 or status >= 500 or code in _RATE_CODES:
        return TransientPortError(label)
    return PermanentPortError(label)
