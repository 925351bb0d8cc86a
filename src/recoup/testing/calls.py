"""The call the voice tests place: Dana Reyes about invoice INV-0042, $249.00 due on 20 November
2026, whose payment failed.

Built in one place so the dialog, the webhook and the telephony tests talk about the same
customer and a change to the domain models is made once; each test names only what it varies.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from recoup.domain.models import Account, CallRequest, CaseContext, Invoice, TriggerKind

__all__ = ["CALL_ID", "PHONE", "call_request"]

CALL_ID = "case:stripe:in_1:call-1"
PHONE = "+14155550132"


def call_request(
    call_id: str = CALL_ID,
    *,
    phone: str = PHONE,
    account_id: str = "acct_1",
    case_id: str = "case:stripe:in_1",
    company: str = "",
    company_name: str = "Acme Cloud",
) -> CallRequest:
    """The first attempt at a call about Dana's failed payment; ``company`` is hers (the
    account's), ``company_name`` the one the agent calls for."""
    account = Account(
        account_id=account_id,
        name="Dana Reyes",
        company=company,
        phone=phone,
        email="dana@example.com",
        timezone="America/New_York",
    )
    invoice = Invoice(
        invoice_ref="in_1",
        number="INV-0042",
        customer_ref="cus_1",
        amount=Decimal("249.00"),
        due_date=date(2026, 11, 20),
    )
    case = CaseContext(
        case_id=case_id,
        account=account,
        invoice=invoice,
        trigger_kind=TriggerKind.PAYMENT_FAILED,
        match_confidence=1.0,
    )
    return CallRequest(call_id=call_id, case=case, attempt_no=1, company_name=company_name)
