"""Opt-outs received from customers (a WhatsApp "STOP"), recorded so nobody contacts them again.

Two facts are written, both safe to write again for the same inbound message:

* every account whose phone or WhatsApp number is the sender's gets ``opted_out = True`` (the
  column ``contact_policy`` reads through ``steps_enrich.policy_at``, and the account's JSON);
* a marker for the number itself, for a customer the database does not know yet (an account is
  stored only when a case is enriched): an audit entry whose unique key is derived from the
  number, so ``number_opted_out`` is one primary-key lookup. The number is kept only as a hash.

The caller also gets the open cases of those accounts, to signal them to stop waiting.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from recoup.store import repo
from recoup.store.tables import AccountRow, AuditRow, CaseRow

__all__ = ["OptOut", "accounts_with_number", "number_opted_out", "record_opt_out"]


@dataclass(frozen=True)
class OptOut:
    """What one opt-out changed: the accounts now opted out and their cases still open."""

    account_ids: tuple[str, ...]
    open_case_ids: tuple[str, ...]


def _marker_key(phone: str) -> str:
    return "opt-out:" + hashlib.sha256(phone.encode()).hexdigest()[:40]


def _same_number(stored: object, phone: str) -> bool:
    if not isinstance(stored, str) or not stored.strip():
        return False
    text = stored.strip().removeprefix("whatsapp:")
    try:
        parsed = phonenumbers.parse(text if text.startswith("+") else f"+{text}", None)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == phone)


def accounts_with_number(session: Session, phone: str) -> list[AccountRow]:
    """Stored accounts whose ``phone`` or ``whatsapp`` is ``phone`` (E.164 with ``+``).

    The JSON text is narrowed by the last four digits in SQL (the same on SQLite and
    PostgreSQL), then each candidate's numbers are compared in E.164."""
    rows = session.scalars(
        select(AccountRow).where(cast(AccountRow.data, String).contains(phone[-4:]))
    ).all()
    return [
        row
        for row in rows
        if _same_number(row.data.get("phone"), phone)
        or _same_number(row.data.get("whatsapp"), phone)
    ]


def number_opted_out(session: Session, phone: str) -> bool:
    """True when a customer writing from ``phone`` (E.164) has asked us to stop."""
    found = session.scalar(select(AuditRow.id).where(AuditRow.key == _marker_key(phone)))
    return found is not None


def record_opt_out(
    session: Session, phone: str, at: datetime, source: str, channel: str = "whatsapp"
) -> OptOut:
    """Opt ``phone`` out; ``source`` names the inbound message (``meta:wamid...``) and keys
    the audit entries, so a webhook delivered twice records once."""
    detail = {"channel": channel, "number": f"…{phone[-4:]}", "source": source}
    repo.audit(session, _marker_key(phone), None, at, "number_opted_out", detail, "customer")
    accounts = accounts_with_number(session, phone)
    for row in accounts:
        if not row.opted_out:
            row.opted_out = True
            row.data = {**row.data, "opted_out": True}
        repo.audit(
            session,
            f"{source}:opt-out:{row.account_id}",
            None,
            at,
            "opted_out",
            {"channel": channel, "account_id": row.account_id, "source": source},
            "customer",
        )
    ids = tuple(row.account_id for row in accounts)
    cases = session.scalars(
        select(CaseRow.case_id).where(CaseRow.account_id.in_(ids), CaseRow.status != "closed")
    ).all() if ids else []  # fmt: skip
    return OptOut(ids, tuple(cases))


def account_opted_out(session: Session, account_id: str, numbers: list[str | None]) -> bool:
    """Whether we were told to stop contacting this account: on a call, by a WhatsApp STOP
    from one of its numbers, or before it was stored (a STOP from a number no account had).
    The CRM's own flag is read separately; a stored opt-out outlives what the CRM says."""
    row = session.get(AccountRow, account_id)
    if row is not None and row.opted_out:
        return True
    for number in numbers:
        if not number:
            continue
        try:
            parsed = phonenumbers.parse(number, None if number.startswith("+") else "US")
        except phonenumbers.NumberParseException:
            continue
        formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if number_opted_out(session, formatted):
            return True
    return False
