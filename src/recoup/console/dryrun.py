"""A dry run of the launch rules: replay past billing events and say what would have happened.

Before changing the playbook, finance wants to see its effect on real traffic: which failed
invoices would have been called (and when, in the customer's own time), which would have gone
to a person, which skipped, and why. The replay decides with the very functions the case
workflow decides with (:func:`recoup.domain.contact_policy.screen` then
:func:`~recoup.domain.contact_policy.decide`), on what enrichment stored (no vendor is asked),
and writes nothing: no row, no DBOS workflow, no message.

One decision per invoice: the first event that would open its case under these rules. Later
events of the same invoice join that case; events that never open a case (payments, disputes)
are listed so the counts add up to the events in the window. Each decision is taken at the
event's ``occurred_at`` with no call made yet, which is the instant the workflow's first policy
check approximates (it runs a moment after the event is received). Where a case actually ran,
its status and first action sit beside the replay's, so a rule change shows as a difference.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from recoup.console import dryrun_facts as facts
from recoup.console.playbook_text import RuleSection, amount_text, listing, rules, team_text
from recoup.domain import contact_policy
from recoup.domain.contact_policy import PolicyDecision
from recoup.domain.models import OPENING_KINDS, Account, EscalationReason, TriggerKind
from recoup.playbook import Playbook

__all__ = [
    "ACTIONS",
    "DryRunReport",
    "DryRunRow",
    "RuleSection",
    "default_window",
    "dry_run",
    "rules",
]

ACTIONS = ("call", "review", "skip")
#: "Last month" for the console: the 30 days ending now (see :func:`default_window`).
DEFAULT_DAYS = 30
_LOCAL = "%a %d %b %Y %H:%M"
_UTC = "%d %b %Y %H:%M UTC"


@dataclass(frozen=True)
class DryRunRow:
    """One replayed event. ``account`` is the name and company only, never a phone or email.

    ``call_at`` is the first allowed call time in the customer's zone (ISO 8601 with its
    offset) for ``call``; ``actual`` is the real case's status (``closed (paid)``) and
    ``actual_action`` what it did first (call, review or skip), when a case ran."""

    event_id: str
    source: str
    kind: str
    occurred_at: datetime
    invoice: str | None
    account: str | None
    amount: Decimal | None
    currency: str | None
    segment: str | None
    action: str
    reason: str
    why: str
    call_at: str | None = None
    case_id: str | None = None
    actual: str | None = None
    actual_action: str | None = None


@dataclass(frozen=True)
class DryRunReport:
    """Rows in event order and counts by action (all three, zeros included) and by reason."""

    start: datetime
    end: datetime
    rows: tuple[DryRunRow, ...]
    by_action: dict[str, int]
    by_reason: dict[str, int]

    @property
    def differs(self) -> int:
        """Decisions (not joins or non-opening events) unlike what the real case did first."""
        return sum(
            1
            for r in self.rows
            if r.actual_action is not None
            and r.reason not in _NOT_DECISIONS
            and r.action != r.actual_action
        )


@dataclass(frozen=True)
class _Verdict:
    action: str
    reason: str
    why: str
    call_at: str | None = None


_NOT_DECISIONS = frozenset(
    {"not_a_trigger", "trigger_not_handled", "no_invoice", "joins_existing_case"}
)
_PROBLEMS = {
    "invoice_not_found": "billing has no such invoice",
    "account_not_found": "no CRM account matches the customer",
}
_POLICY_WHY = {
    "do_not_contact": "The customer asked not to be contacted (or never agreed to calls), so "
    "nobody calls.",
    "no_callable_number": "There is no valid phone number or no time zone for the customer, so "
    "the calling hours cannot be respected: a person decides.",
    "no_calling_window": "No allowed calling time in the next eight days in the customer's "
    "time zone: a person decides.",
    "attempts_exhausted": "Every allowed call attempt has been used: a person reviews it.",
}


def default_window(now: datetime, days: int = DEFAULT_DAYS) -> tuple[datetime, datetime]:
    """Last month's events, read as the ``days`` (30) days ending ``now``: ``[now - 30d, now)``.

    A rolling window rather than the previous calendar month: on the 2nd of a month the
    calendar month would be a month old already, and the freshest traffic is what a rule
    change will meet. Callers wanting exact dates pass their own ``start`` and ``end``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now - timedelta(days=days), now


