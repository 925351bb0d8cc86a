"""A person's resolution of a review item, carried to the case, billing and the CRM.

Operators resolve items in the console: ``paid_elsewhere``, ``settled``, ``written_off``,
``promise_accepted`` or ``do_not_contact``. Like a call's disposition, the resolution is
written back to billing and the CRM, marks do-not-contact, and a promise is followed to
kept or broken; so it runs as a DBOS workflow, ID ``resolve:<review key>``, started through
the runtime's dispatcher (in-process in ``recoup serve``, through ``DBOSClient`` from an
API-only process). The ID makes a double click start it once; every effect is keyed by the
review key (``<key>:resolution`` for the write-back, ``<key>:promise`` for the promise).

The workflow claims the item first (only an open item is resolved, once, whoever else clicks
meanwhile), then writes back, closes the case with ``resolved:<resolution>`` and tells the
case workflow ``{"type": "resolved"}`` so its wait ends without closing the case again. An
accepted promise keeps the case ``waiting`` until the end of the promised day in the
customer's zone plus the playbook's grace: paid by then closes it, otherwise a
``promise_broken`` item goes back to the queue.

A case whose customer match was never confirmed (no account, or a match weaker than the
playbook's threshold: the case workflow wrote nothing about it) is closed without a
write-back, and cannot be resolved by a promise or a do-not-contact: those would act on a
customer we may have wrong.

First-runs approvals are decided by :func:`decide_approval` instead: approve, correct (the
case workflow then acts on the person's outcome and promise date instead of the agent's) or
reject.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from dbos import DBOS
from dbos._error import DBOSMaxStepRetriesExceeded, DBOSNonExistentWorkflowError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from recoup.agent.redact import redact
from recoup.domain.errors import InputError, PortError, UnknownRecordError
from recoup.domain.models import (
    Account,
    CaseContext,
    Disposition,
    Outcome,
    TriggerKind,
)
from recoup.playbook import Playbook
from recoup.store import guard, repo
from recoup.store.queue import NotOpenError, queue_item
from recoup.store.review_actions import APPROVAL_REASON
from recoup.store.tables import AccountRow, CaseRow, InvoiceRow, ReviewItemRow
from recoup.workflows import steps_act as act
from recoup.workflows import steps_enrich as enrich
from recoup.workflows.case import (
    SIGNAL,
    next_action_for,
    preferred_channel,
    promise_deadline,
    wait,
)
from recoup.workflows.runtime import current

if TYPE_CHECKING:
    from recoup.workflows.runtime import Runtime

__all__ = [
    "CORRECTABLE",
    "DECISIONS",
    "RESOLUTIONS",
    "NotOpenError",
    "ResolutionError",
    "decide_approval",
    "resolve_review_workflow",
    "submit_resolution",
    "workflow_id",
]

RESOLUTIONS = ("paid_elsewhere", "settled", "promise_accepted", "written_off", "do_not_contact")
DECISIONS = ("approve", "correct", "reject")
#: Outcomes a person may put in place of the agent's when correcting a first-run disposition:
#: any a call can end with.
CORRECTABLE = tuple(o for o in Outcome if o is not Outcome.RESOLVED)

#: What billing and the CRM are told each resolution means.
_OUTCOMES = {
    "paid_elsewhere": Outcome.RESOLVED,
    "settled": Outcome.RESOLVED,
    "written_off": Outcome.RESOLVED,
    "promise_accepted": Outcome.PROMISE_RECORDED,
    "do_not_contact": Outcome.DO_NOT_CONTACT,
}
_NEXT_ACTIONS = {
    "paid_elsewhere": "Nothing to collect: the customer paid by other means. Check the payment "
    "is applied to this invoice.",
    "settled": "Nothing to collect: settled with the customer as the note says.",
    "written_off": "Nothing to collect: the balance is written off.",
    "do_not_contact": "Do not contact this customer about payments again.",
}
#: Resolutions that act on the customer, refused while the match is unconfirmed.
_NEEDS_CUSTOMER = ("promise_accepted", "do_not_contact")


class ResolutionError(InputError):
    """The resolution or decision cannot be accepted as given; nothing was changed."""


def workflow_id(key: str) -> str:
    """The resolution workflow's ID for review item ``key``."""
    return f"resolve:{key}"


def _clean(note: str) -> str:
    """A person's note as it may be stored or sent: no card number, whatever they typed."""
    return str(guard.scrub(redact(note.strip())))[:2000]


# -- validation, in the process that received the click -------------------------------------


def _open_item(session: Session, key: str) -> ReviewItemRow:
    item = session.get(ReviewItemRow, key)
    if item is None:
        raise UnknownRecordError(f"no review item {key!r}")
    if item.status != "open":
        raise NotOpenError(f"review item {key!r} is already {item.status}")
    return item


