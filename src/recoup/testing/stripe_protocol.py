"""What every request to the Stripe stand-in goes through before its route: the API key, any
injected fault, and the idempotency layer; plus decoding Stripe's form bodies and its error
replies. Kept apart from the objects (``stripe_api``) because these rules are Stripe's for
every endpoint.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from recoup.testing.stripe_shapes import error, new_id
from recoup.testing.vendor_server import Recorded, Reply

_PART = re.compile(r"[^\[\]]+")


class Gate:
    """Authentication, then faults, then idempotent replay, as Stripe orders them."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self._replies: dict[str, tuple[tuple[str, str, bytes], Reply]] = {}
        self._faults: list[tuple[str, re.Pattern[str], Reply]] = []
        self._lock = threading.Lock()

    def fail(self, method: str, path: str, reply: Reply, times: int = 1) -> None:
        """Answer the next ``times`` matching requests with ``reply``, after authentication."""
        with self._lock:
            self._faults.extend([(method.upper(), re.compile(path), reply)] * times)

    def reset(self) -> None:
        with self._lock:
            self._replies.clear()
            self._faults.clear()

    def serve(self, req: Recorded, run: Callable[[], Reply]) -> Reply:
        refused = self._refuse(req.headers.get("authorization")) or self._fault_for(req)
        if refused is not None:
            return refused
        key = req.headers.get("idempotency-key") if req.method == "POST" else None
        if key is None:
            return _with_request_id(run())
        return self._idempotent(key, req, run)

    def _refuse(self, authorization: str | None) -> Reply | None:
        if authorization == f"Bearer {self.api_key}":
            return None
        if not authorization:
            return Reply(401, error("You did not provide an API key."))
        shown = authorization.removeprefix("Bearer ")
        return Reply(401, error(f"Invalid API Key provided: {shown[:8]}{'*' * 12}{shown[-4:]}"))

    def _fault_for(self, req: Recorded) -> Reply | None:
        with self._lock:
            for n, (method, pattern, reply) in enumerate(self._faults):
                if method == req.method and pattern.fullmatch(req.path):
                    del self._faults[n]
                    return reply
        return None

    def _idempotent(self, key: str, req: Recorded, run: Callable[[], Reply]) -> Reply:
        """Replay the stored answer for a known key (Stripe stores answers of requests that
        ran, not ones refused by validation); a key reused with other parameters is a 400."""
        fingerprint = (req.method, req.path, req.body)
        with self._lock:
            stored = self._replies.get(key)
        if stored is not None:
            if stored[0] != fingerprint:
                return Reply(400, _reused(key))
            reply = stored[1]
            return Reply(reply.status, reply.body, {**reply.headers, "Idempotent-Replayed": "true"})
        reply = _with_request_id(run())
        reply = Reply(reply.status, reply.body, {**reply.headers, "Idempotency-Key": key})
        if reply.status < 400:
            with self._lock:
                self._replies.setdefault(key, (fingerprint, reply))
        return reply


def nested_form(body: bytes) -> dict[str, Any]:
    """``a[b][c]=v`` pairs as ``{"a": {"b": {"c": "v"}}}``; list indexes stay dict keys."""
    out: dict[str, Any] = {}
    for name, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        parts = _PART.findall(name)
        node = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        if parts:
            node[parts[-1]] = value
    return out


def expand_of(query: Mapping[str, list[str]]) -> set[str]:
    """The ``expand[]`` paths of a GET, however the client indexed them."""
    return {v for name, values in query.items() if name.startswith("expand") for v in values}


def check_params(
    form: Mapping[str, Any], allowed: set[str], required: tuple[str, ...] = ()
) -> Reply | None:
    """Stripe's 400 for an unknown or a missing parameter, or None."""
    unknown = sorted(set(form) - allowed)
    if unknown:
        return Reply(400, error(f"Received unknown parameter: {unknown[0]}",
                                code="parameter_unknown", param=unknown[0]))  # fmt: skip
    for name in required:
        if not form.get(name):
            return Reply(400, error(f"Missing required param: {name}.",
                                    code="parameter_missing", param=name))  # fmt: skip
    return None


def missing(kind: str, ref: str, param: str = "id", status: int = 404) -> Reply:
    """Stripe's ``resource_missing``: 404 for the path's object, 400 for a parameter's."""
    return Reply(status, error(f"No such {kind}: '{ref}'", code="resource_missing", param=param))


def _reused(key: str) -> dict[str, Any]:
    message = (
        "Keys for idempotent requests can only be used with the same parameters they were "
        f"first used with. Try using a key other than '{key}' if you meant to execute a "
        "different request."
    )
    return error(message, type_="idempotency_error")


def _with_request_id(reply: Reply) -> Reply:
    return Reply(reply.status, reply.body, {"Request-Id": new_id("req"), **reply.headers})
