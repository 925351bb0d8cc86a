"""The call step: one outbound call, whose ID is the idempotency key of all that follows.

The call attempt row is written before dialing and the telephony port dials at most once per
call ID, so a worker killed mid-call and recovered finds the call already placed and collects
its result instead of ringing the customer again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from dbos import DBOS

from recoup.agent.redact import redact
from recoup.domain.models import CallRequest, CaseContext, Disposition, TranscriptTurn, jsonable
from recoup.store import repo
from recoup.store.tables import CallAttemptRow, CaseRow, DispositionRow
from recoup.workflows.runtime import current
from recoup.workflows.steps_enrich import policy_at

log = logging.getLogger(__name__)


def call_id_for(case_id: str, attempt_no: int) -> str:
    """Deterministic: the same case and attempt always give the same call ID."""
    return f"{case_id}:call-{attempt_no}"


def _request(context: CaseContext, attempt_no: int) -> CallRequest:
    rt = current()
    return CallRequest(
        call_id=call_id_for(context.case_id, attempt_no),
        case=context,
        attempt_no=attempt_no,
        recording_notice=rt.playbook.calling.recording_notice,
        callback_number=rt.callback_number,
        company_name=rt.company_name,
        longest_promise_days=rt.playbook.longest_promise_days,
    )


def _scrub(disposition: Disposition) -> Disposition:
    """Redact every transcript line and the summary again: card digits never reach storage."""
    turns = tuple(
        TranscriptTurn(speaker=t.speaker, act=t.act, text=redact(t.text))
        for t in disposition.transcript
    )
    return disposition.model_copy(
        update={"transcript": turns, "summary": redact(disposition.summary)}
    )


def _begin(context: CaseContext, call_id: str, attempt_no: int, at: datetime) -> None:
    rt = current()
    with rt.db.session() as s:
        repo.insert_once(
            s,
            CallAttemptRow(
                call_id=call_id,
                case_id=context.case_id,
                attempt_no=attempt_no,
                status="dialing",
                placed_at=at,
            ),
        )
        case = s.get(CaseRow, context.case_id)
        if case is not None:
            case.status = "calling"


def _finish(context: CaseContext, disposition: Disposition) -> None:
    rt = current()
    at = rt.clock.now()
    with rt.db.session() as s:
        attempt = s.get(CallAttemptRow, disposition.call_id)
        assert attempt is not None
        attempt.status, attempt.outcome, attempt.ended_at = "completed", disposition.outcome, at
        repo.insert_once(
            s,
            DispositionRow(
                call_id=disposition.call_id,
                case_id=context.case_id,
                outcome=disposition.outcome.value,
                intent=disposition.intent,
                escalation_reason=(
                    disposition.escalation.reason.value if disposition.escalation else None
                ),
                review_reason=disposition.review_reason.value
                if disposition.review_reason
                else None,
                promise_date=disposition.promise_date,
                created_at=at,
                data=jsonable(disposition),
            ),
        )
        case = s.get(CaseRow, context.case_id)
        assert case is not None
        case.outcome = disposition.outcome.value
        repo.audit(
            s,
            f"{disposition.call_id}:ended",
            context.case_id,
            at,
            "call_ended",
            {
                "call_id": disposition.call_id,
                "outcome": disposition.outcome.value,
                "summary": disposition.summary,
            },
        )


@DBOS.step()
def place_call(context: CaseContext, attempt_no: int) -> Disposition | None:
    """Dial (once per call ID), let the agent talk, and store the redacted disposition.

    The contact policy is checked again at the instant of dialing, so time spent between the
    workflow's check and this step can never put a call outside the customer's window;
    None means "not now", and the workflow goes back to waiting.
    """
    call_id = call_id_for(context.case_id, attempt_no)
    with current().db.session() as s:
        dialed_before = s.get(CallAttemptRow, call_id) is not None
    moment = current().clock.now()
    if not dialed_before and policy_at(context, moment).action != "call":
        return None
    _begin(context, call_id, attempt_no, moment)
    log.info("calling %s (%s) for %s", context.account.name, context.account.phone, call_id)
    disposition = _scrub(current().telephony.place_call(_request(context, attempt_no)))
    _finish(context, disposition)
    return disposition
