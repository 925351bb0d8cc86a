"""Retrying a vendor call that failed for a reason worth retrying, with capped backoff.

Adapters translate vendor errors into ``TransientPortError`` (timeouts, 5xx, 429) and
``PermanentPortError`` (other 4xx); only the first is retried, and only where the call is safe
to repeat: a read, or a write the vendor deduplicates (Stripe's ``Idempotency-Key``) or that
the adapter looked up first (a note found by call ID). The DBOS step around the call has its
own retries for a crash; this loop is for a vendor's bad second, inside one step attempt.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from recoup.domain.errors import RecoupError, TransientPortError

__all__ = ["Backoff", "with_retries", "write_once"]

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """Full-jitter exponential backoff: attempt n waits up to ``base * 2**n``, at most ``cap``;
    a vendor's ``Retry-After`` wins when it is longer."""

    attempts: int = 4
    base: float = 0.5
    cap: float = 8.0

    def delay(self, attempt: int, hint: float | None, rng: random.Random) -> float:
        ceiling = min(self.cap, self.base * 2**attempt)
        wait = rng.uniform(0, ceiling)
        return max(wait, min(hint, self.cap * 4)) if hint else wait


def with_retries(
    call: Callable[[], T],
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> T:
    """``call()``, again after a ``TransientPortError`` until the attempts run out; the last
    error is raised as it is. Any other error is raised at once."""
    policy = backoff or Backoff()
    jitter = rng or random.Random()
    for attempt in range(policy.attempts):
        try:
            return call()
        except TransientPortError as exc:
            if attempt == policy.attempts - 1:
                raise
            sleep(policy.delay(attempt, exc.retry_after, jitter))
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


class _NotRepeatableError(Exception):
    """Carries a transient error from a write that may have been applied: not retried here."""

    def __init__(self, error: RecoupError) -> None:
        super().__init__(str(error))
        self.error = error


def write_once(
    call: Callable[[], T],
    translate: Callable[[Exception], RecoupError | None],
    repeatable: Callable[[Exception], bool],
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """A create the vendor does not deduplicate, retried only when it certainly did not
    happen (``repeatable``: a 429 is refused before any work). After a 5xx or a timeout the
    write may have landed, so the transient error goes up as it is, and the next attempt
    (the DBOS step's retry) looks the earlier write up before writing. ``translate`` turns a
    vendor error into ours; None means it is not the vendor's (a bug), raised unchanged."""

    def once() -> T:
        try:
            return call()
        except Exception as exc:
            error = translate(exc)
            if error is None:
                raise
            if isinstance(error, TransientPortError) and not repeatable(exc):
                raise _NotRepeatableError(error) from exc
            raise error from exc

    try:
        return with_retries(once, backoff, sleep)
    except _NotRepeatableError as wrapped:
        raise wrapped.error from wrapped.__cause__
