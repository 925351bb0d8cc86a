"""Recoup's write-back as HubSpot engagements: the note and the owner's follow-up task.

Both carry the call ID twice: as written (for people) and as a marker token derived from it (for
search), since HubSpot tokenizes text on punctuation and a call ID is full of it
("case_1:call-2"). When the portal has a custom ``call_id`` property, it holds the call ID too
and lookups use it instead of the marker.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from recoup.adapters.hubspot.mapping import Properties
from recoup.domain.models import Outcome, WriteBack

#: HUBSPOT_DEFINED association type IDs (associations v4 table; 202 is the widely used one).
NOTE_TO = {"contact": 202, "company": 190, "deal": 214}
TASK_TO = {"contact": 204, "company": 192, "deal": 216}
#: An engagement marker is one alphanumeric token, so CONTAINS_TOKEN finds it whatever the
#: tokenizer does with the punctuation in a call ID ("case_1:call-2").
MARKER_PREFIX = "recoupcall"
_PRIORITY = {
    Outcome.ESCALATED: "HIGH",
    Outcome.REVIEW: "HIGH",
    Outcome.DO_NOT_CONTACT: "HIGH",
    Outcome.WRONG_PARTY: "MEDIUM",
    Outcome.CALLBACK_SCHEDULED: "MEDIUM",
}


def marker(key: str) -> str:
    """The searchable token standing for a call ID in a note or task body."""
    return MARKER_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:24]


def note_properties(
    write: WriteBack, case_url: str, owner_id: str | None, now: datetime, names: Properties
) -> dict[str, str]:
    """The note: everything the owner needs to read, and the call ID to find it again by."""
    lines = [
        f"<p><strong>Recoup call: {_label(write.outcome)}</strong></p>",
        f"<p>Summary: {html.escape(write.summary or '-')}</p>",
        f"<p>Promise date: {write.promise_date.isoformat() if write.promise_date else '-'}</p>",
        f"<p>Next action: {html.escape(write.next_action or '-')}</p>",
        f"<p>Invoice: {html.escape(write.invoice_ref)}</p>",
        _case_line(case_url),
        f"<p>Call ID: {html.escape(write.key)} {marker(write.key)}</p>",
    ]
    props = {"hs_timestamp": _iso(now), "hs_note_body": "".join(lines)}
    return _finish(props, write, owner_id, names)


def task_properties(
    write: WriteBack, case_url: str, owner_id: str | None, now: datetime, names: Properties
) -> dict[str, str]:
    """The follow-up task for the owner, due on the promise date (else the next day)."""
    due = _due(write.promise_date, now)
    body = "<br>".join(
        [
            f"Next action: {html.escape(write.next_action or '-')}",
            f"Promise date: {write.promise_date.isoformat() if write.promise_date else '-'}",
            f"Invoice: {html.escape(write.invoice_ref)}",
            f"Case: {html.escape(case_url)}" if case_url else "Case: -",
            f"Call ID: {html.escape(write.key)} {marker(write.key)}",
        ]
    )
    props = {
        "hs_timestamp": _iso(due),
        "hs_task_subject": f"Recoup follow-up: {_label(write.outcome)} ({write.invoice_ref})",
        "hs_task_body": body,
        "hs_task_status": "NOT_STARTED",
        "hs_task_priority": _PRIORITY.get(write.outcome, "LOW"),
        # HubSpot's own task types are EMAIL, CALL and TODO ("To-do" in its UI).
        "hs_task_type": "CALL" if write.outcome is Outcome.CALLBACK_SCHEDULED else "TODO",
    }
    return _finish(props, write, owner_id, names)


def associations(type_ids: Mapping[str, int], targets: Mapping[str, str | None]) -> list[Any]:
    """``associations`` for a create call: one entry per record the engagement belongs to."""
    return [
        {
            "to": {"id": target},
            "types": [
                {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_ids[kind]}
            ],
        }
        for kind, target in targets.items()
        if target
    ]


def _finish(
    props: dict[str, str], write: WriteBack, owner_id: str | None, names: Properties
) -> dict[str, str]:
    if owner_id:
        props["hubspot_owner_id"] = owner_id
    if names.call_id:
        props[names.call_id] = write.key
    return props


def _case_line(case_url: str) -> str:
    if not case_url:
        return "<p>Case: -</p>"
    safe = html.escape(case_url)
    return f'<p>Case: <a href="{safe}">{safe}</a></p>'


def _due(promise: date | None, now: datetime) -> datetime:
    if promise is not None:
        return datetime.combine(promise, time(9), tzinfo=UTC)
    return now + timedelta(days=1)


def _label(outcome: Outcome) -> str:
    return outcome.value.replace("_", " ").capitalize()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
