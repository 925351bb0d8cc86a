"""The durable case workflow: orchestration only, every effect lives in a step.

DBOS re-runs this code on recovery and replays recorded step results, so nothing here reads
the clock, the database or a port directly. One workflow per case; its ID is the case ID,
derived from the triggering invoice, so a second event for the same failure joins it.

Waiting (for the calling window, a promise date, a retry) is always ``DBOS.recv`` on the
``signal`` topic with a durable timeout, so an ``invoice.paid`` event ends any wait at once.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dbos import DBOS
from dbos._error import DBOSMaxStepRetriesExceeded

from recoup.domain import contact_policy
from recoup.domain.errors import PortError
from recoup.domain.models import (
    CaseContext,
    Channel,
    Disposition,
    EscalationReason,
    Outcome,
    TriggerEvent,
)
from recoup.domain.routing import Route, escalation_for, route
from recoup.playbook import Playbook
from recoup.workflows import steps_act as act
from recoup.workflows import steps_enrich as enrich
from recoup.workflows.steps_call import by_webhooks, call_topic, collect_call, dial, place_call

SIGNAL = "signal"

#: The playbook this workflow started with, recorded by a step so that a recovery replays
#: the same decisions even if the playbook file changed since.
_playbook: ContextVar[Playbook] = ContextVar("recoup_case_playbook")


def _rules() -> Playbook:
    return _playbook.get()


@dataclass(frozen=True)
class Signal:
    """What ended a wait: ``paid``, ``stop``, ``review``, ``resolved`` or ``timeout``.

    ``resolved`` comes from the review resolution workflow (``recoup.workflows.resolution``),
    which has already closed the case (or follows its promise): this workflow just ends."""

    kind: str
    data: dict[str, Any]


def case_id_for(source: str, invoice_ref: str) -> str:
    """The case (and workflow) ID for a failed invoice."""
    return f"case:{source}:{invoice_ref}"


def wait(until: datetime) -> Signal:
    """Durably wait for a signal until ``until`` (on the runtime's clock)."""
    seconds = enrich.seconds_until(until)
    message = DBOS.recv(SIGNAL, timeout_seconds=seconds)
    if message is None:
        return Signal("timeout", {})
    return Signal(str(message.get("type", "unknown")), dict(message))


def _channels(context: CaseContext) -> set[Channel]:
    has = set()
    if context.account.email:
        has.add(Channel.EMAIL)
    if context.account.whatsapp or context.account.phone:
        has.add(Channel.WHATSAPP)
    return has


def promise_deadline(promised: date, timezone: str | None, grace_days: float) -> datetime:
    """End of the promised day in the customer's zone, plus ``grace_days``, in UTC."""
    end_of_day = datetime.combine(promised, time(23, 59), ZoneInfo(timezone or "UTC"))
    return (end_of_day + timedelta(days=grace_days)).astimezone(UTC)


def _promise_deadline(context: CaseContext, disposition: Disposition) -> datetime:
    """End of the promised day in the customer's zone, plus the playbook's grace."""
    assert disposition.promise_date is not None
    return promise_deadline(
        disposition.promise_date, context.account.timezone, _rules().promise_grace_days
    )


def _alert_details(context: CaseContext, d: Disposition) -> dict[str, str]:
    inv = context.invoice
    return {
        "customer": f"{context.account.name} ({context.account.company})",
        "invoice": f"{inv.number} {inv.amount} {inv.currency.upper()} due {inv.due_date}",
        "intent": d.intent,
        "objection": d.objection or "",
        "next_action": d.next_action,
        "call_id": d.call_id,
        "urgency": d.urgency.value,
    }


def _until_paid_or(deadline: datetime, context: CaseContext, reason: str) -> None:
    """Wait for payment until ``deadline``, then close the case with ``reason``."""
    signal = wait(deadline)
    _close_for(signal, context, reason)


def _close_for(signal: Signal, context: CaseContext, otherwise: str) -> None:
    if signal.kind == "resolved":
        return  # a person resolved the case: the resolution workflow closes it
    if signal.kind == "paid":
        act.set_status(context.case_id, "closed", "paid")
    elif signal.kind == "stop":
        act.set_status(context.case_id, "closed", str(signal.data.get("reason", "stopped")))
    else:
        act.set_status(context.case_id, "closed", otherwise)


def _follow_promise(context: CaseContext, d: Disposition, give_up: datetime) -> str:
    """Wait for the promise; ``kept``, ``broken`` or a terminal signal kind."""
    assert d.promise_date is not None
    act.record_promise(context, d.call_id, d.promise_date)
    # The customer gets the date they gave in writing, with the link to pay by it.
    act.send_link(
        context, f"{d.call_id}:confirmation", _preferred(context), "promise_confirmation",
        d.promise_date,
    )
    act.set_status(context.case_id, "waiting")
    deadline = min(_promise_deadline(context, d), give_up)
    signal = wait(deadline)
    if signal.kind == "resolved":
        return "resolved"  # a person resolved the case: the promise is theirs to follow
    paid = act.paid_at(context.invoice.invoice_ref)
    if paid is not None and paid <= _promise_deadline(context, d):
        act.resolve_promise(context.case_id, d.call_id, "kept")
        return "paid"
    act.resolve_promise(context.case_id, d.call_id, "broken")
    if signal.kind in ("paid", "stop"):
        return signal.kind
    act.send_link(context, f"{d.call_id}:reminder", _preferred(context), "reminder", d.promise_date)
    return "broken"


def _preferred(context: CaseContext) -> Channel:
    return preferred_channel(context, _rules())


def preferred_channel(context: CaseContext, playbook: Playbook) -> Channel:
    """The playbook's first channel the customer can be reached on (email otherwise)."""
    for name in playbook.channel_preference:
        if Channel(name) in _channels(context):
            return Channel(name)
    return Channel.EMAIL


def _hand_off(context: CaseContext, d: Disposition, r: Route, give_up: datetime) -> None:
    """Escalations and reviews: a person owns the case; we still close it on payment."""
    if r.alert is not None:
        act.send_alert(
            context, f"{d.call_id}:alert", r.alert, d.summary, _alert_details(context, d)
        )
        act.set_status(context.case_id, "escalated")
    if r.review is not None:
        act.open_review(context.case_id, f"{d.call_id}:review", r.review, d.summary)
    _until_paid_or(give_up, context, "handed_off")


def _approved(context: CaseContext, d: Disposition) -> Signal | None:
    """In "review the first N runs" mode, hold the disposition for a person's approval."""
    pb = _rules()
    if pb.review_first_runs == 0 or d.outcome is Outcome.REVIEW:
        return None
    if enrich.case_rank(context.case_id) > pb.review_first_runs:
        return None
    key = f"{d.call_id}:approval"
    act.open_review(context.case_id, key, "first_runs_approval", d.summary)
    deadline = enrich.now() + timedelta(days=pb.review_timeout_days)
    return wait(deadline)


def corrected(d: Disposition, decision: dict[str, Any], playbook: Playbook) -> Disposition:
    """The agent's disposition as a person corrected it in first-runs review: their outcome
    and promise date, with the summary and next step saying so (pure, so a replay agrees)."""
    outcome = Outcome(str(decision["outcome"]))
    raw_date = decision.get("promise_date")
    promised = date.fromisoformat(str(raw_date)) if raw_date else None
    escalation = d.escalation
    if outcome is Outcome.ESCALATED and escalation is None:
        escalation = escalation_for(EscalationReason.HUMAN_REQUESTED, playbook)
    note = f" {decision['note']}" if decision.get("note") else ""
    return d.model_copy(
        update={
            "outcome": outcome,
            "promise_date": promised if outcome is Outcome.PROMISE_RECORDED else None,
            "escalation": escalation,
            "summary": (
                f"{d.summary} Corrected in review from {d.outcome.value} to {outcome.value}.{note}"
            ).strip(),
            "next_action": next_action_for(outcome, promised),
        }
    )


def next_action_for(outcome: Outcome, promised: date | None = None) -> str:
    """What happens next after ``outcome``, in the words billing and the CRM show."""
    if outcome is Outcome.PROMISE_RECORDED and promised is not None:
        return f"Expect payment by {promised.isoformat()}; we follow up if it does not arrive."
    return _NEXT_ACTIONS.get(outcome, "A person reviews the case.")


_NEXT_ACTIONS = {
    Outcome.LINK_SENT: "Customer pays through the secure link we sent.",
    Outcome.ESCALATED: "The team alerted takes the case over.",
    Outcome.CALLBACK_SCHEDULED: "We call the customer again.",
    Outcome.DO_NOT_CONTACT: "Do not contact this customer about payments again.",
    Outcome.RESOLVED: "Nothing left to collect on this invoice.",
}


def _after_call(context: CaseContext, d: Disposition, give_up: datetime) -> str:
    """Act on one disposition; returns ``retry`` to call again, or ``done``."""
    held = _approved(context, d)
    if held is not None and held.kind != "review":
        _close_for(held, context, "review_timeout")
        return "done"
    if held is not None and held.data.get("decision") == "correct":
        d = corrected(d, held.data, _rules())
    elif held is not None and held.data.get("decision") != "approve":
        act.set_status(context.case_id, "closed", "rejected_in_review")
        return "done"
    r = route(d, _rules(), _channels(context))
    act.write_back(context, d)
    if r.do_not_contact:
        act.mark_do_not_contact(context)
        act.set_status(context.case_id, "closed", "do_not_contact")
        return "done"
    if r.send_link is not None:
        act.send_link(context, f"{d.call_id}:link", r.send_link, "link")
        act.set_status(context.case_id, "waiting")
        _until_paid_or(give_up, context, "gave_up")
        return "done"
    if r.promise_date is not None:
        result = _follow_promise(context, d, give_up)
        if result == "broken":
            return "retry"
        _close_for(Signal(result, {}), context, "gave_up")
        return "done"
    if r.retry:
        return "retry"
    _hand_off(context, d, r, give_up)
    return "done"


def _low_confidence(case_id: str, e: enrich.Enrichment, give_up: datetime) -> None:
    reason = "low_confidence_match" if e.context is not None else (e.problem or "unmatched")
    act.open_review(case_id, f"{case_id}:match", reason, f"Match confidence {e.confidence:.2f}.")
    signal = wait(give_up)
    if signal.kind == "paid":
        act.set_status(case_id, "closed", "paid")
    elif signal.kind != "resolved":  # a resolution closes the case itself
        act.set_status(case_id, "closed", "handed_off")


def _policy_review(context: CaseContext, reason: str, give_up: datetime) -> None:
    """High-value and sensitive accounts: a person calls, finance is told."""
    summary = (
        f"{context.account.company or context.account.name}: invoice "
        f"{context.invoice.number} for {context.invoice.amount} "
        f"{context.invoice.currency.upper()} failed; routed to a person ({reason})."
    )
    if reason == "high_value":
        escalation = escalation_for(EscalationReason.HIGH_VALUE, _rules())
        act.send_alert(
            context,
            f"{context.case_id}:high-value",
            escalation,
            summary,
            {"invoice": context.invoice.number, "reason": reason},
        )
    act.open_review(context.case_id, f"{context.case_id}:policy", reason, summary)
    _until_paid_or(give_up, context, "handed_off")


def _call_loop(context: CaseContext, give_up: datetime) -> None:
    attempt = 1
    while True:
        decision = enrich.check_policy(context)
        if decision.action == "review":
            _policy_review(context, decision.reason, give_up)
            return
        if decision.action == "stop":
            if decision.reason == "attempts_exhausted":
                act.open_review(
                    context.case_id,
                    f"{context.case_id}:exhausted",
                    "attempts_exhausted",
                    "No successful contact within the limit.",
                )
                _until_paid_or(give_up, context, "attempts_exhausted")
            else:
                act.set_status(context.case_id, "closed", decision.reason)
            return
        if decision.action == "wait" and decision.not_before is not None:
            signal = wait(min(decision.not_before, give_up))
            if signal.kind != "timeout" or decision.not_before >= give_up:
                _close_for(signal, context, "gave_up")
                return
            continue
        if act.paid_at(context.invoice.invoice_ref) is not None:
            act.set_status(context.case_id, "closed", "paid")
            return
        disposition = _call(context, attempt)
        if disposition is None:
            continue
        if _after_call(context, disposition, give_up) == "done":
            return
        attempt += 1
        retry_at = enrich.now() + timedelta(hours=_rules().calling.retry_after_hours)
        signal = wait(min(retry_at, give_up))
        if signal.kind != "timeout" or retry_at >= give_up:
            _close_for(signal, context, "gave_up")
            return


#: How long the workflow waits for a webhook call to announce its end before asking the
#: provider itself (a lost status callback), and how many such waits before giving up.
CALL_CHECK_SECONDS = 300.0
CALL_CHECKS = 6


def _call(context: CaseContext, attempt: int) -> Disposition | None:
    """One call: in the step (the simulator), or dialed in a step and awaited durably, for
    a provider whose calls end on its webhooks (Twilio); None means "not now"."""
    if not by_webhooks():
        return place_call(context, attempt)
    call_id = dial(context, attempt)
    if call_id is None:
        return None
    for check in range(1, CALL_CHECKS + 1):
        DBOS.recv(call_topic(call_id), timeout_seconds=CALL_CHECK_SECONDS)
        found = collect_call(context, call_id, give_up=check == CALL_CHECKS)
        if found is not None:
            return found
    return None  # unreachable: the last check gives up with a disposition


@DBOS.workflow()
def case_workflow(case_id: str, trigger: TriggerEvent) -> str:
    """Recover one failed invoice, from enrichment to a closed case."""
    _playbook.set(enrich.playbook())
    opened = enrich.now()
    give_up = opened + timedelta(days=_rules().give_up_after_days)
    try:
        e = enrich.enrich(case_id, trigger)
        segment = e.context.account.segment if e.context is not None else None
        screened = contact_policy.screen(e.confidence, segment, _rules())
        if screened is None and e.context is not None:
            _call_loop(e.context, give_up)
        elif screened is not None and screened.action == "stop":
            act.set_status(case_id, "closed", screened.reason)
        else:
            _low_confidence(case_id, e, give_up)
    except (PortError, DBOSMaxStepRetriesExceeded) as exc:
        # A vendor refused (a revoked key, a missing field) or stayed down through every
        # retry: a person looks at the case rather than it failing out of sight.
        act.open_review(case_id, f"{case_id}:vendor_error", "vendor_error", _vendor_trouble(exc))
    return case_id


def _vendor_trouble(exc: Exception) -> str:
    """What went wrong with a vendor, for the review queue (adapters' messages hold no secret
    and no contact details)."""
    if isinstance(exc, DBOSMaxStepRetriesExceeded) and exc.errors:
        exc = exc.errors[-1]
    return f"A connected system failed and retries did not help: {exc}"[:500]
