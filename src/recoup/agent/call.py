"""One whole call against any customer: a simulator persona, a test script or a live bridge.

``converse`` drives a ``Dialog`` with a ``Customer`` until the agent ends the call, the customer
hangs up, or ``MAX_TURNS`` replies have gone by; the bound keeps a confused or adversarial
counterpart from holding a worker forever (``Dialog`` closes on its own well before it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from recoup.agent.dialog import Dialog
from recoup.agent.notes import summary_and_next
from recoup.domain.models import CallRequest, Disposition, Outcome

MAX_TURNS = 30
PICKUPS = frozenset({"human", "voicemail", "no_answer", "busy"})


class Customer(Protocol):
    """Whoever answers: hears the agent's act and words, replies with text.

    ``None`` means the customer hung up; an empty string is silence.
    """

    def reply(self, act: str, text: str) -> str | None:
        """The answer to what the agent just said (``act`` names its purpose)."""
        ...


def converse(request: CallRequest, pickup: str, customer: Customer, now: datetime) -> Disposition:
    """Run one call and return its disposition. ``pickup`` is how the call was answered."""
    if pickup not in PICKUPS:
        raise ValueError(f"pickup must be one of {sorted(PICKUPS)}, not {pickup!r}")
    if pickup in ("no_answer", "busy"):
        return _unanswered(request)
    dialog = Dialog(request, now)
    turn = dialog.open(pickup)
    for _ in range(MAX_TURNS):
        reply = customer.reply(turn.act, turn.text)  # the closing words are heard too
        if turn.done:
            break
        if reply is None:
            dialog.hang_up()
            break
        turn = dialog.hear(reply)
    else:
        dialog.hang_up()
    return dialog.disposition()


def _unanswered(request: CallRequest) -> Disposition:
    """Nobody to talk to: nothing said, nothing heard, try again later."""
    d = Disposition(call_id=request.call_id, outcome=Outcome.NO_ANSWER)
    summary, action = summary_and_next(request.case, d, hung_up=False, callback=None)
    return d.model_copy(update={"summary": summary, "next_action": action})
