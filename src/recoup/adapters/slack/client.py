"""Alerts to Slack through the official SDK: Block Kit messages, posted once per alert key.

Slack's Web API has no idempotency header, so "once" is done the way the brief for real
adapters allows: before posting, look the earlier post up. Every alert carries message
metadata (``recoup_alert`` with its key); each attempt first reads the channel's recent history
with ``include_all_metadata`` and answers ``duplicate=True`` with the earlier message when it
finds one. The lookup runs again before every retry, so a post whose answer was lost (it went
through, the reply did not) is found rather than repeated. The SDK's own retries are switched
off for the same reason: a retry it made would skip the lookup.

Slack answers most errors with HTTP 200 and ``{"ok": false, "error": ...}``; rate limits with
429 and ``Retry-After``. Both, like 5xx and timeouts, are translated into the port errors here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from recoup.adapters.retry import Backoff, with_retries
from recoup.adapters.slack import blocks
from recoup.adapters.slack.blocks import MessageRef
from recoup.domain.errors import PermanentPortError, PortError, TransientPortError
from recoup.domain.models import Alert, AlertReceipt

__all__ = ["SlackAlerts"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: ``ok: false`` errors that Slack documents as passing (worth another try).
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


class SlackAlerts:
    """``AlertPort`` on Slack: one Block Kit message per alert key, routed to a channel.

    ``channels`` maps a route to a channel ID: the alert's target (``@owner`` or
    ``#channel``, with or without the sign), or its team (``finance``, ``account_owner``);
    ``default_channel`` takes the rest. IDs, not names: history can only be read by ID.
    """

    def __init__(
        self,
        bot_token: SecretStr,
        base_url: str = "https://slack.com/api/",
        channels: Mapping[str, str] | None = None,
        default_channel: str | None = None,
        case_url_base: str = "http://127.0.0.1:8000/api/cases/",
        backoff: Backoff | None = None,
        *,
        timeout: int = 10,
        lookback: timedelta = timedelta(days=7),
        history_pages: int = 5,
        page_size: int = 200,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._client = WebClient(
            token=bot_token.get_secret_value(),
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            timeout=timeout,
            retry_handlers=[],
        )
        self._channels = {_route(k): v for k, v in (channels or {}).items()}
        self._default = default_channel
        self._case_url_base = case_url_base
        self._backoff = backoff or Backoff()
        self._lookback = lookback
        self._pages = history_pages
        self._page_size = page_size
        self._sleep = sleep
        self._now = now

    # -- AlertPort ---------------------------------------------------------------------------

    def alert(self, alert: Alert) -> AlertReceipt:
        """Post the alert to its channel unless a message with its key is already there."""
        channel = self.channel_for(alert)

        def attempt() -> AlertReceipt:
            earlier = self._find(channel, alert.key)
            if earlier is not None:
                return AlertReceipt(
                    key=alert.key, provider_id=f"{channel}:{earlier}", duplicate=True
                )
            ts = self._post(channel, alert)
            return AlertReceipt(key=alert.key, provider_id=f"{channel}:{ts}")

        return with_retries(attempt, self._backoff, self._sleep)

    def channel_for(self, alert: Alert) -> str:
        """The channel ID for the owner or team the alert is for; PermanentPortError if none."""
        target = alert.target.strip()
        for route in (_route(target), alert.team.value):
            if route and route in self._channels:
                return self._channels[route]
        if self._default:
            return self._default
        raise PermanentPortError(
            f"no Slack channel routed for team {alert.team.value!r} or target "
            f"{target!r}: add one to the Slack channels setting or set a default channel"
        )

    # -- after a click -----------------------------------------------------------------------

    def show_action(
        self, ref: MessageRef, alert_key: str, case_id: str, status: str, done: bool
    ) -> None:
        """Rewrite the posted alert to show ``status`` (who took or resolved it).

        ``chat.update`` replaces the message, so this is safe to retry; the metadata is sent
        again so the message can still be found by its key.
        """
        shown = ref.blocks or self._bare_blocks(case_id)
        new_blocks = blocks.with_status(shown, status, done)
        self._retrying(
            "chat.update",
            lambda: self._client.chat_update(
                channel=ref.channel,
                ts=ref.ts,
                text=blocks.clean(status),
                blocks=new_blocks,
                metadata=blocks.metadata(alert_key),
            ),
        )

    def check(self) -> str:
        """Who the token is (``auth.test``), for ``recoup doctor``; raises PortError if refused."""
        answer = self._retrying("auth.test", self._client.auth_test)
        return f"workspace {answer.get('team')!s} as {answer.get('user')!s}"

    # -- internals ---------------------------------------------------------------------------

    def _bare_blocks(self, case_id: str) -> tuple[dict[str, Any], ...]:
        """When a click did not carry the message (older payloads), keep at least the link."""
        url = blocks.case_url(self._case_url_base, case_id)
        button = {
            "type": "button",
            "action_id": blocks.ACTION_OPEN,
            "url": url,
            "text": {"type": "plain_text", "text": "Open case"},
        }
        return ({"type": "actions", "block_id": blocks.ACTIONS_BLOCK, "elements": [button]},)

    def _find(self, channel: str, key: str) -> str | None:
        """The ``ts`` of a message in ``channel`` whose metadata names ``key``, if recent."""
        oldest = f"{self._now() - self._lookback.total_seconds():.6f}"
        cursor: str | None = None
        for _ in range(self._pages):
            page = self._history_page(channel, oldest, cursor)
            for message in page.get("messages") or []:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == blocks.METADATA_EVENT and payload.get("key") == key:
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or cursor is None:
                return None
        log.warning("slack: alert lookup stopped after %d pages in %s", self._pages, channel)
        return None

    def _history_page(self, channel: str, oldest: str, cursor: str | None) -> Any:
        return _call(
            "conversations.history",
            lambda: self._client.conversations_history(
                channel=channel,
                oldest=oldest,
                limit=self._page_size,
                include_all_metadata=True,
                cursor=cursor,
            ),
        )

    def _post(self, channel: str, alert: Alert) -> str:
        answer = _call(
            "chat.postMessage",
            lambda: self._client.chat_postMessage(
                channel=channel,
                text=blocks.fallback_text(alert),
                blocks=blocks.alert_blocks(alert, self._case_url_base),
                metadata=blocks.metadata(alert.key),
                unfurl_links=False,
                unfurl_media=False,
            ),
        )
        log.info("slack: alert %s posted to %s", alert.key, channel)
        return str(answer["ts"])

    def _retrying(self, method: str, call: Callable[[], Any]) -> Any:
        return with_retries(lambda: _call(method, call), self._backoff, self._sleep)


def _route(name: str) -> str:
    """``@dana``, ``dana`` and ``Dana`` name one route; so do ``#finance`` and ``finance``."""
    return name.strip().lstrip("@#").lower()


def _call(method: str, call: Callable[[], T]) -> T:
    """``call()`` with the SDK's and the network's errors translated into port errors."""
    try:
        return call()
    except SlackApiError as exc:
        raise _translate(method, exc) from exc
    except SlackClientError as exc:  # a request the SDK refused to build: our mistake
        raise PermanentPortError(f"Slack {method}: {type(exc).__name__}") from exc
    except (TimeoutError, OSError) as exc:  # URLError is an OSError; so are resets
        raise TransientPortError(f"Slack {method}: {type(exc).__name__}") from exc


def _translate(method: str, exc: SlackApiError) -> PortError:
    response = exc.response
    status = int(response.status_code)
    data = response.data if isinstance(response.data, dict) else {}
    error = str(data.get("error") or f"HTTP {status}")[:120]
    message = f"Slack {method} failed: {error} (HTTP {status})"
    if status == 429:
        return TransientPortError(message, retry_after=_retry_after(response.headers))
    if status >= 500 or error in TRANSIENT_ERRORS:
        return TransientPortError(message)
    return PermanentPortError(message)


def _retry_after(headers: Mapping[str, Any]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return float(value[0] if isinstance(value, list) else value)
            except (TypeError, ValueError):
                return None
    return None
