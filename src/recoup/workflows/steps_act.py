"""Steps that act on a disposition: links, promises, alerts, review items, write-backs.

Every effect is keyed by the call ID (or the promise's key): the port is asked with that key
and the row is inserted once, so a re-run step neither sends nor records twice.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime

from dbos import DBOS
from sqlalchemy import select

from recoup.adapters.templates import MessageKind, fields_for, render
from recoup.agent.redact import mask_contact
from recoup.domain.models import (
    Alert,
    CaseContext,
    Channel,
    Disposition,
    Escalation,
    OutboundMessage,
    Team,
    WriteBack,
)
from recoup.store import repo
from recoup.store.opt_outs import account_opted_out
from recoup.store.tables import (
    AccountRow,
    AlertRow,
    CaseRow,
    MessageRow,
    PaymentRow,
    PromiseRow,
    ReviewItemRow,
    WriteBackRow,
)
from recoup.workflows.runtime import VENDOR_STEP, current

log = logging.getLogger(__name__)


def tracking_token(key: str) -> str:
    """A stable, unguessable-enough token for a message's link, derived from its key."""
    return hashlib.sha256(f"recoup-link:{key}".encode()).hexdigest()[:24]


def _message(
    context: CaseContext, key: str, channel: Channel, kind: MessageKind, promise_date: date | None
) -> OutboundMessage:
    """The message as the customer reads it: the playbook's wording (or the promise
    confirmation), amounts and dates in the account's locale, the tracked link, the opt-out line."""
    rt = current()
    account, invoice = context.account, context.invoice
    link = rt.billing.payment_link(invoice, key)
    token = tracking_token(key)
    tracked = f"{rt.public_base_url.rstrip('/')}/l/{token}"
    fields = fields_for(account, invoice, rt.company_name, tracked, promise_date)
    subject, body = render(kind, channel, rt.playbook.templates, fields)
    to = (account.whatsapp or account.phone) if channel is Channel.WHATSAPP else account.email
    return OutboundMessage(
        key=key,
        case_id=context.case_id,
        channel=channel,
        to=to or "",
        subject=subject,
        body=body,
        link_url=link,
        tracking_token=token,
    )


def _opted_out(context: CaseContext) -> bool:
    """Whether the customer asked us to stop: the CRM's flag, the stored one (set on a call) or
    a WhatsApp STOP from one of the account's numbers, which may have come after the call."""
    account = context.account
    if account.opted_out:
        return True
    with current().db.session() as s:
        return account_opted_out(s, account.account_id, [account.phone, account.whatsapp])


def _suppress(context: CaseContext, key: str, channel: Channel, kind: MessageKind) -> None:
    """Record, once, that a message was not sent because the customer opted out."""
    rt = current()
    log.info("%s for %s not sent: the customer opted out", kind.value, context.case_id)
    with rt.db.session() as s:
        repo.audit(
            s,
            f"{key}:suppressed",
            context.case_id,
            rt.clock.now(),
            "message_suppressed",
            {"kind": kind.value, "channel": channel.value, "reason": "opted_out"},
        )


@DBOS.step(**VENDOR_STEP)
def send_link(
    context: CaseContext, key: str, channel: Channel, kind: str, promise_date: date | None = None
) -> str:
    """Send a message carrying the secure payment link, once per key: ``kind`` is ``link``,
    ``reminder`` or ``promise_confirmation`` (the last two need ``promise_date``).

    Returns the message's tracking token, or "" when nothing was sent because the customer
    opted out (checked first, so not even a payment link is created for them)."""
    message_kind = MessageKind(kind)
    if message_kind is not MessageKind.LINK and promise_date is None:
        raise ValueError(f"a {kind} message needs the promise date")
    if _opted_out(context):
        _suppress(context, key, channel, message_kind)
        return ""
    rt = current()
    message = _message(context, key, channel, message_kind, promise_date)
    receipt = rt.messaging.send(message)
    to_masked = mask_contact(message.to)
    log.info("%s for %s sent by %s to %s", kind, context.case_id, channel.value, to_masked)
    at = rt.clock.now()
    with rt.db.session() as s:
        repo.insert_once(
            s,
            MessageRow(
                key=key,
                case_id=context.case_id,
                kind=kind,
                channel=channel.value,
                to_masked=to_masked,
                tracking_token=message.tracking_token,
                link_url=message.link_url,
                provider_id=receipt.provider_id,
                sent_at=at,
                opened_at=None,
            ),
        )
        repo.audit(
            s,
            f"{key}:sent",
            context.case_id,
            at,
            f"{kind}_sent",
            {"channel": channel.value, "to": to_masked},
        )
    return message.tracking_token


@DBOS.step()
def record_promise(context: CaseContext, call_id: str, promise_date: date) -> None:
    """Store the promise-to-pay, keyed by the call that obtained it."""
    rt = current()
    at = rt.clock.now()
    with rt.db.session() as s:
        repo.insert_once(
            s,
            PromiseRow(
                key=call_id,
                case_id=context.case_id,
                call_id=call_id,
                promise_date=promise_date,
                status="pending",
                created_at=at,
                resolved_at=None,
            ),
        )
        repo.audit(
            s,
            f"{call_id}:promise",
            context.case_id,
            at,
            "promise_recorded",
            {"promise_date": promise_date.isoformat()},
        )


