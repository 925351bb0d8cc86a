"""Twilio's REST API for outbound calls: create one, read its status, find recent ones.

Built on the official SDK, aimed at any base URL (``client.api.base_url``: the SDK has no
constructor argument for it) so the contract suite can point it at a local stand-in. The SDK
is handed an empty-but-non-empty environment, so ``TWILIO_EDGE``/``TWILIO_REGION`` in the
process environment can never re-route requests, and a logger of its own that is quiet below
WARNING, because the SDK logs request URLs at INFO and a list query carries the phone number.

Errors become Recoup's: timeouts, connection failures, 5xx and 429 (with ``Retry-After``)
are ``TransientPortError``, raised by the HTTP client where the response headers are still at
hand; other 4xx are ``PermanentPortError``. Reads are retried; ``dial`` is not: a create that
timed out may have placed the call, and Twilio has no idempotency key for calls, so the
caller (``telephony.TwilioTelephony``) looks the call up before any second attempt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import SecretStr
from twilio.base.exceptions import TwilioException  # type: ignore[import-untyped]
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

from recoup.adapters.retry import Backoff, with_retries
from recoup.adapters.twilio.mapping import CallInfo, call_info, rest_error
from recoup.adapters.twilio.urls import status_url, voice_url
from recoup.domain.errors import TransientPortError

__all__ = ["STATUS_EVENTS", "TwilioVoice"]

T = TypeVar("T")

#: Every progress event, so the call's SID reaches Recoup (with the call ID in the URL) as
#: soon as Twilio has it, even when the create response is lost.
STATUS_EVENTS = ("initiated", "ringing", "answered", "completed")
#: Twilio's clock and ours may disagree a little; calls this much older than the intent count.
CLOCK_SKEW = timedelta(minutes=2)

_sdk_log = logging.getLogger("recoup.adapters.twilio.sdk")
_sdk_log.setLevel(logging.WARNING)


def _retry_after(headers: Any) -> float | None:
    try:
        return float(headers.get("Retry-After")) if headers else None
    except (TypeError, ValueError):
        return None


class _HttpClient(TwilioHttpClient):  # type: ignore[misc]
    """The SDK's client, raising ``TransientPortError`` for what a retry may fix."""

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        try:
            response = super().request(method, url, *args, **kwargs)
        except OSError as exc:  # requests' ConnectionError and Timeout are OSErrors
            raise TransientPortError(f"twilio: {type(exc).__name__} on {method}") from exc
        status = int(response.status_code)
        if status == 429:
            raise TransientPortError("twilio: HTTP 429", retry_after=_retry_after(response.headers))
        if status >= 500:
            raise TransientPortError(f"twilio: HTTP {status} on {method}")
        return response


class TwilioVoice:
    """Outbound calls from one Twilio number, whose webhooks point at ``public_base_url``."""

    def __init__(
        self,
        account_sid: str,
        auth_token: SecretStr,
        from_number: str,
        *,
        public_base_url: str,
        base_url: str = "https://api.twilio.com",
        ring_timeout: int = 25,
        time_limit: int = 900,
        http_timeout: float = 10.0,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        http = _HttpClient(timeout=http_timeout, logger=_sdk_log)
        self._client = Client(
            account_sid,
            auth_token.get_secret_value(),
            http_client=http,
            environment={"RECOUP": "environment not read"},
        )
        self._client.api.base_url = base_url.rstrip("/")
        self._from = from_number
        self._public = public_base_url
        self._ring_timeout = ring_timeout
        self._time_limit = time_limit
        self._backoff = backoff or Backoff()
        self._sleep = sleep

    @property
    def from_number(self) -> str:
        return self._from

    def dial(self, call_id: str, to: str) -> str:
        """Place the call once (no retry here, see the module docstring); its CallSid."""
        try:
            call = self._client.calls.create(
                to=to,
                from_=self._from,
                url=voice_url(self._public, call_id),
                method="POST",
                status_callback=status_url(self._public, call_id),
                status_callback_method="POST",
                status_callback_event=list(STATUS_EVENTS),
                machine_detection="DetectMessageEnd",
                timeout=self._ring_timeout,
                time_limit=self._time_limit,
            )
        except TwilioException as exc:
            raise rest_error(exc) from exc
        return call_info(call).sid

    def status(self, call_sid: str) -> str:
        """The call's status now (``queued`` ... ``completed``, ``busy``, ``no-answer``)."""
        return self._read(lambda: call_info(self._client.calls(call_sid).fetch())).status

    def recent_calls(self, to: str, since: datetime) -> list[CallInfo]:
        """Calls from our number to ``to`` created since ``since`` (less clock skew), oldest
        first: where a call placed by a create whose response was lost shows up."""

        def read() -> list[CallInfo]:
            found = self._client.calls.list(to=to, from_=self._from, limit=50, page_size=50)
            return [call_info(c) for c in found]

        cutoff = since - CLOCK_SKEW
        calls = [c for c in self._read(read) if c.created is None or c.created >= cutoff]
        return sorted(calls, key=lambda c: (c.created is None, c.created or cutoff))

    def _read(self, call: Callable[[], T]) -> T:
        def attempt() -> T:
            try:
                return call()
            except TwilioException as exc:
                raise rest_error(exc) from exc

        return with_retries(attempt, self._backoff, self._sleep)
