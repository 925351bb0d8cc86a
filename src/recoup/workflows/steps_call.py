"""The call step: one outbound call, whose ID is the idempotency key of all that follows.

The call attempt row is written before dialing and the telephony port dials at most once per
call ID, so a worker killed mid-call and recovered finds the call already placed and collects
its result instead of ringing the customer again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol, runtime_checkable

from dbos import DBOS

from recoup.agent.redact import redact
from recoup.domain.models import (
    CallRequest,
    CaseContext,
    Disposition,
    Outcome,
    TranscriptTurn,
    jsonable,
)
from recoup.store import repo
from recoup.store.tables import CallAttemptRow, CaseRow, DispositionRow
from recoup.workflows.runtime import VENDOR_STEP, current
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


def _begin_if_allowed(context: CaseContext, attempt_no: int) -> str | None:
    """Record the attempt and return its call ID, unless the contact policy, checked again at
    the instant of dialing, says no (None). An attempt recorded before (a step re-run after a
    crash) goes ahead: the telephony adapter finds the call already placed."""
    call_id = call_id_for(context.case_id, attempt_no)
    with current().db.session() as s:
        dialed_before = s.get(CallAttemptRow, call_id) is not None
    moment = current().clock.now()
    if not dialed_before and policy_at(context, moment).action != "call":
        return None
    _begin(context, call_id, attempt_no, moment)
    log.info("calling %s (%s) for %s", context.account.name, context.account.phone, call_id)
    return call_id


@DBOS.step()
def place_call(context: CaseContext, attempt_no: int) -> Disposition | None:
    """Dial (once per call ID), let the agent talk, and store the redacted disposition.

    The contact policy is checked again at the instant of dialing, so time spent between the
    workflow's check and this step can never put a call outside the customer's window;
    None means "not now", and the workflow goes back to waiting.
    """
    call_id = _begin_if_allowed(context, attempt_no)
    if call_id is None:
        return None
    disposition = _scrub(current().telephony.place_call(_request(context, attempt_no)))
    _finish(context, disposition)
    return disposition


@runtime_checkable
class WebhookCalls(Protocol):
    """A telephony adapter whose calls run on the vendor's webhooks (Twilio): it dials in
    one step and, later, says how the call ended, so no worker thread waits on the line."""

    def start(self, request: CallRequest) -> str:
        """Dial unless this call ID was dialed already; the provider's call ID."""
        ...

    def collect(self, call_id: str) -> Disposition | None:
        """How the call ended, or None while it is in progress."""
        ...


def call_topic(call_id: str) -> str:
    """The DBOS topic a call's end is announced on, apart from the case's own signals."""
    return f"call:{call_id}"


def by_webhooks() -> bool:
    """Whether calls end by webhook (the workflow waits) rather than in the step."""
    return isinstance(current().telephony, WebhookCalls)


@DBOS.step(**VENDOR_STEP)
def dial(context: CaseContext, attempt_no: int) -> str | None:
    """Record the attempt and dial, at most once per call ID; None means "not now" (the
    contact policy, checked again at the instant of dialing, says no)."""
    call_id = _begin_if_allowed(context, attempt_no)
    if call_id is None:
        return None
    telephony = current().telephony
    assert isinstance(telephony, WebhookCalls)
    telephony.start(_request(context, attempt_no))
    return call_id


@DBOS.step(**VENDOR_STEP)
def collect_call(context: CaseContext, call_id: str, give_up: bool) -> Disposition | None:
    """Store how the call ended, once it has; with ``give_up`` a call still unfinished is
    recorded as not answered (its status callbacks never came and Twilio still says busy)."""
    telephony = current().telephony
    assert isinstance(telephony, WebhookCalls)
    found = telephony.collect(call_id)
    if found is None and give_up:
        found = Disposition(call_id=call_id, outcome=Outcome.NO_ANSWER,
                            summary="The call did not end within the time allowed.")  # fmt: skip
    if found is None:
        return None
    disposition = _scrub(found)
    _finish(context, disposition)
    return disposition
