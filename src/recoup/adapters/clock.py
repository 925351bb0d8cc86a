"""Clocks: the real one, and an accelerated one for the demo and tests.

The accelerated clock maps wall time onto simulated time linearly from a fixed origin, so every
process that shares the origin agrees on "now" and a durable sleep computed by one process wakes
at the right simulated moment in another, even after a restart.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def real_seconds_until(self, moment: datetime) -> float:
        return max(0.0, (moment - self.now()).total_seconds())


class AcceleratedClock:
    """Simulated time running ``speed`` times faster than the wall clock.

    ``sim_origin`` is the simulated instant that corresponds to the wall-clock instant
    ``real_origin`` (a UNIX timestamp).
    """

    def __init__(self, sim_origin: datetime, real_origin: float, speed: float) -> None:
        if sim_origin.tzinfo is None:
            raise ValueError("sim_origin must be timezone-aware")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.sim_origin = sim_origin.astimezone(UTC)
        self.real_origin = real_origin
        self.speed = speed

    def now(self) -> datetime:
        elapsed = (time.time() - self.real_origin) * self.speed
        return self.sim_origin + timedelta(seconds=elapsed)

    def real_seconds_until(self, moment: datetime) -> float:
        return max(0.0, (moment - self.now()).total_seconds() / self.speed)

    def encode(self) -> str:
        """``ISO|unix|speed``: how the wiring passes the same clock to other processes."""
        return f"{self.sim_origin.isoformat()}|{self.real_origin}|{self.speed}"

    @classmethod
    def decode(cls, text: str) -> AcceleratedClock:
        origin, real, speed = text.split("|")
        return cls(datetime.fromisoformat(origin), float(real), float(speed))
