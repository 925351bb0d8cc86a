"""A stand-in for the parts of Slack's Web API that Recoup uses, on a :class:`VendorServer`.

Stateful the way Slack is as far as the adapter can tell: ``chat.postMessage`` stores a message
(with its blocks and message metadata) in its channel and gives it a ``ts``; ``chat.update``
rewrites it; ``conversations.history`` lists a channel newest first, with ``oldest``/``latest``,
``limit`` and cursor pages, and returns metadata only when ``include_all_metadata`` is set;
``auth.test`` says who the token is. Like Slack, it answers HTTP 200 with
``{"ok": false, "error": ...}`` for a refused call (``not_authed``, ``invalid_auth``,
``channel_not_found``, ``message_not_found``, ``no_text``, ``invalid_blocks``) and 429 with
``Retry-After`` for a rate limit (:meth:`SlackApi.rate_limit_next`).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from recoup.testing.stand_in import StandIn
from recoup.testing.vendor_server import Handler, Recorded, Reply

__all__ = ["SlackApi"]

_FALSEY = {"", "0", "false", "False"}


class SlackApi(StandIn):
    """Slack's Web API for one workspace and one bot token, at ``base_url``."""

    def __init__(
        self,
        token: str = "xoxb-recoup-test-token",  # noqa: S107 - the stand-in's own fixed token
        channels: tuple[str, ...] | None = None,
        team: str = "Recoup Test",
        team_id: str = "T0RECOUP1",
        bot_user_id: str = "U0RECOUPBOT",
        bot_id: str = "B0RECOUP1",
    ) -> None:
        super().__init__("slack")
        self.token = token
        self.known_channels = channels  # None: every channel ID exists
        self.team, self.team_id, self.bot_user_id, self.bot_id = team, team_id, bot_user_id, bot_id
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self._lost_replies: dict[str, int] = {}
        self._lock = threading.Lock()
        self._seq = 0
        self._register()

    # -- life cycle and inspection ------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What to give ``WebClient(base_url=...)``."""
        return f"{self.server.url}/api/"

    def reset(self) -> None:
        """Forget every message, request and lost reply, and know every channel again: a clean
        workspace for the next test without the half second a server takes to stop and start.
        (Faults planned with ``server.fail_next`` are consumed by the requests they fail.)"""
        with self._lock:
            self.messages.clear()
            self._lost_replies.clear()
            self.known_channels = None
        self.server.requests.clear()

    def in_channel(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages, oldest first, as stored (metadata included)."""
        with self._lock:
            return [dict(m) for m in self.messages.get(channel, [])]

    def calls(self, method: str) -> list[Recorded]:
        """Requests made to one Web API method (``chat.postMessage``...)."""
        return self.server.calls(path=f"/api/{re.escape(method)}")

    # -- faults -------------------------------------------------------------------------------

    def rate_limit_next(self, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next requests as Slack does past a rate limit."""
        reply = Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        self.server.fail_next(reply, times)

    def lose_reply(self, method: str, times: int = 1) -> None:
        """Do the next ``method`` calls, then answer 503 as if the reply were lost on the way."""
        with self._lock:
            self._lost_replies[method] = self._lost_replies.get(method, 0) + times

    # -- the API ------------------------------------------------------------------------------

    def _register(self) -> None:
        handlers = {
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "conversations.history": self._history,
            "auth.test": self._auth_test,
        }
        for name, handler in handlers.items():
            pattern = f"/api/{re.escape(name)}"
            for verb in ("GET", "POST"):
                self.server.route(verb, pattern)(self._wrap(name, handler))

    def _wrap(self, name: str, handler: Callable[[dict[str, Any]], Reply]) -> Handler:
        def serve(request: Recorded, _: re.Match[str]) -> Reply:
            refused = self._auth_error(request)
            if refused:
                return Reply(200, {"ok": False, "error": refused})
            args = _arguments(request)
            reply = handler(args)
            with self._lock:
                lost = self._lost_replies.get(name, 0)
                if lost and reply.body and reply.body.get("ok"):
                    self._lost_replies[name] = lost - 1
                    return Reply(
                        503, raw=b"upstream connect error", headers={"Content-Type": "text/plain"}
                    )
            return reply

        return serve

    def _auth_error(self, request: Recorded) -> str | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return "not_authed"
        given = header.removeprefix("Bearer ")
        return None if given == self.token and given.startswith("xoxb-") else "invalid_auth"

    def _channel_error(self, channel: Any) -> str | None:
        if not channel:
            return "channel_not_found"
        if self.known_channels is not None and channel not in self.known_channels:
            return "channel_not_found"
        return None

    def _post_message(self, args: dict[str, Any]) -> Reply:
        channel = args.get("channel")
        problem = self._channel_error(channel) or _content_error(args)
        if problem:
            return Reply(200, {"ok": False, "error": problem})
        with self._lock:
            self._seq += 1
            ts = f"{int(time.time())}.{self._seq:06d}"
            message = {
                "type": "message",
                "user": self.bot_user_id,
                "bot_id": self.bot_id,
                "app_id": "A0RECOUP1",
                "team": self.team_id,
                "ts": ts,
                "text": args.get("text", ""),
                "blocks": _decoded(args.get("blocks")) or [],
            }
            if args.get("metadata"):
                message["metadata"] = _decoded(args["metadata"])
            self.messages.setdefault(str(channel), []).append(message)
        return Reply(200, {"ok": True, "channel": channel, "ts": ts, "message": _public(message)})

    def _update(self, args: dict[str, Any]) -> Reply:
        channel, ts = args.get("channel"), args.get("ts")
        problem = self._channel_error(channel) or _content_error(args)
        if problem:
            return Reply(200, {"ok": False, "error": problem})
        with self._lock:
            found = [m for m in self.messages.get(str(channel), []) if m["ts"] == ts]
            if not found:
                return Reply(200, {"ok": False, "error": "message_not_found"})
            message = found[0]
            message["text"] = args.get("text", "")
            if "blocks" in args:
                message["blocks"] = _decoded(args["blocks"]) or []
            if args.get("metadata"):  # Slack keeps the earlier metadata when none is given
                message["metadata"] = _decoded(args["metadata"])
            message["edited"] = {"user": self.bot_user_id, "ts": f"{time.time():.6f}"}
            body = {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "text": message["text"],
                "message": _public(message),
            }
        return Reply(200, body)

    def _history(self, args: dict[str, Any]) -> Reply:
        channel = args.get("channel")
        problem = self._channel_error(channel)
        if problem:
            return Reply(200, {"ok": False, "error": problem})
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or time.time() + 1)
        inclusive = str(args.get("inclusive", "0")) not in _FALSEY
        limit = max(1, min(999, int(args.get("limit") or 100)))
        start = int(base64.b64decode(args["cursor"]).decode()) if args.get("cursor") else 0
        metadata = str(args.get("include_all_metadata", "0")) not in _FALSEY

        def within(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        with self._lock:
            newest_first = [
                m for m in reversed(self.messages.get(str(channel), [])) if within(float(m["ts"]))
            ]
            page = newest_first[start : start + limit]
            shown = [m if metadata else _public(m) for m in page]
        more = start + limit < len(newest_first)
        cursor = base64.b64encode(str(start + limit).encode()).decode() if more else ""
        return Reply(
            200,
            {
                "ok": True,
                "messages": shown,
                "has_more": more,
                "pin_count": 0,
                "response_metadata": {"next_cursor": cursor},
            },
        )

    def _auth_test(self, _: dict[str, Any]) -> Reply:
        return Reply(
            200,
            {
                "ok": True,
                "url": "https://recoup-test.slack.com/",
                "team": self.team,
                "user": "recoup",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": self.bot_id,
                "is_enterprise_install": False,
            },
        )


def _arguments(request: Recorded) -> dict[str, Any]:
    """Query string, then a JSON or form body: Slack accepts arguments in all three."""
    args: dict[str, Any] = {k: v[0] for k, v in request.query.items() if v}
    content_type = request.headers.get("content-type", "")
    if request.body and content_type.startswith("application/json"):
        body = request.json()
        if isinstance(body, dict):
            args.update(body)
    elif request.body:
        args.update({k: v[0] for k, v in request.form().items() if v})
    return args


def _decoded(value: Any) -> Any:
    """Blocks and metadata arrive as JSON values, or as JSON strings in a form body."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _content_error(args: dict[str, Any]) -> str | None:
    blocks = _decoded(args["blocks"]) if "blocks" in args else None
    if "blocks" in args and (
        not isinstance(blocks, list)
        or len(blocks) > 50
        or not all(isinstance(b, dict) and b.get("type") for b in blocks)
    ):
        return "invalid_blocks"
    if not args.get("text") and not blocks:
        return "no_text"
    return None


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """A message as Slack lists it without ``include_all_metadata``."""
    return {k: v for k, v in message.items() if k != "metadata"}
