"""The review queue as people outside the operator API change it: take an item, resolve it.

An alert and the review item of the same hand-off share a case, not a key (``<call>:alert``
beside ``<call>:review``), so both functions act on the case's open review items. First-run
approvals are left alone: they hold a disposition for an explicit approve or reject, which a
"resolved" click must not decide.

Who took an item is kept on the item (``assignee``, ``assigned_at``: what the review queue
shows) and in the audit log (``review_taken``, with the person's display name). Each function
is safe to call again with the same click: audit keys are unique per alert, action and person,
a second take by the same person keeps the first time, and only an item still open is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from recoup.domain.errors import UnknownRecordError
from recoup.store import repo, views
from recoup.store.tables import CaseRow, ReviewItemRow

__all__ = ["APPROVAL_REASON", "Actor", "open_items", "resolve", "take"]

#: Review items that wait for approve/reject, not for "resolved".
APPROVAL_REASON = "first_runs_approval"


@dataclass(frozen=True)
class Actor:
    """The person who clicked: ``ref`` is stable (``slack:U123``), ``name`` is for people."""

    ref: str
    name: str
    via: str = "slack"


def open_items(session: Session, case_id: str) -> list[ReviewItemRow]:
    """The case's open review items that a take or resolve applies to, oldest first."""
    if session.get(CaseRow, case_id) is None:
        raise UnknownRecordError(f"no case {case_id!r}")
    query = (
        select(ReviewItemRow)
        .where(ReviewItemRow.case_id == case_id, ReviewItemRow.status == "open")
        .where(ReviewItemRow.reason != APPROVAL_REASON)
        .order_by(ReviewItemRow.created_at)
    )
    return list(session.scalars(query))


def take(session: Session, case_id: str, alert_key: str, actor: Actor, at: datetime) -> list[str]:
    """Assign the case's open review items to ``actor``; their keys (empty for an alert that
    opened no review item: the taking is recorded all the same). Another person's take moves
    the item to them: the last click is who owns it now."""
    items = open_items(session, case_id)
    for item in items:
        if item.assignee != actor.ref:
            item.assignee, item.assigned_at = actor.ref, at
    keys = [item.key for item in items]
    repo.audit(
        session,
        f"{alert_key}:taken:{actor.ref}",
        case_id,
        at,
        "review_taken",
        {
            "assignee": actor.ref,
            "assignee_name": actor.name,
            "review_items": keys,
            "alert": alert_key,
            "via": actor.via,
        },
        actor=actor.via,
    )
    return keys


def resolve(
    session: Session, case_id: str, alert_key: str, actor: Actor, at: datetime
) -> list[str]:
    """Resolve the case's open review items as ``actor``; the keys resolved by this call."""
    done = []
    for item in open_items(session, case_id):
        note = f"resolved in {actor.via} by {actor.name} ({actor.ref})"
        if views.resolve_review(session, item.key, "resolved", note, at) is not None:
            done.append(item.key)
    repo.audit(
        session,
        f"{alert_key}:resolved:{actor.ref}",
        case_id,
        at,
        "review_resolved",
        {
            "by": actor.ref,
            "by_name": actor.name,
            "review_items": done,
            "alert": alert_key,
            "via": actor.via,
        },
        actor=actor.via,
    )
    return done
