"""Vendor calls are retried on transient errors only, with capped backoff and Retry-After."""

from __future__ import annotations

import random

import pytest

from recoup.adapters.retry import Backoff, with_retries
from recoup.domain.errors import PermanentPortError, TransientPortError


def test_transient_errors_are_retried_until_success() -> None:
    answers: list[object] = [TransientPortError("503"), TransientPortError("429", 2.0), "ok"]
    waits: list[float] = []

    def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    assert with_retries(call, Backoff(attempts=4, base=0.1), waits.append, random.Random(1)) == "ok"
    assert len(waits) == 2
    assert waits[0] <= 0.1
    assert waits[1] >= 2.0  # the vendor's Retry-After is honoured


def test_permanent_errors_and_the_last_transient_one_are_raised() -> None:
    waits: list[float] = []

    def refused() -> None:
        raise PermanentPortError("400 bad request")

    with pytest.raises(PermanentPortError):
        with_retries(refused, sleep=waits.append)
    assert waits == []

    def down() -> None:
        raise TransientPortError("503")

    with pytest.raises(TransientPortError):
        with_retries(down, Backoff(attempts=3, base=0.01), waits.append)
    assert len(waits) == 2
