"""Logging that never shows a phone number, an email or a card number.

The mask is applied by a filter on the handler, so it covers every logger that reaches it
(ours, DBOS's, uvicorn's), whatever the call site remembered to do.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from recoup.agent.redact import mask_contact, redact


class MaskingFilter(logging.Filter):
    """Rewrites each record's message with contacts and card data masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = mask_contact(redact(message))
        record.args = None
        return True


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record, not the one in place
    when logging was configured: a CLI run inside a test (Typer's runner swaps stderr and
    closes its copy) must not leave the next user of the logger holding a closed file."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        return


def configure(level: str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send ``recoup`` and ``dbos`` logs to ``stream`` (stderr by default), masked."""
    handler = logging.StreamHandler(stream) if stream is not None else _CurrentStderr()
    handler.addFilter(MaskingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("recoup", "dbos"):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers = [h for h in logger.handlers if not _ours(h)]
        logger.addHandler(handler)
        logger.propagate = False
    return handler


def _ours(handler: logging.Handler) -> bool:
    return any(isinstance(f, MaskingFilter) for f in handler.filters)
