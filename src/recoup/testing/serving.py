"""What every local server in ``recoup.testing`` shares: ``with`` starts and stops it, and a
TLS one presents a certificate from a throwaway CA that the test then trusts.

Kept apart from ``vendor_server`` because the SMTP server (aiosmtpd, not HTTP) needs the same
two things, and the vendor stand-ins build on ``VendorServer`` itself.
"""

from __future__ import annotations

import ssl
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Self

__all__ = ["Startable", "ThrowawayTls"]


class Startable(ABC):
    """``with server:`` calls ``start`` and, on the way out, ``stop``; subclasses give both."""

    @abstractmethod
    def start(self) -> Self:
        """Begin serving; returns the server for ``with``."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving and release the port (and any certificate files)."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


class ThrowawayTls:
    """A CA made for one server (trustme), its certificate for 127.0.0.1 in ``context``, and
    the CA's PEM in a temporary ``ca_path`` for the client to trust; ``cleanup`` removes it."""

    def __init__(self, prefix: str) -> None:
        import trustme  # a test dependency: only the TLS servers need it

        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self._tmp = tempfile.TemporaryDirectory(prefix=prefix)
        self.ca_path = Path(self._tmp.name) / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_path))
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(self.context)

    def cleanup(self) -> None:
        self._tmp.cleanup()
