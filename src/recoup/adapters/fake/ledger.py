"""The fake vendors' memory: what they were sent, keyed like the real vendors key it.

A real vendor remembers an idempotency key across our crashes; so must a fake, or a test of
crash recovery proves nothing. :class:`MemoryLedger` serves unit and contract tests;
:class:`SqlLedger` keeps the simulated world in a table so that worker processes, a killed one
and its successor, share it. ``attempts`` counts every request, duplicates included, so tests
can tell "sent once" from "sent twice and deduplicated".
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from sqlalchemy import JSON, Engine, Integer, String, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Ledger(Protocol):
    def add(self, kind: str, key: str, value: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Store ``value`` unless ``key`` exists; return the stored value and whether it is new."""
        ...

    def put(self, kind: str, key: str, value: dict[str, Any]) -> None:
        """Store or replace ``value``."""
        ...

    def get(self, kind: str, key: str) -> dict[str, Any] | None: ...

    def items(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        """Every entry of ``kind`` in insertion order."""
        ...

    def attempts(self, kind: str, key: str) -> int:
        """How many times ``add`` was called for the key."""
        ...


class MemoryLedger:
    """A ledger in a dict, thread-safe."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], dict[str, Any]] = {}
        self._attempts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def add(self, kind: str, key: str, value: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        with self._lock:
            self._attempts[(kind, key)] = self._attempts.get((kind, key), 0) + 1
            if (kind, key) in self._data:
                return self._data[(kind, key)], False
            self._data[(kind, key)] = value
            return value, True

    def put(self, kind: str, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._data[(kind, key)] = value

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            return self._data.get((kind, key))

    def items(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            return [(k, v) for (kd, k), v in self._data.items() if kd == kind]

    def attempts(self, kind: str, key: str) -> int:
        with self._lock:
            return self._attempts.get((kind, key), 0)


class _Base(DeclarativeBase):
    pass


class LedgerRow(_Base):
    __tablename__ = "sim_ledger"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=1)


class SqlLedger:
    """A ledger in the ``sim_ledger`` table: the simulated world's own storage."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        _Base.metadata.create_all(engine)

    @staticmethod
    def _key(kind: str, key: str) -> str:
        return f"{kind}:{key}"

    def add(self, kind: str, key: str, value: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        full = self._key(kind, key)
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(LedgerRow).values(kind=kind, key=full, value=value))
            return value, True
        except IntegrityError:
            with self._engine.begin() as conn:
                conn.execute(
                    update(LedgerRow)
                    .where(LedgerRow.key == full)
                    .values(attempts=LedgerRow.attempts + 1)
                )
            stored = self.get(kind, key)
            assert stored is not None
            return stored, False

    def put(self, kind: str, key: str, value: dict[str, Any]) -> None:
        full = self._key(kind, key)
        with self._engine.begin() as conn:
            done = conn.execute(
                update(LedgerRow).where(LedgerRow.key == full).values(value=value)
            ).rowcount
            if not done:
                conn.execute(insert(LedgerRow).values(kind=kind, key=full, value=value))

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(LedgerRow.value).where(LedgerRow.key == self._key(kind, key))
            ).first()
        return None if row is None else dict(row[0])

    def items(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        prefix = len(kind) + 1
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(LedgerRow.key, LedgerRow.value)
                .where(LedgerRow.kind == kind)
                .order_by(LedgerRow.seq)
            ).all()
        return [(k[prefix:], dict(v)) for k, v in rows]

    def attempts(self, kind: str, key: str) -> int:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(LedgerRow.attempts).where(LedgerRow.key == self._key(kind, key))
            ).first()
        return 0 if row is None else int(row[0])
