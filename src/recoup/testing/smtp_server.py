"""A real SMTP server on loopback (aiosmtpd) that keeps every email it accepts.

The SMTP adapter's contract suite talks to it through stdlib ``smtplib``, exactly as it would
to a relay: EHLO, optional STARTTLS with a throwaway certificate (trustme), optional AUTH
LOGIN/PLAIN, MAIL, RCPT, DATA. ``fail_next`` answers the next DATA commands with a reply of
your choice ("451 ..." to defer, "550 ..." to refuse). aiosmtpd and trustme are test
dependencies, imported only here.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Self

from recoup.testing.serving import Startable, ThrowawayTls

__all__ = ["SmtpServer"]


def _free_port() -> int:
    """aiosmtpd's controller cannot bind port 0 (it connects to its own port to start)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer(Startable):
    """Accepts mail on 127.0.0.1; ``messages`` are the parsed emails, in order."""

    def __init__(self, starttls: bool = False, login: tuple[str, str] | None = None) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.data_commands = 0
        self.logins: list[str] = []
        self._faults: list[str] = []
        self._lock = threading.Lock()
        self._tls: ThrowawayTls | None = None
        self.ca_path: Path | None = None
        server = self

        class _Handler:
            async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
                return server._take(envelope)

        def authenticate(*args: Any) -> Any:
            mechanism, data = args[3], args[4]
            ok = login is not None and (data.login.decode(), data.password.decode()) == login
            if ok:
                server.logins.append(f"{mechanism}:{data.login.decode()}")
            return AuthResult(success=ok, handled=False, auth_data=data)

        options: dict[str, Any] = {}
        if starttls:
            self._tls = ThrowawayTls(prefix="recoup-smtp-")
            self.ca_path = self._tls.ca_path
            options.update(tls_context=self._tls.context, require_starttls=True)
        if login is not None:
            options.update(authenticator=authenticate, auth_require_tls=starttls)
        self.port = _free_port()
        self._controller = Controller(_Handler(), hostname="127.0.0.1", port=self.port, **options)

    def client_context(self) -> ssl.SSLContext:
        """An SSL context that trusts this server's throwaway CA."""
        return ssl.create_default_context(cafile=str(self.ca_path) if self.ca_path else None)

    def _take(self, envelope: Any) -> str:
        with self._lock:
            self.data_commands += 1
            if self._faults:
                return self._faults.pop(0)
            parsed = email.message_from_bytes(
                envelope.original_content, policy=email.policy.default
            )
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 OK: queued"

    def fail_next(self, reply: str, times: int = 1) -> None:
        """Answer the next ``times`` DATA commands with ``reply`` (e.g. ``"451 4.3.0 later"``)."""
        with self._lock:
            self._faults.extend([reply] * times)

    def text_of(self, index: int = -1) -> str:
        """The plain-text part of an accepted email."""
        body = self.messages[index].get_body(("plain",))
        assert isinstance(body, EmailMessage)
        return str(body.get_content())

    def start(self) -> Self:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
        if self._tls is not None:
            self._tls.cleanup()
