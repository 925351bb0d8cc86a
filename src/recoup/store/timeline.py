"""One case's story in order, for a person who should not need the transcript to follow it.

The facts come from the tables the workflow writes: the billing events (by case and by
invoice, so the payment that closed it shows too), the context enrichment gathered, the
policy decisions and why (from the audit trail), each call with its redacted transcript and
disposition, messages sent and opened, promises kept or broken, alerts and who took them,
review items and how people resolved them, each write-back with a link to the record it made
in billing or the CRM, and the case's status changes. ``audit`` is the raw append-only trail.

Nothing here leaks what the case page must not show: every text goes through the card
redaction and the contact mask (customers' own numbers and addresses stay in transcripts as
stored, but not on a page), and trigger payloads are never copied out.

Links to outside systems are built from :class:`Destinations`, which the console's wiring
fills from its settings (this module reads none).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from recoup.agent.redact import mask_contact, redact
from recoup.store.tables import (
    AccountRow,
    AlertRow,
    AuditRow,
    CallAttemptRow,
    CaseRow,
    DispositionRow,
    InvoiceRow,
    MessageRow,
    PromiseRow,
    ReviewItemRow,
    TriggerEventRow,
    VoiceCallRow,
    WriteBackRow,
)

__all__ = ["KINDS", "Destinations", "timeline"]

#: Event kinds, in the order events at the same instant are shown.
KINDS = (
    "trigger", "context", "policy", "call", "write_back", "message", "promise", "alert",
    "review", "resolution", "status",
)  # fmt: skip
_RANK = {kind: i for i, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Destinations:
    """Where each system's records live, to link a write-back to what it made there.

    ``billing`` is ``stripe`` or ``sim``; ``crm`` is ``hubspot``, ``salesforce`` or ``sim``
    (the simulated world, whose records the console shows under ``sim_base``).
    ``stripe_dashboard_url`` ends in ``/test`` for a test-mode key; ``hubspot_portal_url``
    is the portal's contacts URL (``https://app.hubspot.com/contacts/<portal id>``): a note
    has no page of its own, so the link opens the contact or company it is on. A base left
    empty gives no link."""

    billing: str = "sim"
    crm: str = "sim"
    stripe_dashboard_url: str = "https://dashboard.stripe.com"
    hubspot_portal_url: str = ""
    salesforce_instance_url: str = ""
    sim_base: str = "/sim"

    def write_back_link(
        self, system: str, key: str, provider_id: str | None, invoice_ref: str, account_id: str
    ) -> str | None:
        """The record a write-back made, or None when it cannot be linked."""
        vendor = self.billing if system == "billing" else self.crm
        if vendor == "sim":
            return f"{self.sim_base.rstrip('/')}/{system}/{quote(key, safe=':')}"
        if vendor == "stripe":
            return f"{self.stripe_dashboard_url.rstrip('/')}/invoices/{quote(invoice_ref)}"
        if vendor == "salesforce" and self.salesforce_instance_url and provider_id:
            base = self.salesforce_instance_url.rstrip("/")
            return f"{base}/lightning/r/Task/{quote(provider_id)}/view"
        if vendor == "hubspot" and self.hubspot_portal_url:
            return _hubspot_record(self.hubspot_portal_url, account_id)
        return None


def _hubspot_record(portal_url: str, account_id: str) -> str | None:
    """``contact:<id>`` or ``company:<id>`` (the HubSpot adapter's account IDs) as a page."""
    kind, _, object_id = account_id.partition(":")
    types = {"contact": "0-1", "company": "0-2"}
    if kind not in types or not object_id.isdigit():
        return None
    return f"{portal_url.rstrip('/')}/record/{types[kind]}/{object_id}"


# -- plain words ------------------------------------------------------------------------------

#: Why a policy routed, stopped or held a case, in words.
POLICY_WORDS = {
    "high_value": "The invoice is at or above the high-value threshold: a person calls, "
    "finance is told.",
    "sensitive_account": "A sensitive account: a person handles it.",
    "no_callable_number": "No number we may call: a person handles it.",
    "no_calling_window": "No calling window in the customer's time zones: a person handles it.",
    "low_confidence_match": "The customer match is below the confidence threshold: a person "
    "confirms it before anyone is contacted.",
    "unmatched": "No customer matched the billing event: a person finds them.",
    "invoice_not_found": "Billing does not know the invoice: a person looks.",
    "account_not_found": "No CRM account matched: a person finds the customer.",
    "attempts_exhausted": "No successful contact within the call limit.",
    "segment_not_covered": "The customer's segment is outside the launch: not called.",
    "do_not_contact": "The customer asked not to be contacted.",
    "first_runs_approval": "One of the first runs: a person approves the agent's disposition "
    "before anything is sent.",
    "outcome_needs_review": "The playbook sends this call outcome to a person.",
    "opted_out": "Not sent: the customer opted out.",
}
_MESSAGE_WORDS = {
    "link": "Payment link",
    "reminder": "Reminder with payment link",
    "promise_confirmation": "Promise confirmation with payment link",
}
_TEAM_WORDS = {"finance": "finance", "account_owner": "the account owner"}


def _words(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _safe(text: object) -> str:
    """Text fit for the page: card data redacted, phone numbers and emails masked."""
    return mask_contact(redact(str(text))) if text not in (None, "") else ""


def _event(
    at: datetime | None,
    kind: str,
    title: str,
    detail: str = "",
    actor: str = "workflow",
    call_id: str | None = None,
    link: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {"at": at, "kind": kind, "title": title, "detail": detail, "actor": actor,
            "call_id": call_id, "link": link, **extra}  # fmt: skip


# -- sources -----------------------------------------------------------------------------------


def _triggers(session: Session, case: CaseRow) -> list[dict[str, Any]]:
    query = (
        select(TriggerEventRow)
        .where(
            or_(
                TriggerEventRow.case_id == case.case_id,
                TriggerEventRow.invoice_ref == case.invoice_ref,
            )
        )
        .order_by(TriggerEventRow.id)
    )
    events = []
    for row in session.scalars(query):
        trigger = row.payload.get("trigger") if isinstance(row.payload, dict) else None
        facts = trigger if isinstance(trigger, dict) else {}
        parts = [_words(row.kind).capitalize()]
        if facts.get("amount") is not None:
            parts.append(f"{facts['amount']} {str(facts.get('currency') or '').upper()}".strip())
        if facts.get("failure_reason"):
            parts.append(f"reason: {_words(str(facts['failure_reason']))}")
        title = f"{row.source.capitalize()}: {row.event_type}"
        events.append(_event(row.received_at, "trigger", title, ", ".join(parts), row.source))
    return events


def _context(
    audit: list[AuditRow], case: CaseRow, account: AccountRow | None, invoice: InvoiceRow | None
) -> list[dict[str, Any]]:
    enriched = [a for a in audit if a.action == "enriched"]
    if not enriched:
        return []
    parts = []
    if account is not None:
        who = f"{account.name} ({account.company})" if account.company else account.name
        parts.append(f"{who}, {account.tier} tier, {_words(account.segment)} segment")
        if account.owner:
            parts.append(f"owner {account.owner}")
        if account.timezone:
            parts.append(f"time zone {account.timezone}")
    if invoice is not None:
        parts.append(
            f"invoice {invoice.number}: {invoice.amount} {invoice.currency.upper()} due "
            f"{invoice.due_date.isoformat()}"
            + (f", {_words(invoice.failure_reason)}" if invoice.failure_reason else "")
            + (f", {invoice.prior_failures} earlier failures" if invoice.prior_failures else "")
        )
    if case.match_confidence is not None:
        parts.append(f"match confidence {case.match_confidence:.2f}")
    return [_event(enriched[0].at, "context", "Context gathered", "; ".join(parts))]


def _policy(audit: list[AuditRow]) -> list[dict[str, Any]]:
    """Policy decisions the audit trail records, with the reason in words."""
    events = []
    for a in audit:
        reason = str(a.detail.get("reason") or "")
        if a.action == "review_opened" and reason in POLICY_WORDS:
            events.append(_event(a.at, "policy", f"Routed to a person: {_words(reason)}",
                                 POLICY_WORDS[reason]))  # fmt: skip
        elif a.action == "case_closed" and reason in POLICY_WORDS and reason != "do_not_contact":
            events.append(_event(a.at, "policy", f"Stopped: {_words(reason)}",
                                 POLICY_WORDS[reason]))  # fmt: skip
        elif a.action == "message_suppressed":
            what = _MESSAGE_WORDS.get(str(a.detail.get("kind")), "Message")
            events.append(_event(a.at, "policy", f"{what} not sent",
                                 POLICY_WORDS.get(reason, _words(reason))))  # fmt: skip
        elif a.action == "do_not_contact":
            events.append(_event(a.at, "policy", "Marked do not contact",
                                 "No later case calls or messages this customer."))  # fmt: skip
        elif a.action == "write_back_skipped":
            events.append(_event(a.at, "policy", "Billing and CRM not updated",
                                 _words(reason).capitalize() + "."))  # fmt: skip
    return events


def _transcript(turns: object) -> list[dict[str, str]]:
    if not isinstance(turns, list):
        return []
    return [
        {"speaker": str(t.get("speaker", "")), "act": str(t.get("act", "")),
         "text": _safe(t.get("text", ""))}
        for t in turns if isinstance(t, dict)
    ]  # fmt: skip


_DISPOSITION_FIELDS = (
    "outcome", "intent", "confidence", "urgency", "promise_date", "channel", "objection",
    "next_action", "review_reason", "escalation", "card_data_detected",
)  # fmt: skip


def _calls(session: Session, case_id: str) -> list[dict[str, Any]]:
    attempts = session.scalars(
        select(CallAttemptRow)
        .where(CallAttemptRow.case_id == case_id)
        .order_by(CallAttemptRow.attempt_no)
    ).all()
    dispositions = {
        d.call_id: d.data
        for d in session.scalars(select(DispositionRow).where(DispositionRow.case_id == case_id))
    }
    voice = {
        v.call_id: v.transcript
        for v in session.scalars(select(VoiceCallRow).where(VoiceCallRow.case_id == case_id))
    }
    events = []
    for call in attempts:
        data = dispositions.get(call.call_id) or {}
        outcome = data.get("outcome") or call.outcome
        title = f"Call {call.attempt_no}: " + (_words(outcome) if outcome else call.status)
        disposition = {k: data.get(k) for k in _DISPOSITION_FIELDS} if data else None
        if disposition is not None:
            disposition["next_action"] = _safe(disposition["next_action"])
            disposition["objection"] = _safe(disposition["objection"])
        turns = data.get("transcript") if data else voice.get(call.call_id)
        events.append(
            _event(
                call.placed_at, "call", title, str(data.get("summary") or ""), "agent",
                call.call_id, transcript=_transcript(turns), disposition=disposition,
                ended_at=call.ended_at,
            )
        )  # fmt: skip
    return events


def _messages(session: Session, case_id: str) -> list[dict[str, Any]]:
    query = select(MessageRow).where(MessageRow.case_id == case_id).order_by(MessageRow.sent_at)
    events = []
    for m in session.scalars(query):
        what = _MESSAGE_WORDS.get(m.kind, _words(m.kind).capitalize())
        events.append(
            _event(m.sent_at, "message", f"{what} sent by {m.channel}", f"To {m.to_masked}")
        )
        if m.opened_at is not None:
            events.append(_event(m.opened_at, "message", "Payment link opened",
                                 f"The {m.channel} link was opened.", "customer"))  # fmt: skip
    return events


def _promises(session: Session, case_id: str) -> list[dict[str, Any]]:
    query = select(PromiseRow).where(PromiseRow.case_id == case_id).order_by(PromiseRow.created_at)
    events = []
    for p in session.scalars(query):
        day = p.promise_date.isoformat()
        call_id = p.call_id if p.call_id == p.key else None
        events.append(_event(p.created_at, "promise", f"Promise to pay by {day}",
                             "", "customer", call_id, status=p.status))  # fmt: skip
        if p.resolved_at is not None and p.status in ("kept", "broken"):
            detail = "Paid by the promised day." if p.status == "kept" else "Not paid in time."
            events.append(_event(p.resolved_at, "promise", f"Promise {p.status}", detail,
                                 call_id=call_id, status=p.status))  # fmt: skip
    return events


def _takers(audit: list[AuditRow]) -> list[tuple[AuditRow, set[str]]]:
    """Each ``review_taken`` entry with the alert and review keys it covers."""
    found = []
    for a in audit:
        if a.action != "review_taken":
            continue
        keys = {str(k) for k in a.detail.get("review_items") or []}
        if a.detail.get("alert"):
            keys.add(str(a.detail["alert"]))
        found.append((a, keys))
    return found


def _taker_name(a: AuditRow) -> str:
    return str(a.detail.get("assignee_name") or a.detail.get("assignee") or "someone")


def _same_hand_off(key: str, keys: Iterable[str]) -> bool:
    """An alert ``<call>:alert`` and a review item ``<call>:review`` share the prefix."""
    prefix = key.rsplit(":", 1)[0]
    return any(k == key or k.rsplit(":", 1)[0] == prefix for k in keys)


def _alerts(session: Session, case_id: str, audit: list[AuditRow]) -> list[dict[str, Any]]:
    query = select(AlertRow).where(AlertRow.case_id == case_id).order_by(AlertRow.sent_at)
    takers = _takers(audit)
    events = []
    for al in session.scalars(query):
        taken = [_taker_name(a) for a, keys in takers if _same_hand_off(al.key, keys)]
        team = _TEAM_WORDS.get(al.team, _words(al.team))
        detail = f"{al.summary} (sent to {al.target})"
        events.append(_event(al.sent_at, "alert", f"Alert to {team}: {_words(al.reason)}",
                             detail, taken_by=list(dict.fromkeys(taken))))  # fmt: skip
    return events


_DECIDED = {"approve": "Approved", "reject": "Rejected", "resolved": "Resolved"}


def _reviews(session: Session, case_id: str, audit: list[AuditRow]) -> list[dict[str, Any]]:
    query = (
        select(ReviewItemRow)
        .where(ReviewItemRow.case_id == case_id)
        .order_by(ReviewItemRow.created_at)
    )
    takes = {a.id: a for a, _ in _takers(audit)}
    events = []
    for r in session.scalars(query):
        events.append(_event(r.created_at, "review", f"Review: {_words(r.reason)}", r.summary,
                             status=r.status, assignee=r.assignee, key=r.key))  # fmt: skip
        for a in takes.values():
            if r.key in (a.detail.get("review_items") or []):
                via = f"via {a.detail.get('via', a.actor)}"
                title = f"Taken by {_taker_name(a)}"
                events.append(_event(a.at, "review", title, via, a.actor, key=r.key))
        if r.status != "open" and r.resolved_at is not None:
            events.append(_resolution(r))
    return events


def _resolution(r: ReviewItemRow) -> dict[str, Any]:
    if r.decision == "correct":
        title = f"Corrected to {_words(r.resolution)}"
    elif r.resolution:
        title = f"Resolved: {_words(r.resolution)}"
    else:
        title = _DECIDED.get(r.decision or "", _words(r.decision).capitalize() or "Resolved")
    return _event(r.resolved_at, "resolution", title, r.note or "", r.resolved_by or "operator",
                  key=r.key)  # fmt: skip


def _write_backs(
    session: Session, case: CaseRow, destinations: Destinations
) -> list[dict[str, Any]]:
    query = (
        select(WriteBackRow).where(WriteBackRow.case_id == case.case_id).order_by(WriteBackRow.id)
    )
    calls = set(_call_ids(session, case.case_id))
    events = []
    for w in session.scalars(query):
        vendor = destinations.billing if w.system == "billing" else destinations.crm
        where = "simulated" if vendor == "sim" else vendor.capitalize()
        link = destinations.write_back_link(
            w.system, w.key, w.provider_id, case.invoice_ref, case.account_id or ""
        )
        title = f"{'Billing' if w.system == 'billing' else 'CRM'} updated ({where})"
        events.append(_event(w.written_at, "write_back", title, f"Outcome: {_words(w.outcome)}",
                             call_id=w.key if w.key in calls else None, link=link,
                             system=w.system))  # fmt: skip
    return events


def _statuses(audit: list[AuditRow]) -> list[dict[str, Any]]:
    events = []
    for a in audit:
        if not a.action.startswith("case_"):
            continue
        status = a.action.removeprefix("case_")
        reason = str(a.detail.get("reason") or "")
        title = f"Case {status}" + (f": {_words(reason)}" if reason else "")
        events.append(_event(a.at, "status", title, "", a.actor, status=status))
    return events


def _header(session: Session, case: CaseRow, account: AccountRow | None,
            invoice: InvoiceRow | None) -> dict[str, Any]:  # fmt: skip
    call_ids = _call_ids(session, case.case_id)
    return {
        "case_id": case.case_id, "seq": case.seq, "status": case.status,
        "outcome": case.outcome, "close_reason": case.close_reason, "source": case.source,
        "trigger_kind": case.trigger_kind, "segment": case.segment, "owner": case.owner,
        "amount": None if case.amount is None else str(case.amount),
        "currency": case.currency, "due_date": _iso(case.due_date),
        "match_confidence": case.match_confidence, "opened_at": _iso(case.opened_at),
        "closed_at": _iso(case.closed_at), "call_ids": list(call_ids),
        "account": None if account is None else {
            "account_id": account.account_id, "name": account.name,
            "company": account.company, "tier": account.tier, "segment": account.segment,
            "owner": account.owner, "timezone": account.timezone,
            "opted_out": account.opted_out,
        },
        "invoice": None if invoice is None else {
            "invoice_ref": invoice.invoice_ref, "number": invoice.number,
            "amount": str(invoice.amount), "currency": invoice.currency,
            "due_date": invoice.due_date.isoformat(), "status": invoice.status,
            "failure_reason": invoice.failure_reason,
        },
    }  # fmt: skip


def _call_ids(session: Session, case_id: str) -> list[str]:
    query = (
        select(CallAttemptRow.call_id)
        .where(CallAttemptRow.case_id == case_id)
        .order_by(CallAttemptRow.attempt_no)
    )
    return list(session.scalars(query))


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


#: Fields naming the people who acted (operators: ``console:ana@example.com``, a Slack name)
#: or built by this module from identifiers: kept as they are, bar card data, so the page
#: says who did what. Customers' contact details are never put in them.
_PEOPLE = frozenset(
    {"actor", "taken_by", "assignee", "by", "by_name", "assignee_name", "title", "link",
     "call_id", "key"}
)  # fmt: skip


def _clean(value: Any, mask: bool = True) -> Any:
    """A JSON-ready value with every text made safe for the page: card data redacted and,
    outside the fields in ``_PEOPLE``, phone numbers and emails masked."""
    if isinstance(value, str):
        return _safe(value) if mask else redact(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _clean(v, mask and k not in _PEOPLE) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v, mask) for v in value]
    return value


def _audit_rows(audit: list[AuditRow]) -> list[dict[str, Any]]:
    return [
        {"id": a.id, "at": a.at.isoformat(), "actor": a.actor, "action": a.action,
         "key": a.key, "detail": _clean(a.detail)}
        for a in audit
    ]  # fmt: skip


def timeline(session: Session, case_id: str, destinations: Destinations) -> dict[str, Any] | None:
    """The case's header, its events in order and its raw audit trail; None if no case."""
    case = session.get(CaseRow, case_id)
    if case is None:
        return None
    account = session.get(AccountRow, case.account_id) if case.account_id else None
    invoice = session.get(InvoiceRow, case.invoice_ref)
    audit = list(
        session.scalars(select(AuditRow).where(AuditRow.case_id == case_id).order_by(AuditRow.id))
    )
    events = [
        *_triggers(session, case),
        *_context(audit, case, account, invoice),
        *_policy(audit),
        *_calls(session, case_id),
        *_write_backs(session, case, destinations),
        *_messages(session, case_id),
        *_promises(session, case_id),
        *_alerts(session, case_id, audit),
        *_reviews(session, case_id, audit),
        *_statuses(audit),
    ]
    dated = [e for e in events if e["at"] is not None]
    dated.sort(key=lambda e: (e["at"], _RANK[e["kind"]]))
    header = _clean(_header(session, case, account, invoice), mask=False)  # no contacts in it
    return {"case": header, "events": _clean(dated), "audit": _audit_rows(audit)}
