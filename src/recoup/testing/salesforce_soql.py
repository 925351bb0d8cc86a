"""The little SOQL the Salesforce stand-in understands: enough for the adapter's queries.

``SELECT a, B.c FROM Obj [WHERE cond (AND|OR cond)...] [ORDER BY f [ASC|DESC]] [LIMIT n]``,
each ``cond`` being ``path = value``, ``path != value`` or ``path IN (v, ...)``; values are
quoted strings (with SOQL's backslash escapes), ``true``, ``false``, ``null`` or numbers. String
comparison is case-insensitive, as in Salesforce. Mixing AND with OR, parentheses around
conditions, or anything else raises :class:`SoqlError` (a MALFORMED_QUERY), so a query the
adapter starts sending that this does not understand fails loudly instead of matching wrongly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Query", "SoqlError", "parse"]

_SELECT = re.compile(
    r"SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<obj>\w+)(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>[\w.]+)(?:\s+(?P<dir>ASC|DESC))?)?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?\s*",
    re.IGNORECASE | re.DOTALL,
)
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:\\.|[^'\\])*')|(?P<op>!=|<>|=|\(|\)|,)|(?P<word>[\w.]+))", re.DOTALL
)
_UNESCAPE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
Getter = Callable[[str], Any]


class SoqlError(ValueError):
    """A query the stand-in cannot run; the message is Salesforce's style of complaint."""

    def __init__(self, message: str, code: str = "MALFORMED_QUERY") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Condition:
    path: str
    op: str  # "=", "!=", "IN"
    values: tuple[Any, ...]

    def test(self, get: Getter) -> bool:
        have = _fold(get(self.path))
        hit = any(have == _fold(v) for v in self.values)
        return not hit if self.op == "!=" else hit


@dataclass(frozen=True)
class Query:
    obj: str
    fields: tuple[str, ...]
    conditions: tuple[Condition, ...]
    joiner: str  # "AND" | "OR"
    order: str | None
    descending: bool
    limit: int | None

    def matches(self, get: Getter) -> bool:
        if not self.conditions:
            return True
        results = (c.test(get) for c in self.conditions)
        return all(results) if self.joiner == "AND" else any(results)

    def paths(self) -> list[str]:
        """Every field path the query names, for checking they exist."""
        extra = [self.order] if self.order else []
        return [*self.fields, *(c.path for c in self.conditions), *extra]


def parse(soql: str) -> Query:
    match = _SELECT.fullmatch(soql.strip())
    if match is None:
        raise SoqlError(f"unexpected token in query: {soql[:60]!r}")
    fields = tuple(f.strip() for f in match["fields"].split(","))
    conditions, joiner = _where(match["where"] or "")
    limit = int(match["limit"]) if match["limit"] else None
    descending = (match["dir"] or "").upper() == "DESC"
    return Query(match["obj"], fields, conditions, joiner, match["order"], descending, limit)


def _where(text: str) -> tuple[tuple[Condition, ...], str]:
    try:
        return _conditions(_tokens(text))
    except IndexError:
        raise SoqlError("unexpected end of query") from None


def _conditions(tokens: list[tuple[str, str]]) -> tuple[tuple[Condition, ...], str]:
    conditions: list[Condition] = []
    joiners: set[str] = set()
    while tokens:
        conditions.append(_condition(tokens))
        if tokens:
            joiner = tokens.pop(0)[1].upper()
            if joiner not in ("AND", "OR"):
                raise SoqlError(f"unexpected token: {joiner!r}")
            joiners.add(joiner)
    if len(joiners) > 1:
        raise SoqlError("the stand-in does not mix AND with OR")
    return tuple(conditions), (joiners.pop() if joiners else "AND")


def _condition(tokens: list[tuple[str, str]]) -> Condition:
    if len(tokens) < 3 or tokens[0][0] != "word":
        raise SoqlError("expected a field, an operator and a value")
    path, op = tokens.pop(0)[1], tokens.pop(0)[1].upper()
    if op == "<>":
        op = "!="
    if op in ("=", "!="):
        return Condition(path, op, (_value(tokens.pop(0)),))
    if op != "IN" or tokens.pop(0)[1] != "(":
        raise SoqlError(f"unsupported operator {op!r}")
    values: list[Any] = []
    while True:
        values.append(_value(tokens.pop(0)))
        sep = tokens.pop(0)[1]
        if sep == ")":
            return Condition(path, "IN", tuple(values))
        if sep != ",":
            raise SoqlError(f"unexpected token in IN list: {sep!r}")


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise SoqlError(f"unexpected character at {pos}")
        kind = match.lastgroup or "word"
        tokens.append((kind, match[kind]))
        pos = match.end()
    return tokens


def _value(token: tuple[str, str]) -> Any:
    kind, text = token
    if kind == "str":
        return re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m[1], m[1]), text[1:-1])
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    raise SoqlError(f"unexpected value {text!r}")


def _fold(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value