def dry_run(session: Session, playbook: Playbook, start: datetime, end: datetime) -> DryRunReport:
    """Replay the trigger events with ``start <= occurred_at < end`` through ``playbook``."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if start >= end:
        raise ValueError("the window must start before it ends")
    known = facts.load(session, start, end)
    openers = _openers(known, playbook)
    rows = tuple(_row(e, known, openers, playbook) for e in known.events)
    by_action = {a: sum(1 for r in rows if r.action == a) for a in ACTIONS}
    by_reason = dict(
        sorted(Counter(r.reason for r in rows).items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return DryRunReport(start, end, rows, by_action, by_reason)


def _kind(value: str) -> TriggerKind:
    try:
        return TriggerKind(value)
    except ValueError:
        return TriggerKind.UNKNOWN


def _opens(event: facts.Event, playbook: Playbook) -> bool:
    """The ingest's own test (``workflows.ingest._opens_case``) on a stored event."""
    kind = _kind(event.kind)
    return kind in OPENING_KINDS and kind in playbook.triggers and event.invoice_ref is not None


def _openers(known: facts.Facts, playbook: Playbook) -> dict[str, facts.Event]:
    """Per invoice, the earliest event (window or before) that opens its case under these rules."""
    found: dict[str, facts.Event] = {}
    for ref, events in known.history.items():
        first = next((e for e in events if _opens(e, playbook)), None)
        if first is not None:
            found[ref] = first
    return found


def _row(
    event: facts.Event,
    known: facts.Facts,
    openers: dict[str, facts.Event],
    playbook: Playbook,
) -> DryRunRow:
    about = known.invoices.get(event.invoice_ref or "")
    invoice = about.invoice if about else None
    account = about.account if about else None
    case = about.case if about else None
    verdict = _verdict(event, about, openers, playbook)
    return DryRunRow(
        event_id=event.event_id,
        source=event.source,
        kind=event.kind,
        occurred_at=event.occurred_at,
        invoice=invoice.number if invoice else event.invoice_ref,
        account=_who(account),
        amount=invoice.amount if invoice else event.amount,
        currency=(invoice.currency if invoice else event.currency or "").upper() or None,
        segment=account.segment if account else None,
        action=verdict.action,
        reason=verdict.reason,
        why=verdict.why,
        call_at=verdict.call_at,
        case_id=case.case_id if case else None,
        actual=_actual(case),
        actual_action=_actual_action(case),
    )


def _who(account: Account | None) -> str | None:
    if account is None:
        return None
    return f"{account.name} ({account.company})" if account.company else account.name


def _actual(case: facts.CaseFacts | None) -> str | None:
    if case is None:
        return None
    return f"{case.status} ({case.close_reason})" if case.close_reason else case.status


#: Close reasons that mean the case stopped before any call or review: a skip.
_SKIPPED = frozenset({"segment_not_covered", "do_not_contact", "paid"})


def _actual_action(case: facts.CaseFacts | None) -> str | None:
    """What the real case did first: it called, it went to a person, or it stopped at once.

    None when that cannot be told: still waiting for its first call, or closed (given up,
    stopped by a dispute) before the call it was waiting for."""
    if case is None:
        return None
    if case.calls:
        return "call"
    if case.reviews:
        return "review"
    return "skip" if case.status == "closed" and case.close_reason in _SKIPPED else None


def _verdict(
    event: facts.Event,
    about: facts.InvoiceFacts | None,
    openers: dict[str, facts.Event],
    playbook: Playbook,
) -> _Verdict:
    kind = _kind(event.kind)
    label = event.kind.replace("_", " ")
    if kind not in OPENING_KINDS:
        return _Verdict(
            "skip",
            "not_a_trigger",
            f"A {label} event never opens a case; it only updates one that exists.",
        )
    if kind not in playbook.triggers:
        handled = listing([k.value.replace("_", " ") for k in playbook.triggers], "or")
        return _Verdict(
            "skip",
            "trigger_not_handled",
            f"The playbook opens cases only for {handled} events, not {label}.",
        )
    if event.invoice_ref is None or about is None:
        return _Verdict("skip", "no_invoice", "The event names no invoice, so no case opens.")
    first = openers[event.invoice_ref]
    if first.row_id != event.row_id:
        return _Verdict(
            "skip",
            "joins_existing_case",
            f"The invoice already has a case, opened by the event of "
            f"{first.occurred_at.strftime(_UTC)}; this event joins it.",
        )
    return _decision(event, about, playbook)


