"""A customer who answers from a script, so agent runs are repeatable and assertable.

The agent only sees ``reply(act, text) -> str | None``; this class answers by the agent's *act*
rather than its words, so the script survives any rewording of the agent's prompts. Each act has
its own cursor: asking the same thing twice gets the next line (a customer who repeats a date,
or finally gives in), and running out means the customer hangs up, which also bounds a looping
agent instead of letting it talk forever.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: The key that answers any act the script does not list.
ANY_ACT = "*"


class ScriptedCustomer:
    """Answers each act with its scripted lines in order; ``None`` means the customer hung up.

    An act listed in ``replies`` uses only its own lines, even when they are exhausted (an
    empty list means "hang up on this act"). Unlisted acts share the ``"*"`` lines and cursor.
    Once the customer has hung up every later call also returns ``None``.
    """

    def __init__(self, replies: Mapping[str, Sequence[str]]) -> None:
        self._replies: dict[str, tuple[str, ...]] = {
            act: tuple(lines) for act, lines in replies.items()
        }
        self._cursors: dict[str, int] = dict.fromkeys(self._replies, 0)
        self._heard: list[tuple[str, str]] = []
        self._hung_up = False

    def reply(self, act: str, text: str) -> str | None:
        """The next scripted line for ``act``, or ``None`` when the script has run out."""
        self._heard.append((act, text))
        if self._hung_up:
            return None
        key = act if act in self._replies else ANY_ACT
        lines = self._replies.get(key, ())
        cursor = self._cursors.get(key, 0)
        if cursor >= len(lines):
            self._hung_up = True
            return None
        self._cursors[key] = cursor + 1
        return lines[cursor]

    @property
    def heard(self) -> tuple[tuple[str, str], ...]:
        """Every ``(act, text)`` the agent said, in order: what tests assert the agent said."""
        return tuple(self._heard)

    @property
    def hung_up(self) -> bool:
        """True once a reply came back ``None``; the call is over from the customer's side."""
        return self._hung_up
