"""The last line of defence: no card number is ever written to the database.

The agent redacts what customers say, spoken digits included; this guard scans every string
and JSON value a session is about to flush, and masks any Luhn-valid 13-19 digit number with
a card-like prefix (2-6: Mastercard, Amex, Diners, JCB, Visa, Discover, UnionPay), written
with optional single spaces or dashes. A UUID or a dashed reference longer than a card is
left alone because the match may not touch letters, digits or dashes on either side.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

_CARD = re.compile(r"(?<![\w-])[2-6](?:[ -]?\d){12,18}(?![\w-])")
MASK = "[card number]"


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum that every payment card number satisfies."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def card_numbers(text: str) -> list[str]:
    """Card numbers written as digits in ``text``, as bare digit strings."""
    found = []
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found.append(digits)
    return found


def scrub(value: Any) -> Any:
    """``value`` with card numbers masked, walking JSON-like containers."""
    if isinstance(value, str):
        if not card_numbers(value):
            return value
        return _CARD.sub(lambda m: MASK if card_numbers(m.group()) else m.group(), value)
    if isinstance(value, int) and not isinstance(value, bool) and card_numbers(str(value)):
        return MASK
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(v) for v in value)
    return value


def _scrub_object(obj: Any) -> None:
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        current = getattr(obj, attr.key)
        if isinstance(current, str | dict | list):
            cleaned = scrub(current)
            if cleaned != current:
                setattr(obj, attr.key, cleaned)


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    for obj in list(session.new) + list(session.dirty):
        _scrub_object(obj)


def install(session_class: type[Session]) -> None:
    """Scrub every flush made through sessions of ``session_class``."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
