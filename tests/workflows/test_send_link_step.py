"""The message step on its own: the wording the customer reads, and nothing at all for a
customer who opted out after the call (a WhatsApp STOP), however often the step runs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from recoup import wiring
from recoup.adapters.templates import OPT_OUT_LINES
from recoup.domain import models as m
from recoup.store.opt_outs import record_opt_out
from recoup.store.tables import AuditRow, CaseRow, MessageRow
from recoup.workflows import steps_act as act

PHONE = "+4915112345678"
PROMISED = date(2026, 3, 6)


def context(tag: str) -> m.CaseContext:
    account = m.Account(
        account_id=f"acct_{tag}", name="Jana", phone=PHONE, email="jana@kunde.example",
        locale="de_DE",
    )  # fmt: skip
    invoice = m.Invoice(
        invoice_ref=f"in_{tag}", number="INV-42", customer_ref="cus_1",
        amount=Decimal("1249.50"), currency="eur", due_date=date(2026, 2, 1),
    )  # fmt: skip
    return m.CaseContext(
        case_id=f"case:stripe:in_{tag}", account=account, invoice=invoice,
        trigger_kind=m.TriggerKind.PAYMENT_FAILED, match_confidence=1.0,
    )  # fmt: skip


def open_case(app: wiring.Started, ctx: m.CaseContext, seq: int) -> None:
    with app.db.session() as s:
        s.add(
            CaseRow(
                case_id=ctx.case_id, seq=seq, invoice_ref=ctx.invoice.invoice_ref,
                source="stripe", trigger_kind="payment_failed", opened_at=app.runtime.clock.now(),
            )
        )  # fmt: skip


def test_promise_confirmation_reads_in_the_customer_locale(app: wiring.Started) -> None:
    ctx = context("confirm")
    open_case(app, ctx, 1)
    key = "call_c:confirmation"
    token = act.send_link(ctx, key, m.Channel.EMAIL, "promise_confirmation", PROMISED)
    assert token == act.tracking_token(key)
    [sent] = [s for s in app.world.messaging.sent() if s.key == key]
    assert "6. März 2026" in sent.body  # Babel, not 2026-03-06
    assert "1.249,50\xa0€" in sent.body
    assert f"/l/{token}" in sent.body
    assert sent.body.endswith(OPT_OUT_LINES[m.Channel.EMAIL])
    assert sent.subject == f"Your {app.runtime.company_name} invoice INV-42"
    assert app.world.ledger.attempts("payment_link", key) == 1
    with app.db.session() as s:
        row = s.get(MessageRow, key)
        assert row is not None
        assert (row.kind, row.tracking_token) == ("promise_confirmation", token)


def test_no_message_to_a_customer_who_opted_out(app: wiring.Started) -> None:
    ctx = context("stop")
    open_case(app, ctx, 2)
    with app.db.session() as s:  # a STOP from the account's number, after the call
        record_opt_out(s, PHONE, app.runtime.clock.now(), "meta:wamid.stop1")
    key = "call_s:reminder"
    for _ in range(2):  # a re-run records the suppression once
        assert act.send_link(ctx, key, m.Channel.WHATSAPP, "reminder", PROMISED) == ""
    assert [s for s in app.world.messaging.sent() if s.key == key] == []
    assert app.world.ledger.attempts("payment_link", key) == 0  # not even a link was made
    with app.db.session() as s:
        assert s.get(MessageRow, key) is None
        rows = s.scalars(select(AuditRow).where(AuditRow.case_id == ctx.case_id)).all()
        assert [(r.key, r.action) for r in rows] == [(f"{key}:suppressed", "message_suppressed")]
        assert rows[0].detail == {"kind": "reminder", "channel": "whatsapp", "reason": "opted_out"}
