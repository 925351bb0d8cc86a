"""Steps that gather a case's context and decide whether we may call.

Each is a DBOS step: its result is recorded, so recovery never asks billing or the CRM again
for a step that finished, and the same answer drives the rest of the workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dbos import DBOS
from sqlalchemy import func, select

from recoup.domain import contact_policy
from recoup.domain.models import Account, CaseContext, Invoice, Match, TriggerEvent, jsonable
from recoup.playbook import Playbook
from recoup.store import repo
from recoup.store.opt_outs import account_opted_out
from recoup.store.tables import AccountRow, CallAttemptRow, CaseRow, InvoiceRow
from recoup.workflows.runtime import VENDOR_STEP, current

#: Confidence of an invoice known only from the event, not confirmed by billing.
EVENT_ONLY_INVOICE_CONFIDENCE = 0.7


@dataclass(frozen=True)
class Enrichment:
    """The gathered context, or why there is none; ``confidence`` is the weakest match."""

    context: CaseContext | None
    confidence: float
    problem: str | None = None


def _invoice_from(trigger: TriggerEvent) -> Match[Invoice] | None:
    """Billing's invoice, else one built from the event alone (with lower confidence)."""
    rt = current()
    if trigger.invoice_ref:
        found = rt.billing.get_invoice(trigger.invoice_ref)
        if found is not None:
            return Match[Invoice](record=found, confidence=1.0, matched_on="invoice_ref")
    if trigger.invoice_ref and trigger.amount is not None and trigger.customer_ref:
        built = Invoice(
            invoice_ref=trigger.invoice_ref,
            number=trigger.invoice_ref,
            customer_ref=trigger.customer_ref,
            amount=trigger.amount,
            currency=trigger.currency or "usd",
            due_date=trigger.occurred_at.date(),
            failure_reason=trigger.failure_reason,
        )
        return Match[Invoice](
            record=built, confidence=EVENT_ONLY_INVOICE_CONFIDENCE, matched_on="event"
        )
    return None


def _account_for(trigger: TriggerEvent, invoice: Invoice) -> Match[Account] | None:
    return current().crm.match_account(
        trigger.customer_ref or invoice.customer_ref,
        trigger.customer_email,
        trigger.customer_phone,
        trigger.customer_name,
    )


def _save(case_id: str, account: Account, invoice: Invoice, confidence: float) -> None:
    rt = current()
    with rt.db.session() as s:
        # A stop we were told (on a call, by WhatsApp) outlives the CRM's flag: a later case
        # for the same customer must not clear it by storing the CRM's account again.
        stopped = account.opted_out or account_opted_out(
            s, account.account_id, [account.phone, account.whatsapp]
        )
        account = account.model_copy(update={"opted_out": stopped})
        s.merge(
            AccountRow(
                account_id=account.account_id,
                billing_customer_ref=account.billing_customer_ref,
                name=account.name,
                company=account.company,
                tier=account.tier,
                segment=account.segment,
                owner=account.owner,
                timezone=account.timezone,
                opted_out=account.opted_out,
                data=jsonable(account),
            )
        )
        s.merge(
            InvoiceRow(
                invoice_ref=invoice.invoice_ref,
                number=invoice.number,
                customer_ref=invoice.customer_ref,
                account_id=account.account_id,
                amount=invoice.amount,
                currency=invoice.currency,
                due_date=invoice.due_date,
                status=invoice.status,
                failure_reason=invoice.failure_reason,
                prior_failures=invoice.prior_failures,
            )
        )
        case = s.get(CaseRow, case_id)
        assert case is not None
        case.account_id, case.segment, case.owner = (
            account.account_id,
            account.segment,
            account.owner,
        )
        case.amount, case.currency, case.due_date = (
            invoice.amount,
            invoice.currency,
            invoice.due_date,
        )
        case.match_confidence = confidence
        repo.audit(
            s,
            f"{case_id}:enriched",
            case_id,
            rt.clock.now(),
            "enriched",
            {"account_id": account.account_id, "confidence": confidence},
        )


@DBOS.step(**VENDOR_STEP)
def enrich(case_id: str, trigger: TriggerEvent) -> Enrichment:
    """Match the event to billing's invoice and the CRM's account, and store both."""
    invoice = _invoice_from(trigger)
    if invoice is None:
        return Enrichment(None, 0.0, "invoice_not_found")
    account = _account_for(trigger, invoice.record)
    if account is None:
        return Enrichment(None, 0.0, "account_not_found")
    confidence = min(invoice.confidence, account.confidence)
    _save(case_id, account.record, invoice.record, confidence)
    context = CaseContext(
        case_id=case_id,
        account=account.record,
        invoice=invoice.record,
        trigger_kind=trigger.kind,
        match_confidence=confidence,
        source=trigger.source,
    )
    return Enrichment(context, confidence)


def policy_at(context: CaseContext, moment: datetime) -> contact_policy.PolicyDecision:
    """The contact policy's verdict at ``moment``, counting the calls already placed."""
    rt = current()
    with rt.db.session() as s:
        attempts = (
            s.scalar(select(func.count()).where(CallAttemptRow.case_id == context.case_id)) or 0
        )
        opted_out = context.account.opted_out or account_opted_out(
            s, context.account.account_id, [context.account.phone, context.account.whatsapp]
        )
    account = context.account.model_copy(update={"opted_out": opted_out})
    return contact_policy.decide(moment, account, context.invoice, attempts, rt.playbook)


@DBOS.step()
def check_policy(context: CaseContext) -> contact_policy.PolicyDecision:
    """The contact policy's verdict now."""
    return policy_at(context, current().clock.now())


@DBOS.step()
def case_rank(case_id: str) -> int:
    """The case's place in arrival order (1 = first), for "review the first N runs"."""
    with current().db.session() as s:
        seq = s.scalar(select(CaseRow.seq).where(CaseRow.case_id == case_id))
        return int(s.scalar(select(func.count()).where(CaseRow.seq <= seq)) or 0)


@DBOS.step()
def playbook() -> Playbook:
    """The playbook in force, recorded: a recovered workflow keeps the rules it started with."""
    return current().playbook


@DBOS.step()
def now() -> datetime:
    """The clock's time, recorded so recovery replays the same instant."""
    return current().clock.now()


@DBOS.step()
def seconds_until(moment: datetime) -> float:
    """Wall-clock seconds until ``moment`` on the runtime's clock."""
    return current().clock.real_seconds_until(moment)