@DBOS.step()
def resolve_promise(case_id: str, key: str, status: str) -> None:
    """Mark a promise kept or broken, once."""
    rt = current()
    at = rt.clock.now()
    with rt.db.session() as s:
        row = s.get(PromiseRow, key)
        if row is not None and row.status == "pending":
            row.status, row.resolved_at = status, at
        repo.audit(s, f"{key}:promise-{status}", case_id, at, f"promise_{status}", {})


def _alert_target(context: CaseContext, escalation: Escalation) -> str:
    routes = current().playbook.escalation
    if escalation.team is Team.ACCOUNT_OWNER:
        return (
            f"@{context.account.owner}" if context.account.owner else routes.owner_fallback_channel
        )
    return routes.finance_channel


@DBOS.step(**VENDOR_STEP)
def send_alert(
    context: CaseContext, key: str, escalation: Escalation, summary: str, details: dict[str, str]
) -> None:
    """Alert finance or the account owner with a summary they can act on."""
    rt = current()
    alert = Alert(
        key=key,
        case_id=context.case_id,
        team=escalation.team,
        reason=escalation.reason.value,
        target=_alert_target(context, escalation),
        summary=summary,
        details=details,
    )
    receipt = rt.alerts.alert(alert)
    at = rt.clock.now()
    with rt.db.session() as s:
        repo.insert_once(
            s,
            AlertRow(
                key=key,
                case_id=context.case_id,
                team=escalation.team.value,
                reason=escalation.reason.value,
                target=alert.target,
                summary=summary,
                provider_id=receipt.provider_id,
                sent_at=at,
            ),
        )
        repo.audit(
            s,
            f"{key}:alert",
            context.case_id,
            at,
            "alert_sent",
            {"team": escalation.team.value, "reason": escalation.reason.value},
        )


@DBOS.step()
def open_review(case_id: str, key: str, reason: str, summary: str) -> None:
    """Put the case in the human-owned review queue, once per key."""
    rt = current()
    at = rt.clock.now()
    with rt.db.session() as s:
        repo.insert_once(
            s,
            ReviewItemRow(
                key=key,
                case_id=case_id,
                reason=reason,
                status="open",
                summary=summary,
                created_at=at,
                resolved_at=None,
                decision=None,
            ),
        )
        case = s.get(CaseRow, case_id)
        if case is not None and case.status != "closed":
            case.status = "review"
        repo.audit(s, f"{key}:review", case_id, at, "review_opened", {"reason": reason})


@DBOS.step(**VENDOR_STEP)
def write_back(context: CaseContext, disposition: Disposition) -> None:
    """Give billing and the CRM the disposition, keyed by the call ID."""
    rt = current()
    write = WriteBack(
        key=disposition.call_id,
        case_id=context.case_id,
        account_id=context.account.account_id,
        invoice_ref=context.invoice.invoice_ref,
        outcome=disposition.outcome,
        promise_date=disposition.promise_date,
        next_action=disposition.next_action,
        summary=disposition.summary,
        transcript=disposition.transcript,
    )
    receipts = [rt.billing.record_disposition(write), rt.crm.record_disposition(write)]
    at = rt.clock.now()
    with rt.db.session() as s:
        for receipt in receipts:
            repo.insert_once(
                s,
                WriteBackRow(
                    key=write.key,
                    system=receipt.system,
                    case_id=context.case_id,
                    outcome=write.outcome.value,
                    provider_id=receipt.provider_id,
                    written_at=at,
                ),
            )
        repo.audit(
            s,
            f"{write.key}:written",
            context.case_id,
            at,
            "written_back",
            {"systems": ",".join(r.system for r in receipts)},
        )


@DBOS.step()
def mark_do_not_contact(context: CaseContext) -> None:
    """Record the opt-out on the account so no later case calls them either."""
    rt = current()
    with rt.db.session() as s:
        row = s.get(AccountRow, context.account.account_id)
        if row is not None:
            row.opted_out = True
        repo.audit(
            s, f"{context.case_id}:dnc", context.case_id, rt.clock.now(), "do_not_contact", {}
        )


@DBOS.step()
def paid_at(invoice_ref: str) -> datetime | None:
    """When the invoice was paid, from stored payment events, or None."""
    rt = current()
    with rt.db.session() as s:
        row = s.scalars(
            select(PaymentRow)
            .where(PaymentRow.invoice_ref == invoice_ref)
            .order_by(PaymentRow.paid_at)
        ).first()
        return None if row is None else row.paid_at


@DBOS.step()
def set_status(case_id: str, status: str, close_reason: str | None = None) -> None:
    """Move the case along; closing stamps the time and the reason."""
    rt = current()
    at = rt.clock.now()
    with rt.db.session() as s:
        case = s.get(CaseRow, case_id)
        assert case is not None
        if case.status == "closed":
            return
        case.status = status
        if status == "closed":
            case.closed_at, case.close_reason = at, close_reason
        repo.audit(
            s,
            f"{case_id}:status-{status}-{close_reason}",
            case_id,
            at,
            f"case_{status}",
            {"reason": close_reason or ""},
        )