def _decision(event: facts.Event, about: facts.InvoiceFacts, playbook: Playbook) -> _Verdict:
    """The case workflow's own sequence: screen the match and segment, then the policy."""
    account, invoice, case = about.account, about.invoice, about.case
    if account is None or invoice is None:
        return _unknown(case, playbook)
    confidence = case.match_confidence if case and case.match_confidence is not None else 0.0
    screened = contact_policy.screen(confidence, account.segment, playbook)
    if screened is not None:
        return _screened(screened, confidence, account.segment, playbook)
    since = about.opted_out_since
    at_the_time = account.model_copy(
        update={"opted_out": since is not None and since <= event.occurred_at}
    )
    decision = contact_policy.decide(event.occurred_at, at_the_time, invoice, 0, playbook)
    if decision.action in ("call", "wait"):
        return _call(event.occurred_at, decision, at_the_time, about.paid_at)
    why = _POLICY_WHY.get(decision.reason, f"The contact policy says {decision.reason}.")
    if decision.reason == "high_value":
        team = team_text(playbook.escalation.routes[EscalationReason.HIGH_VALUE], playbook)
        why = (
            f"{_money(invoice.amount, invoice.currency)} is at or above the high-value "
            f"threshold of {amount_text(playbook.high_value_threshold)}: a person handles "
            f"it and {team} is alerted."
        )
    elif decision.reason == "sensitive_account":
        why = (
            f"Accounts in the “{account.tier}” tier always go to a person."
            if account.tier in playbook.sensitive_tiers
            else "The CRM marks this account as sensitive: a person handles it."
        )
    return _Verdict("skip" if decision.action == "stop" else "review", decision.reason, why)


def _unknown(case: facts.CaseFacts | None, playbook: Playbook) -> _Verdict:
    """No stored account or invoice: unmatched when the case said so, else not known."""
    problem = case.reviews.get("match", "") if case else ""
    screened = contact_policy.screen(0.0, None, playbook) if problem in _PROBLEMS else None
    if screened is not None:
        return _Verdict(
            screened.action,
            screened.reason,
            f"The customer could not be matched ({_PROBLEMS[problem]}): a person checks it.",
        )
    return _Verdict(
        "review",
        "not_enriched",
        "Nothing was recorded about this invoice's customer, and a dry run does not "
        "ask billing or the CRM: a person would have to look.",
    )


def _screened(
    screened: PolicyDecision, confidence: float, segment: str, playbook: Playbook
) -> _Verdict:
    if screened.reason == "low_confidence_match":
        return _Verdict(
            "review",
            screened.reason,
            f"The customer was matched with {confidence:.0%} confidence, below the "
            f"playbook's {playbook.match_confidence_threshold:.0%}: a person checks "
            "the match before anything is written.",
        )
    return _Verdict(
        "skip", screened.reason, f"The customer's segment “{segment}” is not covered by the launch."
    )


def _call(
    occurred_at: datetime,
    decision: PolicyDecision,
    account: Account,
    paid_at: datetime | None,
) -> _Verdict:
    """A call now or at the window's next opening, unless the invoice was paid by then."""
    call_at = decision.not_before or occurred_at
    if paid_at is not None and paid_at <= call_at:
        when = "before the event" if paid_at <= occurred_at else "before the first allowed call"
        return _Verdict(
            "skip",
            "already_paid",
            f"The invoice was paid on {paid_at.strftime(_UTC)}, {when}, so nobody calls.",
        )
    zone = contact_policy.zones_for(account)[0]
    local = call_at.astimezone(zone)
    if decision.action == "call":
        why = (
            f"Inside calling hours in the customer's time zone ({zone.key}): called at "
            f"once, {local.strftime(_LOCAL)} local time."
        )
    else:
        why = (
            f"Outside calling hours in the customer's time zone ({zone.key}) when the "
            f"event came in; the first allowed call is {local.strftime(_LOCAL)} local time."
        )
    return _Verdict("call", decision.reason, why, local.isoformat())


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency.upper()}"
