"""What the vendor stand-ins (``recoup.testing.<vendor>_api``) share, so each keeps only the
vendor's own rules: the ``VendorServer`` it runs on (``url``, ``start``/``stop``, ``with``),
a queue of faults for one route, and the two usual credential checks.

A stand-in's ``server`` stays public: tests read its request log and plan faults for any
route with ``server.fail_next``.
"""

from __future__ import annotations

import base64
import re
import threading
from typing import Self

from recoup.testing.serving import Startable
from recoup.testing.vendor_server import Handler, Recorded, Reply, VendorServer

__all__ = ["Faults", "StandIn", "basic_auth_ok", "bearer_ok"]


class StandIn(Startable):
    """A vendor's API on its own ``VendorServer``: started, stopped and addressed through it."""

    def __init__(self, name: str, tls: bool = False) -> None:
        self.server = VendorServer(name, tls=tls)

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()


class Faults:
    """Replies planned for one route's next requests, in order (``wrap`` the route's handler).

    Unlike ``VendorServer.fail_next``, which fails whatever request comes next, these fail only
    that route, and can fail it after the vendor kept the write (``after_storing``): the
    answer lost on the way back that an adapter must survive without writing twice.
    """

    def __init__(self) -> None:
        self._planned: list[tuple[Reply, bool]] = []
        self._lock = threading.Lock()

    def push(self, reply: Reply, times: int = 1, after_storing: bool = False) -> None:
        """Answer the next ``times`` requests with ``reply``; with ``after_storing`` the real
        handler runs first, like a vendor that took the request and then failed to answer."""
        with self._lock:
            self._planned.extend([(reply, after_storing)] * times)

    def _next(self) -> tuple[Reply, bool] | None:
        with self._lock:
            return self._planned.pop(0) if self._planned else None

    def wrap(self, handler: Handler) -> Handler:
        """``handler``, answering with the next planned fault while there is one."""

        def serve(request: Recorded, match: re.Match[str]) -> Reply:
            fault = self._next()
            if fault is None:
                return handler(request, match)
            reply, after_storing = fault
            if after_storing:
                handler(request, match)
            return reply

        return serve


def bearer_ok(request: Recorded, token: str) -> bool:
    """The request carries ``Authorization: Bearer <token>`` (an OAuth or API token)."""
    return request.headers.get("authorization") == f"Bearer {token}"


def basic_auth_ok(request: Recorded, user: str, password: str) -> bool:
    """The request carries HTTP Basic auth for ``user``:``password`` (Twilio's SID and token)."""
    expected = base64.b64encode(f"{user}:{password}".encode()).decode()
    return request.headers.get("authorization") == f"Basic {expected}"
