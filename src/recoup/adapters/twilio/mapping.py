"""Twilio's shapes in domain terms: call records, statuses, answering-machine results, errors.

Nothing from the SDK leaves this folder: a call resource becomes a ``CallInfo``, a
``TwilioRestException`` a ``PermanentPortError`` (the transient failures are raised by the
adapter's HTTP client, which can still see ``Retry-After``), a status that never reached a
person a ``NO_ANSWER`` disposition that says which status it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from recoup.agent.notes import summary_and_next
from recoup.agent.redact import mask_contact
from recoup.domain.errors import PermanentPortError, PortError, TransientPortError
from recoup.domain.models import CallRequest, Disposition, Outcome

#: Anything dialled, however malformed (``mask_contact`` leaves what is no phone number).
_DIALLED = re.compile(r"\+\d[\d\s().-]*\d|\+\d")

#: Statuses after which Twilio sends nothing more about a call.
TERMINAL = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})

#: A call that never reached anyone: the note added to the summary, and the next action.
UNANSWERED: dict[str, tuple[str, str]] = {
    "busy": ("The line was busy.", "call again later"),
    "no-answer": ("It rang out unanswered.", "call again later"),
    "failed": (
        "The call could not be connected; the number may be wrong.",
        "check the phone number, then call again",
    ),
    "canceled": ("The call was cancelled before it connected.", "call again later"),
    "fax": ("A fax machine answered.", "check the phone number, then call again"),
    "hung_up_early": ("The call ended before the agent spoke.", "call again later"),
}


@dataclass(frozen=True)
class CallInfo:
    """What Recoup needs of a Twilio call resource."""

    sid: str
    status: str
    to: str
    created: datetime | None
    answered_by: str | None = None


def call_info(call: Any) -> CallInfo:
    """A ``CallInstance`` (or its JSON, with ``date_created`` parsed) as a ``CallInfo``."""

    def field(name: str) -> Any:
        return call.get(name) if isinstance(call, dict) else getattr(call, name, None)

    created = field("date_created")
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return CallInfo(
        sid=str(field("sid")),
        status=str(field("status") or ""),
        to=str(field("to") or ""),
        created=created,
        answered_by=field("answered_by"),
    )


def pickup_for(answered_by: str | None) -> str:
    """How the call was picked up, from ``AnsweredBy``: ``voicemail`` for a machine (with
    ``DetectMessageEnd`` the beep has passed, so the message is recorded whole), ``fax``, or
    ``human``; ``unknown`` and an absent value count as a person, whom the greeting asks
    for by name, so a machine taken for a person hears nothing about the debt."""
    found = (answered_by or "").lower()
    if found.startswith("machine"):
        return "voicemail"
    return "fax" if found == "fax" else "human"


def stt_confidence(raw: str | None) -> float | None:
    """Twilio's ``Confidence`` as a number, or None when absent or zero: some speech models
    report no confidence at all (0), which must not read as certainty of a wrong hearing."""
    try:
        value = float(raw) if raw else 0.0
    except ValueError:
        return None
    return value if 0.0 < value <= 1.0 else None


def unanswered(request: CallRequest, status: str) -> Disposition:
    """The disposition of a call nobody took part in: nothing said, nothing heard."""
    d = Disposition(call_id=request.call_id, outcome=Outcome.NO_ANSWER)
    summary, action = summary_and_next(request.case, d, hung_up=False, callback=None)
    note, next_action = UNANSWERED.get(status, ("", action))
    return d.model_copy(update={"summary": f"{summary} {note}".strip(), "next_action": next_action})


def rest_error(exc: Any) -> PortError:
    """A ``TwilioRestException`` or ``TwilioServiceException`` (RFC 9457) as a domain error;
    its message may quote the number dialled, so phone numbers and emails in it are masked."""
    status = int(getattr(exc, "status", 0) or 0)
    code = getattr(exc, "code", None)
    said = [getattr(exc, name, None) for name in ("msg", "title", "detail")]
    message = _DIALLED.sub("[phone]", mask_contact(" ".join(str(s) for s in said if s)))
    text = f"twilio: HTTP {status} (code {code}): {message}"
    if status == 429 or status >= 500:
        return TransientPortError(text)
    return PermanentPortError(text)
