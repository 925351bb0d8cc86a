"""``CrmPort`` on HubSpot, through the official SDK (``hubspot-api-client``).

Matching searches contacts (then companies) by the billing reference, then email, phone and
name, with the confidences the fake uses; the account is the contact with its primary company
and owner. The write-back is a note and a follow-up task for the owner, associated with the
contact, its company and its first open deal.

Idempotency: HubSpot has no idempotency header for CRM objects, so before writing we search
notes and tasks for the call ID: a marker token derived from it in the body (or, when the
portal has one, a custom property holding it). A create is retried only when HubSpot certainly
refused it (429); after a 5xx or a timeout the error goes up and the next attempt searches
first. HubSpot's search index lags writes by a few seconds, which the step's own retry
interval covers; a custom ``call_id`` property does not remove that lag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hubspot import HubSpot  # type: ignore[import-untyped]
from pydantic import SecretStr
from urllib3.util.retry import Retry

from recoup.adapters.hubspot import engagements as e
from recoup.adapters.hubspot import mapping as m
from recoup.adapters.hubspot.errors import read, write
from recoup.adapters.retry import Backoff
from recoup.domain.errors import UnknownRecordError
from recoup.domain.models import Account, Match, WriteBack, WriteReceipt

#: Confidence of each way of matching, as in ``adapters/fake/crm.py``.
MATCH_CONFIDENCE = {"customer_ref": 1.0, "email": 0.95, "phone": 0.9, "name": 0.6}
Record = dict[str, Any]


class HubSpotCrm:
    """HubSpot as Recoup's CRM. Credentials and URLs come in; nothing reads the environment."""

    def __init__(
        self,
        access_token: SecretStr,
        base_url: str = "https://api.hubapi.com",
        portal_url: str = "",
        case_url_base: str = "",
        backoff: Backoff | None = None,
        *,
        properties: m.Properties | None = None,
        phone_region: str = "US",
        timeout: float = 10.0,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        # The SDK would retry connection errors itself; ``with_retries`` owns retrying here.
        sdk = HubSpot(
            access_token=access_token.get_secret_value(),
            host=base_url.rstrip("/"),
            retry=Retry(total=0, raise_on_status=False),
        )
        crm = sdk.crm
        self._contacts, self._companies = crm.contacts, crm.companies
        self._deals, self._owners = crm.deals.batch_api, crm.owners.owners_api
        self._notes, self._tasks = crm.objects.notes, crm.objects.tasks
        self._contact_search, self._company_search = (
            self._contacts.search_api,
            self._companies.search_api,
        )
        self._contact_api, self._company_api = self._contacts.basic_api, self._companies.basic_api
        self._note_api, self._note_search = self._notes.basic_api, self._notes.search_api
        self._task_api, self._task_search = self._tasks.basic_api, self._tasks.search_api
        self._portal_url = portal_url.rstrip("/")
        self._case_url_base = case_url_base
        self._backoff = backoff
        self._names = properties or m.Properties()
        self._region = phone_region
        self._timeout = timeout
        self._now = now or (lambda: datetime.now(UTC))

    # -- CrmPort ----------------------------------------------------------------------------

    def match_account(
        self, customer_ref: str | None, email: str | None, phone: str | None, name: str | None
    ) -> Match[Account] | None:
        for matched_on, kind, groups in self._probes(customer_ref, email, phone, name):
            found = self._search(kind, groups)
            if found is None:
                continue
            contact_id = found if kind == "contacts" else self._first_contact(found)
            company_id = None if kind == "contacts" else found
            account = self._account(contact_id, company_id)
            return Match[Account](
                record=account, confidence=MATCH_CONFIDENCE[matched_on], matched_on=matched_on
            )
        return None

    def record_disposition(self, write: WriteBack) -> WriteReceipt:
        note_id = self._find("notes", write.key)
        task_id = self._find("tasks", write.key)
        duplicate = note_id is not None
        if note_id is None or task_id is None:
            targets, owner_id = self._targets(write.account_id)
            case_url = f"{self._case_url_base}{write.case_id}" if self._case_url_base else ""
            now, names = self._now(), self._names
            if note_id is None:
                props = e.note_properties(write, case_url, owner_id, now, names)
                note_id = self._create("notes", props, e.associations(e.NOTE_TO, targets))
            if task_id is None:
                props = e.task_properties(write, case_url, owner_id, now, names)
                self._create("tasks", props, e.associations(e.TASK_TO, targets))
        return WriteReceipt(key=write.key, system="crm", provider_id=note_id, duplicate=duplicate)

    def record_url(self, account_id: str) -> str | None:
        """A link to the account's record in HubSpot, for alerts and the operator UI."""
        parsed = m.parse_account_id(account_id)
        if not self._portal_url or parsed is None:
            return None
        object_type = "0-1" if parsed[0] == "contact" else "0-2"
        return f"{self._portal_url}/record/{object_type}/{parsed[1]}"

    # -- matching ---------------------------------------------------------------------------

    def _probes(
        self, customer_ref: str | None, email: str | None, phone: str | None, name: str | None
    ) -> list[tuple[str, str, list[dict[str, Any]]]]:
        ref = self._names.billing_ref
        probes: list[tuple[str, str, list[dict[str, Any]]]] = []
        if customer_ref:
            probes += [
                ("customer_ref", "contacts", [m.eq(ref, customer_ref)]),
                ("customer_ref", "companies", [m.eq(ref, customer_ref)]),
            ]
        if email:
            probes.append(("email", "contacts", [m.eq("email", email.strip().lower())]))
        if phone:
            probes.append(("phone", "contacts", m.phone_groups(phone, self._region)))
        if name and name.strip():
            groups = m.name_groups(name)
            if groups:
                probes.append(("name", "contacts", groups))
            probes.append(("name", "companies", [m.eq("name", name.strip())]))
        return probes

    def _search(self, kind: str, groups: list[dict[str, Any]]) -> str | None:
        api = self._contact_search if kind == "contacts" else self._company_search
        body = m.search(groups, ["hs_object_id"])
        page = self._read(
            lambda: api.do_search(body, _request_timeout=self._timeout), f"searching {kind}"
        )
        results = page.get("results") or []
        return str(results[0]["id"]) if results else None

    def _first_contact(self, company_id: str) -> str | None:
        company = self._get("companies", company_id, ["name"], ["contacts"])
        contacts = m.associated_ids(company.get("associations"), "contacts")
        return contacts[0] if contacts else None

    def _account(self, contact_id: str | None, company_id: str | None) -> Account:
        contact = None
        if contact_id is not None:
            contact = self._get("contacts", contact_id, self._names.contact(), ["companies"])
            company_id = company_id or m.primary_company(contact.get("associations"))
        company = None
        if company_id is not None:
            company = self._get("companies", company_id, self._names.company(), [])
        owner_id = _prop(contact, "hubspot_owner_id") or _prop(company, "hubspot_owner_id")
        owner = self._owner(owner_id) if owner_id else None
        ident = (
            m.account_id("contact", contact_id)
            if contact_id
            else m.account_id("company", str(company_id))
        )
        return m.to_account(ident, contact, company, owner, self._names, self._region)

    def _owner(self, owner_id: str) -> Record | None:
        if not owner_id.isdigit():
            return None
        try:
            return self._read(
                lambda: self._owners.get_by_id(int(owner_id), _request_timeout=self._timeout),
                "reading the record owner",
                by_id=True,
            )
        except UnknownRecordError:
            return None  # a deactivated owner: the account is still usable

    # -- write-back -------------------------------------------------------------------------

    def _find(self, kind: str, key: str) -> str | None:
        """The note or task written earlier for this call ID, if any."""
        api = self._note_search if kind == "notes" else self._task_search
        body_prop = "hs_note_body" if kind == "notes" else "hs_task_body"
        group = (
            m.eq(self._names.call_id, key)
            if self._names.call_id
            else {
                "filters": [
                    {
                        "propertyName": body_prop,
                        "operator": "CONTAINS_TOKEN",
                        "value": e.marker(key),
                    }
                ]
            }
        )
        body = m.search([group], [body_prop], limit=1)
        page = self._read(
            lambda: api.do_search(body, _request_timeout=self._timeout),
            f"looking up {kind} by call ID",
        )
        results = page.get("results") or []
        return str(results[0]["id"]) if results else None

    def _targets(self, account_id: str) -> tuple[dict[str, str | None], str | None]:
        """The contact, company and open deal to associate, and the owner to assign."""
        parsed = m.parse_account_id(account_id)
        if parsed is None:
            raise UnknownRecordError(f"not a HubSpot account ID: {account_id!r}")
        kind, ident = parsed
        plural = "contacts" if kind == "contact" else "companies"
        links = ["companies", "deals"] if kind == "contact" else ["deals"]
        record = self._get(plural, ident, ["hubspot_owner_id"], links)
        assoc = record.get("associations")
        company = m.primary_company(assoc) if kind == "contact" else ident
        owner_id = _prop(record, "hubspot_owner_id")
        if owner_id is None and kind == "contact" and company is not None:
            owner_id = _prop(
                self._get("companies", company, ["hubspot_owner_id"], []), "hubspot_owner_id"
            )
        deal = self._open_deal(m.associated_ids(assoc, "deals"))
        contact = ident if kind == "contact" else None
        return {"contact": contact, "company": company, "deal": deal}, owner_id

    def _open_deal(self, deal_ids: list[str]) -> str | None:
        if not deal_ids:
            return None
        body = {
            "inputs": [{"id": d} for d in deal_ids[:100]],
            "properties": ["dealname", "dealstage", "hs_is_closed", "amount"],
        }
        batch = self._read(
            lambda: self._deals.read(body, _request_timeout=self._timeout),
            "reading the account's deals",
        )
        return m.open_deal(batch.get("results") or [])

    def _create(self, kind: str, props: dict[str, str], links: list[Any]) -> str:
        api = self._note_api if kind == "notes" else self._task_api
        body = {"properties": props, "associations": links}
        created = write(
            lambda: api.create(body, _request_timeout=self._timeout).to_dict(),
            f"creating the {kind[:-1]}",
            self._backoff,
        )
        return str(created["id"])

    # -- plumbing ---------------------------------------------------------------------------

    def _get(self, kind: str, ident: str, props: list[str], links: list[str]) -> Record:
        api = self._contact_api if kind == "contacts" else self._company_api
        return self._read(
            lambda: api.get_by_id(
                ident, properties=props, associations=links or None, _request_timeout=self._timeout
            ),
            f"reading {kind[:-1]} {ident}",
            by_id=True,
        )

    def _read(self, call: Callable[[], Any], doing: str, by_id: bool = False) -> Record:
        """A read returning the SDK model as a dict; ``by_id``: a 404 is an unknown record."""
        return dict(read(lambda: call().to_dict(), doing, self._backoff, not_found=by_id))


def _prop(record: Record | None, name: str) -> str | None:
    value = ((record or {}).get("properties") or {}).get(name)
    return str(value) if value else None