def _check_promise(runtime: Runtime, promised: date | None) -> date:
    """A promise date a person may accept: from today to the playbook's longest promise."""
    if promised is None:
        raise ResolutionError("a promise needs the date the customer promised to pay by")
    today = runtime.clock.now().date()
    latest = today + timedelta(days=runtime.playbook.longest_promise_days)
    if not today <= promised <= latest:
        raise ResolutionError(
            f"the promise date must be between {today.isoformat()} and {latest.isoformat()} "
            f"(the playbook's longest promise is {runtime.playbook.longest_promise_days} days)"
        )
    return promised


def _confirmed(session: Session, case: CaseRow, threshold: float) -> bool:
    """Whether the case's customer match is one the case workflow acted on."""
    if case.account_id is None or session.get(AccountRow, case.account_id) is None:
        return False
    return case.match_confidence is not None and case.match_confidence >= threshold


def submit_resolution(
    runtime: Runtime,
    key: str,
    resolution: str,
    note: str,
    promise_date: date | None,
    actor_ref: str,
) -> dict[str, Any]:
    """Check a resolution of open item ``key`` and start its workflow; what was started.

    Raises ``UnknownRecordError`` (no such item), ``NotOpenError`` (already resolved) or
    ``ResolutionError`` (anything else wrong, with a message for the person)."""
    if resolution not in RESOLUTIONS:
        raise ResolutionError(f"unknown resolution {resolution!r}; one of {', '.join(RESOLUTIONS)}")
    promised = _check_promise(runtime, promise_date) if resolution == "promise_accepted" else None
    with runtime.db.session() as s:
        item = _open_item(s, key)
        if item.reason == APPROVAL_REASON:
            raise ResolutionError("a first-run approval is approved, corrected or rejected")
        case = s.get(CaseRow, item.case_id)
        assert case is not None  # a foreign key
        threshold = runtime.playbook.match_confidence_threshold
        if resolution in _NEEDS_CUSTOMER and not _confirmed(s, case, threshold):
            raise ResolutionError(
                "the customer match is not confirmed: resolve it as paid elsewhere, settled or "
                "written off, or confirm the customer in the CRM first"
            )
        case_id = item.case_id
    request = {
        "resolution": resolution,
        "note": _clean(note),
        "promise_date": promised.isoformat() if promised else None,
        "actor_ref": actor_ref,
    }
    runtime.dispatcher.start_resolution(key, request)
    return {
        "key": key,
        "case_id": case_id,
        "workflow_id": workflow_id(key),
        "status": "started",
        **request,
    }


def decide_approval(
    runtime: Runtime,
    key: str,
    decision: str,
    note: str,
    actor_ref: str,
    outcome: str | None = None,
    promise_date: date | None = None,
) -> dict[str, Any]:
    """Decide a first-runs approval: ``approve`` the agent's disposition, ``correct`` it to
    ``outcome`` (and ``promise_date`` for a promise) or ``reject`` it; the item as the queue
    shows it. The held case workflow is signalled once (keyed by the item) and acts on it.

    Raises ``UnknownRecordError``, ``NotOpenError`` or ``ResolutionError`` as
    :func:`submit_resolution` does."""
    if decision not in DECISIONS:
        raise ResolutionError(f"unknown decision {decision!r}; one of {', '.join(DECISIONS)}")
    corrected = _correction(runtime, outcome, promise_date) if decision == "correct" else None
    clean, at = _clean(note), runtime.clock.now()
    with runtime.db.session() as s:
        item = s.get(ReviewItemRow, key)
        if item is None:
            raise UnknownRecordError(f"no review item {key!r}")
        if item.reason != APPROVAL_REASON:
            raise ResolutionError("only a first-run approval is approved, corrected or rejected")
        case_id = item.case_id
        values = {"decision": decision, "note": clean, "resolved_by": actor_ref, "resolved_at": at}
        if corrected is not None:
            values["resolution"] = corrected[0].value
        if not _claim(s, key, values):
            raise NotOpenError(f"review item {key!r} is already decided")
        _audit_decision(s, case_id, key, decision, clean, actor_ref, corrected, at)
        shown = queue_item(s, key, at)
    message: dict[str, Any] = {"type": "review", "decision": decision, "key": key, "note": clean}
    if corrected is not None:
        message["outcome"] = corrected[0].value
        message["promise_date"] = corrected[1].isoformat() if corrected[1] else None
    runtime.dispatcher.signal(case_id, message, f"review:{key}")
    assert shown is not None
    return shown


