"""``CrmPort`` on Salesforce, through simple-salesforce (REST API, SOQL).

Matching queries Contacts by their Account's billing reference (then the Account alone), then
email, phone and name, with the confidences the fake uses. The write-back is two Tasks (the
completed call, and a follow-up assigned to the owner) with ``WhoId`` the contact and ``WhatId``
the first open Opportunity, else the Account. Tasks rather than ContentNote: a Task is one
insert that carries its links and a custom field we can query, where a ContentNote needs a
second ContentDocumentLink insert and cannot hold the call ID for a lookup.

Idempotency: the call ID is stored in the custom Activity field ``Recoup_Call_Id__c``; before
inserting, one SOQL query looks both Tasks up, and only the missing ones are inserted. An insert
is retried only when Salesforce refused it for its limits; after a 5xx or a timeout the error
goes up and the next attempt queries first (SOQL reads are consistent at once).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

import requests
from pydantic import SecretStr
from requests.adapters import HTTPAdapter
from simple_salesforce.api import DEFAULT_API_VERSION, Salesforce, SFType

from recoup.adapters.retry import Backoff
from recoup.adapters.salesforce import errors
from recoup.adapters.salesforce import mapping as m
from recoup.domain.errors import ConfigError, UnknownRecordError
from recoup.domain.models import Account, Match, WriteBack, WriteReceipt

#: Confidence of each way of matching, as in ``adapters/fake/crm.py``.
MATCH_CONFIDENCE = {"customer_ref": 1.0, "email": 0.95, "phone": 0.9, "name": 0.6}
Rec = dict[str, Any]


class SalesforceCrm:
    """Salesforce as Recoup's CRM. Give an access token (with ``instance_url``) or the
    integration user's username, password and security token; nothing reads the environment."""

    def __init__(
        self,
        instance_url: str = "",
        access_token: SecretStr | None = None,
        username: str | None = None,
        password: SecretStr | None = None,
        security_token: SecretStr | None = None,
        version: str = DEFAULT_API_VERSION,
        case_url_base: str = "",
        backoff: Backoff | None = None,
        *,
        domain: str = "login",
        fields: m.Fields | None = None,
        session: requests.Session | None = None,
        phone_region: str = "US",
        timeout: float = 10.0,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        if access_token is None and not (username and password and security_token):
            raise ConfigError(
                "Salesforce needs an access token, or username, password and security token"
            )
        if access_token is not None and not instance_url:
            raise ConfigError("Salesforce needs instance_url with an access token")
        self._instance_url, self._token, self._domain = instance_url, access_token, domain
        self._username, self._password, self._security_token = username, password, security_token
        self._version = version.removeprefix("v")
        self._session = session or requests.Session()
        self._session.mount("https://", _TimeoutAdapter(timeout))
        self._sf: Salesforce | None = None
        self._case_url_base = case_url_base
        self._backoff = backoff
        self._fields = fields or m.Fields()
        self._custom = tuple(
            f
            for f in (
                self._fields.billing_ref,
                self._fields.call_id,
                self._fields.tier,
                self._fields.segment,
            )
            if f
        )
        self._region = phone_region
        self._now = now or (lambda: datetime.now(UTC))

    # -- CrmPort ----------------------------------------------------------------------------

    def match_account(
        self, customer_ref: str | None, email: str | None, phone: str | None, name: str | None
    ) -> Match[Account] | None:
        f = self._fields
        probes: list[tuple[str, str, str]] = []
        if customer_ref and f.billing_ref:
            probes += [
                ("customer_ref", "Contact", m.eq(f"Account.{f.billing_ref}", customer_ref)),
                ("customer_ref", "Account", m.eq(f.billing_ref, customer_ref)),
            ]
        if email:
            probes.append(("email", "Contact", m.eq("Email", email.strip())))
        if phone:
            probes.append(("phone", "Contact", m.phone_where(phone, self._region)))
        if name and name.strip():
            probes += [
                ("name", "Contact", m.eq("Name", name.strip())),
                ("name", "Account", m.eq("Name", name.strip())),
            ]
        for matched_on, obj, where in probes:
            record = self._first(obj, where)
            if record is not None:
                account = self._account(obj, record)
                return Match[Account](
                    record=account, confidence=MATCH_CONFIDENCE[matched_on], matched_on=matched_on
                )
        return None

    def record_disposition(self, write: WriteBack) -> WriteReceipt:
        keys = [write.key, write.key + m.FOLLOW_UP_SUFFIX]
        call_id = self._fields.call_id
        soql = m.select("Task", ["Id", call_id], m.in_(call_id, keys), order=None, limit=2)
        found = {r[call_id]: r["Id"] for r in self._query(soql, "looking up Tasks")}
        log_id = found.get(write.key)
        duplicate = log_id is not None
        if write.key in found and keys[1] in found:
            return WriteReceipt(key=write.key, system="crm", provider_id=log_id, duplicate=True)
        links, owner_id = self._targets(write.account_id)
        case_url = f"{self._case_url_base}{write.case_id}" if self._case_url_base else ""
        now = self._now()
        if log_id is None:
            log_id = self._insert(m.call_log(write, case_url, links, now.date(), self._fields))
        if keys[1] not in found:
            self._insert(m.follow_up(write, case_url, links, now, owner_id, self._fields))
        return WriteReceipt(key=write.key, system="crm", provider_id=log_id, duplicate=duplicate)

    # -- internals --------------------------------------------------------------------------

    def _account(self, obj: str, record: Rec) -> Account:
        if obj == "Contact":
            return m.contact_account(record, self._fields, self._region)
        contact = self._first("Contact", m.eq("AccountId", str(record["Id"])))
        if contact is not None:
            return m.contact_account(contact, self._fields, self._region)
        return m.account_only(record, self._fields, self._region)

    def _first(self, obj: str, where: str) -> Rec | None:
        fields = self._fields.contact() if obj == "Contact" else self._fields.account()
        records = self._query(m.select(obj, fields, where), f"querying {obj}")
        return records[0] if records else None

    def _targets(self, account_id: str) -> tuple[dict[str, str | None], str | None]:
        """``WhoId``/``WhatId`` for the Tasks (open Opportunity first) and the owner's ID."""
        kind = {"003": "Contact", "001": "Account"}.get(account_id[:3])
        if kind is None:
            raise UnknownRecordError(f"not a Salesforce Contact or Account ID: {account_id!r}")
        fields = (
            ["Id", "OwnerId", "AccountId", "Account.OwnerId"]
            if kind == "Contact"
            else ["Id", "OwnerId"]
        )
        rows = self._query(
            m.select(kind, fields, m.eq("Id", account_id), order=None), f"reading the {kind}"
        )
        if not rows:
            raise UnknownRecordError(f"Salesforce has no {kind} {account_id}")
        row = rows[0]
        if kind == "Contact":
            who, company = row["Id"], row.get("AccountId")
            owner = row.get("OwnerId") or (row.get("Account") or {}).get("OwnerId")
        else:
            who, company, owner = None, row["Id"], row.get("OwnerId")
        what = self._open_opportunity(company) if company else None
        return {"WhoId": who, "WhatId": what or company}, owner

    def _open_opportunity(self, account: str) -> str | None:
        where = f"{m.eq('AccountId', account)} AND IsClosed = false"
        rows = self._query(
            m.select(
                "Opportunity", ["Id", "Name", "StageName", "CloseDate"], where, order="CloseDate"
            ),
            "reading open Opportunities",
        )
        return str(rows[0]["Id"]) if rows else None

    def _query(self, soql: str, doing: str) -> list[Rec]:
        answer = errors.read(lambda: self._client().query(soql), doing, self._backoff, self._custom)
        return list(answer.get("records") or [])

    def _insert(self, task: dict[str, Any]) -> str:
        created = errors.write(
            lambda: self._tasks().create(task),
            "inserting a Task",
            self._backoff,
            self._custom,
        )
        return str(created["id"])

    def _tasks(self) -> SFType:
        return cast(SFType, self._client().Task)  # sObject attributes are SFTypes

    def _client(self) -> Salesforce:
        """The SDK client, made on first use: a password login is a network call, and a
        process must start even when Salesforce is down."""
        if self._sf is None:
            common: dict[str, Any] = {"version": self._version, "session": self._session}
            if self._token is not None:
                self._sf = Salesforce(
                    instance_url=self._instance_url,
                    session_id=self._token.get_secret_value(),
                    **common,
                )
            else:
                self._sf = Salesforce(
                    username=self._username,
                    password=_reveal(self._password),
                    security_token=_reveal(self._security_token),
                    domain=self._domain,
                    **common,
                )
        return self._sf


def _reveal(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None


class _TimeoutAdapter(HTTPAdapter):
    """simple-salesforce sets no timeout on inserts; a hung socket must not hang a step."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)
