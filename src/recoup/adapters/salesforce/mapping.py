"""Salesforce records (query results as dicts) <-> Recoup's ``Account`` and ``WriteBack``.

The account Recoup calls is a Contact (``003...``) with its Account (``001...``) for company,
tier and segment, or an Account alone when it has no contact. Salesforce IDs carry their type in
the first three characters, so the ID itself is Recoup's ``account_id``.

Fields (API names configurable in :class:`Fields`): the billing reference is a custom Account
field the admin creates (``Recoup_Billing_Ref__c``); tier and segment are optional Account
fields (no standard field means either, so none is read unless named); ``opted_out`` is the
standard ``Contact.DoNotCall``. The write-back is two Tasks carrying the call ID in the custom
Activity field ``Recoup_Call_Id__c``: the call log (completed, subtype Call) and the follow-up
for the owner (``<call ID>:follow-up``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import phonenumbers
from simple_salesforce.format import format_soql

from recoup.adapters.phones import e164
from recoup.domain.errors import ConfigError
from recoup.domain.models import Account, Outcome, WriteBack

Rec = Mapping[str, Any]
FOLLOW_UP_SUFFIX = ":follow-up"
_API_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}")
_HIGH = {Outcome.ESCALATED, Outcome.REVIEW, Outcome.DO_NOT_CONTACT}


@dataclass(frozen=True)
class Fields:
    """The custom field API names an org uses; each checked so SOQL can never be injected."""

    billing_ref: str | None = "Recoup_Billing_Ref__c"
    call_id: str = "Recoup_Call_Id__c"
    tier: str | None = None
    segment: str | None = None

    def __post_init__(self) -> None:
        for name in (self.billing_ref, self.call_id, self.tier, self.segment):
            if name is not None and not _API_NAME.fullmatch(name):
                raise ConfigError(f"not a Salesforce field API name: {name!r}")

    def account(self) -> list[str]:
        extra = [f for f in (self.billing_ref, self.tier, self.segment) if f]
        return ["Id", "Name", "Phone", "OwnerId", "Owner.Email", "Owner.Name", *extra]

    def contact(self) -> list[str]:
        own = [
            "Id",
            "FirstName",
            "LastName",
            "Name",
            "Email",
            "Phone",
            "MobilePhone",
            "DoNotCall",
            "OwnerId",
            "Owner.Email",
            "Owner.Name",
            "AccountId",
        ]
        return own + [f"Account.{f}" for f in self.account() if f != "Id"]


# -- queries --------------------------------------------------------------------------------


def select(
    obj: str, fields: list[str], where: str, order: str | None = "CreatedDate", limit: int = 1
) -> str:
    """The one place SOQL is assembled: values in ``where`` are quoted by ``format_soql`` (see
    :func:`eq`), and object and field names are ours or checked by :class:`Fields`."""
    tail = f" ORDER BY {order}" if order else ""
    return f"SELECT {', '.join(fields)} FROM {obj} WHERE {where}{tail} LIMIT {limit}"  # noqa: S608


def in_(field: str, values: list[str]) -> str:
    """``field IN ('a', 'b')``, each value quoted and escaped by simple-salesforce."""
    return f"{field} IN " + format_soql("{}", values)


def eq(field: str, value: str) -> str:
    """``field = 'value'``, the value quoted and escaped by simple-salesforce."""
    return f"{field} = " + format_soql("{}", value)


def phone_where(phone: str, region: str) -> str:
    """SOQL compares phone fields as typed, so ask for the usual ways of typing the number."""
    forms = sorted(phone_forms(phone, region))
    return f"{in_('Phone', forms)} OR {in_('MobilePhone', forms)}"


def phone_forms(phone: str, region: str) -> set[str]:
    forms = {phone.strip()}
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return forms
    fmt = phonenumbers.PhoneNumberFormat
    for style in (fmt.E164, fmt.INTERNATIONAL, fmt.NATIONAL):
        forms.add(phonenumbers.format_number(parsed, style))
    national = str(parsed.national_number)
    forms |= {national, f"{parsed.country_code}{national}"}
    return forms


# -- records -> Account ---------------------------------------------------------------------


def contact_account(record: Rec, fields: Fields, region: str) -> Account:
    """A Contact row (with ``Account.*`` and ``Owner.*``) as an ``Account``."""
    firm: Rec = record.get("Account") or {}
    values = _firm_values(firm, fields)
    full = record.get("Name") or " ".join(
        p for p in (record.get("FirstName"), record.get("LastName")) if p
    )
    values.update(
        account_id=str(record["Id"]),
        name=full or values["company"] or str(record["Id"]),
        phone=e164(record.get("Phone") or record.get("MobilePhone") or firm.get("Phone"), region),
        email=record.get("Email") or None,
        owner=owner_label(record.get("Owner")) or values.get("owner"),
        opted_out=bool(record.get("DoNotCall")),
    )
    return Account.model_validate(values)


def account_only(record: Rec, fields: Fields, region: str) -> Account:
    """An Account with no contact: the company is who we call."""
    values = _firm_values(record, fields)
    values.update(
        account_id=str(record["Id"]),
        name=values["company"] or str(record["Id"]),
        phone=e164(record.get("Phone"), region),
    )
    return Account.model_validate(values)


def owner_label(owner: Rec | None) -> str | None:
    """The owner as alerts address them: the email, else the name."""
    if not owner:
        return None
    return owner.get("Email") or owner.get("Name") or None


def _firm_values(firm: Rec, fields: Fields) -> dict[str, Any]:
    values: dict[str, Any] = {
        "company": firm.get("Name") or "",
        "owner": owner_label(firm.get("Owner")),
        "billing_customer_ref": firm.get(fields.billing_ref) if fields.billing_ref else None,
    }
    for key, field in (("tier", fields.tier), ("segment", fields.segment)):
        if field and firm.get(field):
            values[key] = str(firm[field]).strip().lower()
    return values


# -- WriteBack -> Tasks ---------------------------------------------------------------------


def description(write: WriteBack, case_url: str) -> str:
    """What the owner reads in the activity: outcome, summary, promise, next step, links."""
    return "\n".join(
        [
            f"Outcome: {label(write.outcome)}",
            f"Summary: {write.summary or '-'}",
            f"Promise date: {write.promise_date.isoformat() if write.promise_date else '-'}",
            f"Next action: {write.next_action or '-'}",
            f"Invoice: {write.invoice_ref}",
            f"Case: {case_url or '-'}",
            f"Call ID: {write.key}",
        ]
    )


def call_log(
    write: WriteBack, case_url: str, links: Mapping[str, str | None], today: date, fields: Fields
) -> dict[str, Any]:
    """The completed call Task: the note of record on the contact's activity timeline."""
    task = {
        "Subject": f"Recoup call: {label(write.outcome)}"[:255],
        "Status": "Completed",
        "Priority": "Normal",
        "TaskSubtype": "Call",
        "CallType": "Outbound",
        "CallDisposition": write.outcome.value,
        "ActivityDate": today.isoformat(),
        "Description": description(write, case_url),
        fields.call_id: write.key,
    }
    return {**task, **_links(links)}


def follow_up(
    write: WriteBack,
    case_url: str,
    links: Mapping[str, str | None],
    now: datetime,
    owner_id: str | None,
    fields: Fields,
) -> dict[str, Any]:
    """The owner's follow-up, due on the promise date (else the next day)."""
    due = write.promise_date or (now + timedelta(days=1)).date()
    task = {
        "Subject": f"Recoup follow-up: {label(write.outcome)} ({write.invoice_ref})"[:255],
        "Status": "Not Started",
        "Priority": "High" if write.outcome in _HIGH else "Normal",
        "ActivityDate": due.isoformat(),
        "Description": description(write, case_url),
        fields.call_id: write.key + FOLLOW_UP_SUFFIX,
    }
    if owner_id:
        task["OwnerId"] = owner_id
    return {**task, **_links(links)}


def label(outcome: Outcome) -> str:
    return outcome.value.replace("_", " ").capitalize()


def _links(links: Mapping[str, str | None]) -> dict[str, str]:
    return {k: v for k, v in links.items() if v}
