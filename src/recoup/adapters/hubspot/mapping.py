"""HubSpot records (the SDK's objects as plain dicts) -> Recoup's ``Account``, and search bodies.

Why dicts: the client turns every SDK answer into ``to_dict()`` form at once, so nothing below
depends on the generated model classes, which differ per API package (contacts, notes, ...).
HubSpot property values are always strings ("true", "2026-02-06"), read here defensively.

Which properties mean what (each name configurable in :class:`Properties`):

- the billing reference (Stripe customer ID) is a custom text property on the contact or the
  company, ``recoup_billing_ref`` by default;
- tier and segment are custom company properties, ``recoup_tier`` and ``recoup_segment``;
- ``opted_out`` is a custom contact checkbox, ``recoup_do_not_call`` (HubSpot has no standard
  "do not call" property; ``hs_email_optout`` is about marketing email and is not used), and
  ``consent_to_call`` is false only when ``recoup_call_consent`` is explicitly "false";
- the time zone is HubSpot's own ``hs_timezone`` ("america_slash_new_york"), the language
  ``hs_language``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from recoup.adapters.phones import e164
from recoup.domain.models import Account

Props = Mapping[str, Any]


@dataclass(frozen=True)
class Properties:
    """The HubSpot property names Recoup reads and writes; portals name custom ones freely."""

    billing_ref: str = "recoup_billing_ref"
    tier: str = "recoup_tier"
    segment: str = "recoup_segment"
    do_not_call: str = "recoup_do_not_call"
    call_consent: str = "recoup_call_consent"
    call_id: str | None = None  # a custom note/task property; None: a marker in the body

    def contact(self) -> list[str]:
        return [
            "firstname",
            "lastname",
            "email",
            "phone",
            "mobilephone",
            "company",
            "hubspot_owner_id",
            "hs_timezone",
            "hs_language",
            self.billing_ref,
            self.do_not_call,
            self.call_consent,
        ]

    def company(self) -> list[str]:
        return ["name", "phone", "hubspot_owner_id", self.billing_ref, self.tier, self.segment]


# -- account ids ----------------------------------------------------------------------------


def account_id(kind: str, object_id: str) -> str:
    """``contact:512`` or ``company:901``: the record the write-back attaches to."""
    return f"{kind}:{object_id}"


def parse_account_id(value: str) -> tuple[str, str] | None:
    kind, _, object_id = value.partition(":")
    if kind in ("contact", "company") and object_id.isdigit():
        return kind, object_id
    return None


# -- search requests ------------------------------------------------------------------------


def eq(prop: str, value: str) -> dict[str, Any]:
    return {"filters": [{"propertyName": prop, "operator": "EQ", "value": value}]}


def search(groups: list[dict[str, Any]], properties: list[str], limit: int = 1) -> dict[str, Any]:
    """A search body; the oldest record first, so a repeated search picks the same one."""
    return {
        "filterGroups": groups,
        "properties": properties,
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "limit": limit,
    }


def phone_groups(phone: str, region: str) -> list[dict[str, Any]]:
    """Filter groups (ORed) for a phone number however the CRM user typed it: HubSpot keeps a
    digits-only national form of ``phone`` and ``mobilephone`` in calculated properties."""
    groups = [eq("phone", phone), eq("mobilephone", phone)]
    national = national_digits(phone, region)
    if national:
        groups += [
            eq("hs_searchable_calculated_phone_number", national),
            eq("hs_searchable_calculated_mobile_number", national),
        ]
    return groups


def name_groups(name: str) -> list[dict[str, Any]]:
    """A contact's full name: "Mary Ann Smith" is first name "Mary Ann", last name "Smith"."""
    first, _, last = name.strip().rpartition(" ")
    if not first:
        return []
    return [{"filters": [eq("firstname", first)["filters"][0], eq("lastname", last)["filters"][0]]}]


def national_digits(phone: str, region: str) -> str | None:
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return None
    return str(parsed.national_number)


# -- records -> Account ---------------------------------------------------------------------


def primary_company(associations: Props | None) -> str | None:
    """The contact's primary company (type ``contact_to_company``), else any associated one."""
    results = _assoc(associations, "companies")
    primary = [str(r["id"]) for r in results if r.get("type") == "contact_to_company"]
    ids = primary or [str(r["id"]) for r in results]
    return ids[0] if ids else None


def associated_ids(associations: Props | None, kind: str) -> list[str]:
    return list(dict.fromkeys(str(r["id"]) for r in _assoc(associations, kind)))


def open_deal(deals: list[Props]) -> str | None:
    """The first open deal (``hs_is_closed`` false, or a stage other than won/lost)."""
    for deal in deals:
        props = deal.get("properties") or {}
        closed = props.get("hs_is_closed")
        if closed is None:
            closed = str(props.get("dealstage") in ("closedwon", "closedlost")).lower()
        if closed != "true":
            return str(deal["id"])
    return None


def owner_label(owner: Props | None) -> str | None:
    """The owner as alerts address them: the email, else the name."""
    if not owner:
        return None
    name = " ".join(p for p in (owner.get("first_name"), owner.get("last_name")) if p)
    return owner.get("email") or name or None


def to_account(
    ident: str,
    contact: Props | None,
    company: Props | None,
    owner: Props | None,
    names: Properties,
    region: str,
) -> Account:
    """One ``Account`` from a contact (who we call) and its company (tier, segment)."""
    person: Props = (contact or {}).get("properties") or {}
    firm: Props = (company or {}).get("properties") or {}
    full = " ".join(p for p in (person.get("firstname"), person.get("lastname")) if p)
    company_name = firm.get("name") or person.get("company") or ""
    values: dict[str, Any] = {
        "account_id": ident,
        "name": full or company_name or ident,
        "company": company_name,
        "phone": e164(
            person.get("phone") or person.get("mobilephone") or firm.get("phone"), region
        ),
        "email": person.get("email") or None,
        "timezone": timezone(person.get("hs_timezone")),
        "owner": owner_label(owner),
        "opted_out": _flag(person.get(names.do_not_call)) is True,
        "consent_to_call": _flag(person.get(names.call_consent)) is not False,
        "billing_customer_ref": person.get(names.billing_ref) or firm.get(names.billing_ref),
    }
    for field, prop in (("tier", names.tier), ("segment", names.segment)):
        if firm.get(prop):
            values[field] = str(firm[prop]).strip().lower()
    language = str(person.get("hs_language") or "").split("-")[0].lower()
    if language:
        values["language"] = language
    return Account.model_validate(values)


def timezone(value: str | None) -> str | None:
    """HubSpot's ``hs_timezone`` ("america_slash_new_york") as an IANA name, when it is one."""
    if not value:
        return None
    raw = value.replace("_slash_", "/").replace("_minus_", "-").replace("_plus_", "+")
    name = "/".join(
        "_".join(w[:1].upper() + w[1:] for w in part.split("_")) for part in raw.split("/")
    )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _flag(value: Any) -> bool | None:
    text = str(value).strip().lower() if value is not None else ""
    return {"true": True, "yes": True, "false": False, "no": False}.get(text)


def _assoc(associations: Props | None, kind: str) -> list[Props]:
    block = (associations or {}).get(kind) or {}
    return list(block.get("results") or [])
