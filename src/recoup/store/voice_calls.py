"""The ``voice_calls`` table's reads and writes: one row per outbound call, keyed by call ID.

The row is written before the provider is asked to dial (``record_intent``), so a step that
crashed after dialing finds it on its re-run and looks for the call it placed instead of
placing another. Each webhook takes the row with ``locked`` (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers already), so two replicas serving
two webhooks of one call at once apply them one after the other.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from recoup.domain.models import CallRequest, Disposition, jsonable
from recoup.store.repo import insert_once
from recoup.store.tables import VoiceCallRow

__all__ = ["claimed_sids", "disposition_of", "locked", "record_intent", "request_of"]


def record_intent(session: Session, request: CallRequest, at: datetime) -> bool:
    """Record that ``request`` is about to be dialled; False when it was recorded before."""
    row = VoiceCallRow(
        call_id=request.call_id,
        case_id=request.case.case_id,
        state="dialing",
        request=jsonable(request),
        turn=0,
        heard=[],
        transcript=[],
        dial_intent_at=at,
        updated_at=at,
    )
    return insert_once(session, row)


def locked(session: Session, call_id: str) -> VoiceCallRow | None:
    """The call's row, locked until the session ends."""
    query = select(VoiceCallRow).where(VoiceCallRow.call_id == call_id).with_for_update()
    return session.scalars(query).first()


def claimed_sids(session: Session, sids: Collection[str]) -> set[str]:
    """Which of these provider call IDs already belong to a recorded call."""
    if not sids:
        return set()
    query = select(VoiceCallRow.call_sid).where(VoiceCallRow.call_sid.in_(list(sids)))
    return {sid for sid in session.scalars(query) if sid is not None}


def request_of(row: VoiceCallRow) -> CallRequest:
    return CallRequest.model_validate(row.request)


def disposition_of(row: VoiceCallRow) -> Disposition | None:
    return None if row.disposition is None else Disposition.model_validate(row.disposition)
