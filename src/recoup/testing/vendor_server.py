"""A local HTTP server that stands in for a vendor's API and records every request it gets.

The contract suites aim each real adapter, through the vendor's official SDK, at one of these
on 127.0.0.1, so a test can check the exact request the SDK sent (method, path, auth header,
body, idempotency key) and can make the "vendor" fail on purpose (a 429, a 500, a slow answer).
Each vendor's stand-in (``recoup.testing.<vendor>_api``, a ``stand_in.StandIn``) registers
its routes on a ``VendorServer`` and keeps whatever state the real API would (notes, messages,
calls).

Why in the package and not under tests/: the end-to-end test, the demo against local vendors
and ``recoup doctor``'s tests all need the same stand-ins, the way httpx ships
``MockTransport`` beside its real transport. Nothing here is imported by production code.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from recoup.testing.serving import Startable, ThrowawayTls

__all__ = ["Recorded", "Reply", "Route", "VendorServer"]


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it; header names are lower-case."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, list[str]]:
        """An ``application/x-www-form-urlencoded`` body (Stripe's and Twilio's)."""
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def form_value(self, name: str) -> str | None:
        values = self.form().get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Reply:
    """What the stand-in answers: a status, a JSON (or raw) body and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, str]:
        if self.raw is not None:
            return self.raw, self.headers.get("Content-Type", "application/octet-stream")
        return json.dumps(self.body if self.body is not None else {}).encode(), "application/json"


Handler = Callable[[Recorded, re.Match[str]], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class VendorServer(Startable):
    """A threaded HTTP(S) server on loopback with routes, a request log and injected faults."""

    def __init__(self, name: str = "vendor", tls: bool = False) -> None:
        self.name = name
        self.requests: list[Recorded] = []
        self._routes: list[Route] = []
        self._faults: list[Reply] = []
        self._lock = threading.Lock()
        self._tls: ThrowawayTls | None = None
        self.ca_path: Path | None = None  # the CA to trust when ``tls`` is on
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        if tls:
            self._tls = ThrowawayTls(prefix=f"recoup-{self.name}-")
            self.ca_path = self._tls.ca_path
            self._server.socket = self._tls.context.wrap_socket(
                self._server.socket, server_side=True
            )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- set-up -----------------------------------------------------------------------------

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Register ``handler`` for ``method`` and a path regex (matched in full)."""

        def register(handler: Handler) -> Handler:
            self._routes.append(Route(method.upper(), re.compile(pattern), handler))
            return handler

        return register

    def fail_next(self, reply: Reply, times: int = 1) -> None:
        """Answer the next ``times`` requests with ``reply`` (a 429, a 503), whatever they ask."""
        with self._lock:
            self._faults.extend([reply] * times)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{host!s}:{port}"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._tls is not None:
            self._tls.cleanup()

    @contextmanager
    def running(self) -> Iterator[Self]:
        with self:
            yield self

    # -- inspection -------------------------------------------------------------------------

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        """Recorded requests, filtered by method and by a path regex (matched in full)."""
        with self._lock:
            found = list(self.requests)
        return [r for r in found
                if (method is None or r.method == method.upper())
                and (path is None or re.fullmatch(path, r.path))]  # fmt: skip

    # -- internals --------------------------------------------------------------------------

    def _dispatch(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            fault = self._faults.pop(0) if self._faults else None
        if fault is not None:
            return fault
        for route in self._routes:
            if route.method == request.method:
                match = route.pattern.fullmatch(request.path)
                if match:
                    return route.handler(request, match)
        return Reply(404, {"error": f"{self.name} stand-in: no route for "
                                    f"{request.method} {request.path}"})  # fmt: skip

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle on, each answer waits ~40 ms
            # for the client's delayed ACK.
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                recorded = Recorded(
                    method=self.command, path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()}, body=body,
                )  # fmt: skip
                reply = server._dispatch(recorded)
                if reply.delay:
                    time.sleep(reply.delay)
                payload, content_type = reply.encoded()
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    if name.lower() != "content-type":
                        self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (a timeout test): nothing left to answer

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815

            def log_message(self, *_: Any) -> None:  # quiet: tests read ``requests`` instead
                return

        return _Handler
