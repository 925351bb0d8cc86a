"""``MessagingPort`` over SMTP: the payment-link email through any relay (stdlib ``smtplib``).

Sending once per key, and where SMTP cannot promise it:

* SMTP has no idempotency key and no way to ask "did you already take this message?". Within
  one adapter instance a repeated key returns the first receipt (``duplicate=True``) and never
  reaches the server; two threads sending the same key wait for each other.
* Across a crash there is no lookup: if the process dies after the server accepted the message
  but before the workflow step recorded it, the re-run step sends it again, once. The resend
  carries the same ``Message-ID`` (derived from the key), which Gmail and most mailboxes use to
  collapse duplicates, so the customer usually sees one email.
* Retries: a 4xx reply (the server did not take the message) and a failed connection are
  retried with backoff; a 5xx reply is final (``PermanentPortError``). A connection lost after
  the message body was sent is the one ambiguous case; it is retried, with the same Message-ID.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage

from pydantic import SecretStr

from recoup.adapters.retry import Backoff, with_retries
from recoup.adapters.smtp.mapping import build_email
from recoup.adapters.templates import reference
from recoup.domain.errors import PermanentPortError, PortError, TransientPortError
from recoup.domain.models import MessageReceipt, OutboundMessage

__all__ = ["SmtpMessaging"]

log = logging.getLogger(__name__)


class SmtpMessaging:
    """Send each message as a multipart (text + HTML) email through one SMTP server."""

    def __init__(
        self,
        host: str,
        port: int = 587,
        username: str | None = None,
        password: SecretStr | None = None,
        from_address: str = "",
        starttls: bool = True,
        use_ssl: bool = False,
        timeout: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if use_ssl and starttls:
            raise ValueError("use_ssl (implicit TLS, port 465) and starttls exclude each other")
        self._host, self._port, self._timeout = host, port, timeout
        self._username, self._password = username, password
        self._from = from_address
        self._starttls, self._use_ssl = starttls, use_ssl
        self._context = ssl_context or ssl.create_default_context()
        self._backoff, self._sleep = backoff, sleep
        self._sent: dict[str, MessageReceipt] = {}
        self._key_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def send(self, message: OutboundMessage) -> MessageReceipt:
        """Send once per ``message.key`` in this process; see the module docstring for crashes."""
        with self._lock:
            key_lock = self._key_locks.setdefault(message.key, threading.Lock())
        with key_lock:
            earlier = self._sent.get(message.key)
            if earlier is not None:
                return earlier.model_copy(update={"duplicate": True})
            email = build_email(message, self._from)
            with_retries(lambda: self._deliver(email), self._backoff, self._sleep)
            receipt = MessageReceipt(key=message.key, provider_id=str(email["Message-ID"]))
            self._sent[message.key] = receipt
        log.info("email %s accepted by the SMTP server", reference(message.key))
        return receipt

    def _open(self) -> smtplib.SMTP:
        if self._use_ssl:
            return smtplib.SMTP_SSL(
                self._host, self._port, timeout=self._timeout, context=self._context
            )
        return smtplib.SMTP(self._host, self._port, timeout=self._timeout)

    def _deliver(self, email: EmailMessage) -> None:
        try:
            smtp = self._open()
        except (smtplib.SMTPException, OSError) as exc:
            raise _translate(exc) from exc
        try:
            if self._starttls:
                smtp.starttls(context=self._context)
            if self._username:
                secret = self._password.get_secret_value() if self._password else ""
                smtp.login(self._username, secret)
            smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            raise _translate(exc) from exc
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
            smtp.close()


def _by_code(code: int, what: str) -> PortError:
    """4xx: the server did not take it now, try again; 5xx (and anything else): final."""
    if 400 <= code < 500:
        return TransientPortError(f"SMTP server deferred the {what} ({code})")
    return PermanentPortError(f"SMTP server refused the {what} ({code})")


def _translate(exc: Exception) -> PortError:
    """An smtplib or socket error as a port error; server texts are dropped (they may echo
    the recipient's address)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return _by_code(min(codes) if codes else 550, "recipient")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc.smtp_code, "message")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return TransientPortError("SMTP server closed the connection")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return PermanentPortError("SMTP server lacks a required extension (STARTTLS or AUTH)")
    if isinstance(exc, ssl.SSLError):
        return PermanentPortError(f"TLS with the SMTP server failed: {exc.reason}")
    if isinstance(exc, OSError):
        return TransientPortError(f"SMTP server unreachable: {type(exc).__name__}")
    return PermanentPortError(f"SMTP error: {type(exc).__name__}")
