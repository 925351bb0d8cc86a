"""A call resumed in another process: the dialog rebuilt by replaying what it understood.

A phone call served by webhooks spans many HTTP requests, and any server replica may get the
next one, so the dialog cannot live in memory between turns. Two ways to carry it over: dump
every field of ``Dialog`` (and of ``Flow`` and ``Lines`` beneath it), or keep the inputs and
replay them. Replay is the robust one: ``Dialog.respond`` is deterministic in its inputs (the
request, how the call was picked up, the call's ``now`` and each understood reply), so a fresh
``Dialog`` fed the same inputs reaches exactly the same state, line variants included, and a
field added to the dialog tomorrow is carried over without a schema change.

What is stored is the ``Understanding`` of each reply, never the words as heard: its text is
already redacted, and replaying it does not run the recogniser or the learned models again, so
the result cannot drift between turns even if a model file changes mid-call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from recoup.agent.dialog import AgentTurn, Dialog
from recoup.agent.understand import Understanding
from recoup.domain.models import CallRequest

__all__ = ["dump_understanding", "load_understanding", "replay"]

_UNDERSTANDING: TypeAdapter[Understanding] = TypeAdapter(Understanding)


def dump_understanding(u: Understanding) -> dict[str, Any]:
    """``u`` as JSON types (dates and amounts as strings), for a JSON column."""
    dumped: dict[str, Any] = _UNDERSTANDING.dump_python(u, mode="json")
    return dumped


def load_understanding(data: Mapping[str, Any]) -> Understanding:
    """The ``Understanding`` that ``dump_understanding`` stored, validated on the way in."""
    return _UNDERSTANDING.validate_python(dict(data))


def replay(
    request: CallRequest, pickup: str, now: datetime, heard: Iterable[Understanding]
) -> tuple[Dialog, AgentTurn]:
    """A dialog opened with ``pickup`` at ``now`` that has responded to ``heard`` in order,
    and the last thing it said."""
    dialog = Dialog(request, now)
    turn = dialog.open(pickup)
    for u in heard:
        turn = dialog.respond(u)
    return dialog, turn