def _correction(
    runtime: Runtime, outcome: str | None, promise_date: date | None
) -> tuple[Outcome, date | None]:
    allowed = ", ".join(o.value for o in CORRECTABLE)
    if outcome not in {o.value for o in CORRECTABLE}:
        raise ResolutionError(f"a correction needs the right outcome, one of {allowed}")
    chosen = Outcome(outcome)
    if chosen is Outcome.PROMISE_RECORDED:
        return chosen, _check_promise(runtime, promise_date)
    return chosen, None


def _claim(session: Session, key: str, values: dict[str, Any]) -> bool:
    """Mark open item ``key`` resolved with ``values``, in one conditional statement, so two
    people clicking at once cannot both decide it; True when this call did."""
    statement = (
        update(ReviewItemRow)
        .where(ReviewItemRow.key == key, ReviewItemRow.status == "open")
        .values(status="resolved", **values)
        .returning(ReviewItemRow.key)
        .execution_options(synchronize_session=False)
    )
    claimed = session.execute(statement).first() is not None
    session.expire_all()
    return claimed


def _audit_decision(
    session: Session,
    case_id: str,
    key: str,
    decision: str,
    note: str,
    actor_ref: str,
    corrected: tuple[Outcome, date | None] | None,
    at: Any,
) -> None:
    detail: dict[str, Any] = {"decision": decision, "note": note, "by": actor_ref}
    if corrected is not None:
        case = session.get(CaseRow, case_id)
        assert case is not None
        detail["from"], detail["to"] = case.outcome, corrected[0].value
        detail["promise_date"] = corrected[1].isoformat() if corrected[1] else None
        case.outcome = corrected[0].value
    repo.audit(session, f"{key}:decided", case_id, at, "review_decided", detail, actor="operator")


# -- the workflow and its steps --------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """The case as the resolution needs it: ``context`` for write-backs and promises, None
    when no customer was matched; ``confirmed`` whether the match is one to write about."""

    case_id: str
    context: CaseContext | None
    confirmed: bool


@DBOS.step()
def claim(key: str, request: dict[str, Any]) -> str | None:
    """Record the resolution on the open item, once; its case ID, or None when the item was
    resolved otherwise meanwhile (in Slack, by another person) and there is nothing to do."""
    rt = current()
    at = rt.clock.now()
    resolution, note, by = request["resolution"], request["note"], request["actor_ref"]
    with rt.db.session() as s:
        item = s.get(ReviewItemRow, key)
        if item is None or item.reason == APPROVAL_REASON:
            return None
        case_id = item.case_id
        values = {"decision": "resolved", "resolution": resolution, "note": note,
                  "resolved_by": by, "resolved_at": at}  # fmt: skip
        if not _claim(s, key, values):
            again = s.execute(
                select(ReviewItemRow.resolution, ReviewItemRow.resolved_by).where(
                    ReviewItemRow.key == key
                )
            ).first()
            # A re-run after a crash finds its own commit: carry on with it.
            return case_id if again is not None and tuple(again) == (resolution, by) else None
        detail = {"resolution": resolution, "note": note, "by": by,
                  "promise_date": request.get("promise_date")}  # fmt: skip
        repo.audit(s, f"{key}:resolved", case_id, at, "review_resolved", detail, actor="operator")
    return case_id


@DBOS.step()
def load(case_id: str) -> Loaded:
    """The case's account and invoice as enrichment stored them."""
    rt = current()
    with rt.db.session() as s:
        case = s.get(CaseRow, case_id)
        assert case is not None
        account = s.get(AccountRow, case.account_id) if case.account_id else None
        invoice = s.get(InvoiceRow, case.invoice_ref)
        if account is None or invoice is None:
            return Loaded(case_id, None, False)
        context = CaseContext(
            case_id=case_id,
            account=Account.model_validate(account.data),
            invoice=repo.stored_invoice(invoice),
            trigger_kind=TriggerKind(case.trigger_kind),
            match_confidence=case.match_confidence or 0.0,
            source=case.source,
        )
        confirmed = _confirmed(s, case, rt.playbook.match_confidence_threshold)
        return Loaded(case_id, context, confirmed)


@DBOS.step()
def skip_write_back(case_id: str, key: str) -> None:
    """Say why billing and the CRM heard nothing of this resolution."""
    rt = current()
    with rt.db.session() as s:
        repo.audit(
            s,
            f"{key}:resolution:not-written",
            case_id,
            rt.clock.now(),
            "write_back_skipped",
            {"reason": "the customer match was never confirmed"},
        )


