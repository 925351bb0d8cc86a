"""``MessagingPort`` through the Gmail API: the payment-link email from a Workspace mailbox.

Sending once per key: the Gmail API has no idempotency key, so before each send (and again
before each retry) the adapter searches the mailbox, sent mail included, for an earlier message
with the key's ``Message-ID`` or its reference code (``users.messages.list`` with ``q``). Found,
it returns that message's ID with ``duplicate=True``. Gmail's search index can lag a send by a
few seconds, so two sends of one key within that lag could both go out; the workflow's DBOS
step never sends the same key concurrently, and a re-run after a crash comes much later.

Why ``build(..., static_discovery=True)`` with our own ``http``: the discovery document ships
with the client library (no network at start-up), the base URL can point at a stand-in, and
the timeout is ours. httplib2 is not thread-safe, so each thread gets its own connection
(passed to ``execute``); the service object itself is shared. ``execute()`` is called
without ``num_retries``: retries are ours too, with the look-up in between.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import google_auth_httplib2  # type: ignore[import-untyped]
import httplib2  # type: ignore[import-untyped]
from googleapiclient.discovery import build  # type: ignore[import-untyped]
from pydantic import SecretStr

from recoup.adapters.gmail.mapping import (
    GMAIL_ERRORS,
    credentials_from,
    lookup_query,
    raw_message,
    translate,
)
from recoup.adapters.retry import Backoff, with_retries
from recoup.adapters.smtp.mapping import build_email, message_id
from recoup.adapters.templates import reference
from recoup.domain.models import MessageReceipt, OutboundMessage

__all__ = ["GmailMessaging"]

log = logging.getLogger(__name__)


class GmailMessaging:
    """Send each message as the ``from_address`` mailbox (or a verified send-as alias)."""

    def __init__(
        self,
        credentials: SecretStr,
        from_address: str,
        delegated_user: str | None = None,
        base_url: str | None = None,
        token_uri: str | None = None,
        timeout: float = 10.0,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._creds = credentials_from(credentials, delegated_user, token_uri)
        self._timeout = timeout
        self._local = threading.local()
        options = {"api_endpoint": base_url.rstrip("/") + "/"} if base_url else None
        self._service: Any = build(
            "gmail", "v1", http=self._http(), static_discovery=True, client_options=options
        )
        self._from = from_address
        self._backoff, self._sleep = backoff, sleep

    def send(self, message: OutboundMessage) -> MessageReceipt:
        """Send once per ``message.key``: look for an earlier send first, then send."""
        email = build_email(message, self._from)
        query = lookup_query(message_id(message.key, self._from), reference(message.key))
        raw = raw_message(email)

        def attempt() -> MessageReceipt:
            earlier = self._find(query)
            if earlier is not None:
                return MessageReceipt(key=message.key, provider_id=earlier, duplicate=True)
            sent = self._call(self._service.users().messages().send(userId="me", body={"raw": raw}))
            return MessageReceipt(key=message.key, provider_id=str(sent["id"]))

        receipt = with_retries(attempt, self._backoff, self._sleep)
        log.info(
            "email %s %s through Gmail",
            reference(message.key),
            "found already sent" if receipt.duplicate else "sent",
        )
        return receipt

    def _find(self, query: str) -> str | None:
        listing = self._service.users().messages()
        request = listing.list(userId="me", q=query, includeSpamTrash=True, maxResults=1)
        found = self._call(request).get("messages") or []
        return str(found[0]["id"]) if found else None

    def _http(self) -> Any:
        """This thread's connection: httplib2 objects must not be shared between threads."""
        http = getattr(self._local, "http", None)
        if http is None:
            raw = httplib2.Http(timeout=self._timeout)
            http = self._local.http = google_auth_httplib2.AuthorizedHttp(self._creds, http=raw)
        return http

    def _call(self, request: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = request.execute(http=self._http())
        except GMAIL_ERRORS as exc:
            raise translate(exc) from exc
        return result
