"""``MessagingPort`` through Meta's WhatsApp Cloud API: an approved template with the link.

Why httpx and not an SDK: Meta publishes no official Python SDK for the Cloud API, and pywa
hard-codes the Graph host (DEPENDENCY-NOTES); one documented POST is simpler to own.

Sending once per key, and the risk that remains: the Cloud API has no idempotency key and no
way to search sent messages. The adapter keeps what it sent in a ``SentStore`` (key -> message
ID) and checks it first; the default store lives in memory, so it covers repeats within one
process. A crash after Meta accepted a message but before the store and the workflow step
recorded it resends it once after recovery. The request also carries the key as
``biz_opaque_callback_data``, which Meta echoes in the status webhooks, so a ``SentStore``
backed by the database and fed from those webhooks closes most of that window. A 5xx answer is
retried like a 429; Meta documents both as "try again", but a 5xx after Meta queued the message
would also resend it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr

from recoup.adapters.retry import Backoff, with_retries
from recoup.adapters.templates import reference
from recoup.adapters.whatsapp.mapping import (
    MemorySentStore,
    SentStore,
    e164,
    graph_error,
    template_payload,
)
from recoup.domain.errors import PermanentPortError, TransientPortError
from recoup.domain.models import MessageReceipt, OutboundMessage

__all__ = ["WhatsAppCloudMessaging"]

log = logging.getLogger(__name__)


class WhatsAppCloudMessaging:
    """Send template messages from one WhatsApp Business phone number."""

    def __init__(
        self,
        access_token: SecretStr,
        phone_number_id: str,
        template_name: str,
        template_language: str = "en_US",
        base_url: str = "https://graph.facebook.com",
        api_version: str = "v21.0",
        store: SentStore | None = None,
        timeout: float = 10.0,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._token = access_token
        self._path = f"/{api_version}/{phone_number_id}/messages"
        self._template, self._language = template_name, template_language
        self._store: SentStore = store or MemorySentStore()
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self._backoff, self._sleep = backoff, sleep
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}

    def close(self) -> None:
        self._http.close()

    def send(self, message: OutboundMessage) -> MessageReceipt:
        """Send once per ``message.key`` as far as the ``SentStore`` remembers."""
        with self._lock:
            key_lock = self._key_locks.setdefault(message.key, threading.Lock())
        with key_lock:  # the store check and the send of one key must not interleave
            earlier = self._store.get(message.key)
            if earlier is not None:
                return MessageReceipt(key=message.key, provider_id=earlier, duplicate=True)
            digits = e164(message.to).removeprefix("+")
            body = template_payload(message, digits, self._template, self._language)
            provider_id = with_retries(lambda: self._post(body), self._backoff, self._sleep)
            self._store.put(message.key, provider_id)
        log.info("WhatsApp %s sent through the Cloud API", reference(message.key))
        return MessageReceipt(key=message.key, provider_id=provider_id)

    def _post(self, body: dict[str, Any]) -> str:
        headers = {"Authorization": f"Bearer {self._token.get_secret_value()}"}
        try:
            response = self._http.post(self._path, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise TransientPortError("WhatsApp Cloud API timed out") from exc
        except httpx.TransportError as exc:
            raise TransientPortError(
                f"WhatsApp Cloud API unreachable: {type(exc).__name__}"
            ) from exc
        payload = _json(response)
        if response.status_code >= 400:
            raise graph_error(response.status_code, payload, _retry_after(response))
        try:
            return str(payload["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            raise PermanentPortError("WhatsApp Cloud API answered without a message ID") from exc


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None