@DBOS.step()
def settle(case_id: str, key: str, resolution: str, outcome: str, close: bool) -> None:
    """The case after a resolution: its outcome, and closed with ``resolved:<resolution>``
    (or ``waiting`` on an accepted promise, open again if it had been closed). A case the
    workflow had closed while the item waited for a person (handed off, attempts exhausted)
    takes the resolution as its reason; a paid case stays as it is."""
    rt = current()
    at = rt.clock.now()
    reason = f"resolved:{resolution}"
    with rt.db.session() as s:
        case = s.get(CaseRow, case_id)
        assert case is not None
        if case.status == "closed" and case.close_reason == "paid":
            return
        case.outcome = outcome
        if not close:
            case.status, case.closed_at, case.close_reason = "waiting", None, None
        elif case.status != "closed":
            case.status, case.closed_at, case.close_reason = "closed", at, reason
        else:
            case.close_reason = reason
        action, detail = ("case_closed", {"reason": reason}) if close else ("case_waiting", {})
        repo.audit(s, f"{key}:{action}", case_id, at, action, detail, actor="operator")


def _write_back(loaded: Loaded, key: str, request: dict[str, Any]) -> None:
    resolution = str(request["resolution"])
    if loaded.context is None or not loaded.confirmed:
        skip_write_back(loaded.case_id, key)
        return
    promised = _date(request.get("promise_date"))
    note = str(request.get("note") or "")
    disposition = Disposition(
        call_id=f"{key}:resolution",
        outcome=_OUTCOMES[resolution],
        promise_date=promised,
        summary=f"{resolution}: {note}" if note else resolution,
        next_action=_NEXT_ACTIONS.get(resolution)
        or next_action_for(Outcome.PROMISE_RECORDED, promised),
    )
    act.write_back(loaded.context, disposition)
    if resolution == "do_not_contact":
        act.mark_do_not_contact(loaded.context)


def _date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _tell_case(case_id: str, key: str, resolution: str) -> None:
    """End the case workflow's wait; it leaves the case to this workflow."""
    # No case workflow (a case recorded before workflows ran): nothing waits.
    with suppress(DBOSNonExistentWorkflowError):
        DBOS.send(case_id, {"type": "resolved", "key": key, "resolution": resolution}, SIGNAL)


#: How often a followed promise looks for the payment. Payment events signal the case
#: workflow, not this one, so it looks itself: a kept promise closes the case within this.
PAYMENT_CHECK = timedelta(hours=6)


def _follow_promise(context: CaseContext, key: str, promised: date, rules: Playbook) -> str:
    """Confirm the accepted promise to the customer in writing, as the agent's are, then
    wait it out; ``kept`` closes the case, ``broken`` queues it again."""
    promise_key = f"{key}:promise"
    act.record_promise(context, promise_key, promised)
    channel = preferred_channel(context, rules)
    act.send_link(context, f"{key}:confirmation", channel, "promise_confirmation", promised)
    deadline = promise_deadline(promised, context.account.timezone, rules.promise_grace_days)
    paid = act.paid_at(context.invoice.invoice_ref)
    while paid is None and (now := enrich.now()) < deadline:
        wait(min(deadline, now + PAYMENT_CHECK))
        paid = act.paid_at(context.invoice.invoice_ref)
    if paid is not None and paid <= deadline:
        act.resolve_promise(context.case_id, promise_key, "kept")
        outcome = Outcome.PROMISE_RECORDED.value
        settle(context.case_id, f"{key}:kept", "promise_accepted", outcome, True)
        return "kept"
    act.resolve_promise(context.case_id, promise_key, "broken")
    act.open_review(
        context.case_id,
        f"{key}:promise_broken",
        "promise_broken",
        f"The customer promised to pay by {promised.isoformat()} (accepted in review) and "
        "has not paid.",
    )
    return "broken"


@DBOS.workflow()
def resolve_review_workflow(key: str, request: dict[str, Any]) -> str:
    """Carry a person's resolution of review item ``key`` to the case, billing and the CRM;
    ``resolved``, ``kept``, ``broken``, ``not_open`` or ``vendor_error``."""
    rules = enrich.playbook()
    case_id = claim(key, request)
    if case_id is None:
        return "not_open"
    resolution = str(request["resolution"])
    loaded = load(case_id)
    try:
        _write_back(loaded, key, request)
    except (PortError, DBOSMaxStepRetriesExceeded) as exc:
        act.open_review(
            case_id,
            f"{key}:vendor_error",
            "vendor_error",
            f"The resolution ({resolution}) could not be written back: {exc}"[:500],
        )
        return "vendor_error"
    promised = _date(request.get("promise_date"))
    follows = resolution == "promise_accepted" and loaded.confirmed
    context = loaded.context if follows else None
    settle(case_id, key, resolution, _OUTCOMES[resolution].value, close=context is None)
    _tell_case(case_id, key, resolution)
    if context is not None and promised is not None:
        return _follow_promise(context, key, promised, rules)
    return "resolved"
