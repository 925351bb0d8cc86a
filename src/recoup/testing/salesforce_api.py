"""A stand-in for Salesforce's REST API (and its SOAP login), as far as Recoup's adapter uses it.

HTTPS only, like Salesforce, because simple-salesforce builds ``https://`` URLs: the server
runs ``VendorServer(tls=True)`` and tests trust ``server.ca_path`` through a session with
``trust_env=False`` (this machine's ``REQUESTS_CA_BUNDLE`` would otherwise win).

Stateful: Users, Accounts, Contacts, Opportunities and Tasks; SOQL through ``salesforce_soql``
(relationship paths such as ``Account.Owner.Email`` resolve like Salesforce's, with nested
``attributes`` objects in the answer); inserts validate field names (a custom field the admin
did not create is ``INVALID_FIELD``), picklists and ``WhoId``/``WhatId``/``OwnerId`` references.
Errors use Salesforce's array envelope ``[{"message", "errorCode"}]``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from recoup.testing.salesforce_soql import Query, SoqlError, parse
from recoup.testing.stand_in import StandIn
from recoup.testing.vendor_server import Recorded, Reply

__all__ = ["STAND_IN_TOKEN", "SalesforceApi"]

Obj = dict[str, Any]
STAND_IN_TOKEN = "00DRO0000000001!stand.in"  # noqa: S105 - the stand-in's own made-up token
_PREFIX = {"User": "005", "Account": "001", "Contact": "003", "Opportunity": "006", "Task": "00T"}
_FIELDS = {
    "User": {"Id", "Name", "FirstName", "LastName", "Email", "CreatedDate"},
    "Account": {"Id", "Name", "Phone", "OwnerId", "Type", "Industry", "CreatedDate"},
    "Contact": {
        "Id",
        "Name",
        "FirstName",
        "LastName",
        "Email",
        "Phone",
        "MobilePhone",
        "DoNotCall",
        "OwnerId",
        "AccountId",
        "CreatedDate",
    },
    "Opportunity": {
        "Id",
        "Name",
        "StageName",
        "Amount",
        "CloseDate",
        "IsClosed",
        "AccountId",
        "OwnerId",
        "CreatedDate",
    },
    "Task": {
        "Id",
        "Subject",
        "Status",
        "Priority",
        "WhoId",
        "WhatId",
        "OwnerId",
        "ActivityDate",
        "Description",
        "TaskSubtype",
        "CallType",
        "CallDisposition",
        "CreatedDate",
    },
}
#: (object, relationship) -> (the ID field holding it, the related object).
_RELATIONS = {
    ("Contact", "Account"): ("AccountId", "Account"),
    ("Contact", "Owner"): ("OwnerId", "User"),
    ("Account", "Owner"): ("OwnerId", "User"),
    ("Opportunity", "Account"): ("AccountId", "Account"),
    ("Opportunity", "Owner"): ("OwnerId", "User"),
    ("Task", "Owner"): ("OwnerId", "User"),
}
_PICKLISTS = {
    "Status": {"Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"},
    "Priority": {"High", "Normal", "Low"},
    "TaskSubtype": {"Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"},
    "CallType": {"Internal", "Inbound", "Outbound"},
}
_LOGIN_FIELD = re.compile(r"<n1:(username|password)>(.*?)</n1:\1>", re.DOTALL)


class SalesforceApi(StandIn):
    """The stand-in: seed with ``add_*``; read what was written in ``records["Task"]``."""

    def __init__(
        self,
        token: str = STAND_IN_TOKEN,
        custom_fields: dict[str, set[str]] | None = None,
        version: str = "59.0",
        login: tuple[str, str] | None = None,
    ) -> None:
        super().__init__("salesforce", tls=True)
        self.token = token  # the access token issued up front (a connected app's)
        self.version = version
        self.login = login  # (username, password + security token) the SOAP login accepts
        self.fields = {obj: set(names) for obj, names in _FIELDS.items()}
        for obj, names in (custom_fields or {}).items():
            self.fields[obj] |= names
        self.reset()
        data = r"/services/data/v(?P<v>\d+\.\d+)"
        self.server.route("GET", rf"{data}/query/?")(self._query)
        self.server.route("POST", rf"{data}/sobjects/(?P<obj>\w+)/?")(self._create)
        self.server.route("POST", r"/services/Soap/u/(?P<v>\d+\.\d+)")(self._soap_login)

    # -- lifecycle and seeding --------------------------------------------------------------

    def reset(self) -> None:
        """Forget every record, session and request: a fresh org on the same server, so a
        test module can share one server (stopping one takes half a second)."""
        self.tokens = {self.token}
        self.records: dict[str, dict[str, Obj]] = {obj: {} for obj in _PREFIX}
        self._ids = itertools.count(1)
        self._lose_next_reply = False
        self.server.requests.clear()

    def expire(self, token: str) -> None:
        """The session ends (a logout, a timeout, a revoked token)."""
        self.tokens.discard(token)

    def lose_next_create_reply(self) -> None:
        """Insert the next record but answer 500, as an insert whose reply was lost."""
        self._lose_next_reply = True

    def add(self, obj: str, **values: Any) -> str:
        ident = f"{_PREFIX[obj]}RO{next(self._ids):010d}AAA"
        record = {"Id": ident, "CreatedDate": _now(), **values}
        if obj in ("Contact", "User"):
            record["Name"] = " ".join(
                p for p in (values.get("FirstName"), values.get("LastName")) if p
            )
        if obj == "Opportunity":
            record.setdefault("IsClosed", values.get("StageName") in ("Closed Won", "Closed Lost"))
        self.records[obj][ident] = record
        return ident

    # -- REST -------------------------------------------------------------------------------

    def _query(self, req: Recorded, match: re.Match[str]) -> Reply:
        refused = self._auth(req)
        if refused:
            return refused
        soql = (req.query.get("q") or [""])[0]
        try:
            query = parse(soql)
            self._check(query.obj, query.paths(), soql)
        except SoqlError as exc:
            return _error(400, exc.code, str(exc))
        rows = [
            r
            for r in self.records[query.obj].values()
            if query.matches(partial(self._get, query.obj, r))
        ]
        if query.order:
            key = partial(self._sort_key, query.obj, query.order)
            rows.sort(key=key, reverse=query.descending)
        rows = rows[: query.limit] if query.limit is not None else rows
        records = [self._shape(query, r, match["v"]) for r in rows]
        return Reply(200, {"totalSize": len(records), "done": True, "records": records})

    def _create(self, req: Recorded, match: re.Match[str]) -> Reply:
        refused = self._auth(req)
        if refused:
            return refused
        obj, values = match["obj"], req.json() or {}
        if obj not in self.records:
            return _error(404, "NOT_FOUND", f"The requested resource does not exist: {obj}")
        problem = self._invalid(obj, values)
        if problem:
            return _error(400, *problem)
        ident = self.add(obj, **values)
        if self._lose_next_reply:
            self._lose_next_reply = False
            return _error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred.")
        return Reply(201, {"id": ident, "success": True, "errors": []})

    def _soap_login(self, req: Recorded, match: re.Match[str]) -> Reply:
        sent = dict(_LOGIN_FIELD.findall(req.body.decode()))
        if self.login is None or (sent.get("username"), sent.get("password")) != self.login:
            return Reply(500, raw=_fault(), headers={"Content-Type": "text/xml"})
        token = f"00DRO0000000001!session.{next(self._ids)}"
        self.tokens.add(token)
        server_url = f"{self.url}/services/Soap/u/{match['v']}/00DRO0000000001"
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
            f'"http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com">'
            f"<soapenv:Body><loginResponse><result><passwordExpired>false</passwordExpired>"
            f"<serverUrl>{server_url}</serverUrl><sessionId>{token}</sessionId>"
            f"<userId>005RO0000000001AAA</userId></result></loginResponse></soapenv:Body>"
            f"</soapenv:Envelope>"
        )
        return Reply(200, raw=body.encode(), headers={"Content-Type": "text/xml"})

    # -- helpers ----------------------------------------------------------------------------

    def _auth(self, req: Recorded) -> Reply | None:
        header = req.headers.get("authorization", "")
        if header.removeprefix("Bearer ") in self.tokens and header.startswith("Bearer "):
            return None
        return _error(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def _check(self, obj: str, paths: Iterable[str], soql: str) -> None:
        for path in paths:
            target, field = obj, path
            *hops, field = path.split(".")
            for hop in hops:
                relation = _RELATIONS.get((target, hop))
                if relation is None:
                    raise SoqlError(
                        f"Didn't understand relationship '{hop}' in field path. "
                        f"Query: {soql[:120]}",
                        "INVALID_FIELD",
                    )
                target = relation[1]
            if field not in self.fields[target]:
                raise SoqlError(
                    f"\n{soql[:120]}\n^\nERROR at Row:1:Column:1\nNo such column "
                    f"'{field}' on entity '{target}'. If you are attempting to use a "
                    "custom field, be sure to append the '__c' after the custom field"
                    " name.",
                    "INVALID_FIELD",
                )

    def _sort_key(self, obj: str, path: str, record: Obj) -> tuple[bool, str]:
        value = self._get(obj, record, path)
        return value is None, str(value or "")  # nulls last, as Salesforce sorts by default

    def _get(self, obj: str, record: Obj | None, path: str) -> Any:
        head, _, rest = path.partition(".")
        if record is None:
            return None
        if not rest:
            return record.get(head)
        id_field, target = _RELATIONS[(obj, head)]
        return self._get(target, self.records[target].get(record.get(id_field) or ""), rest)

    def _shape(self, query: Query, record: Obj, version: str) -> Obj:
        """A row as Salesforce returns it: ``attributes``, and related records nested."""
        return self._nest(query.obj, record, [f.split(".") for f in query.fields], version)

    def _nest(self, obj: str, record: Obj, paths: list[list[str]], version: str) -> Obj:
        url = f"/services/data/v{version}/sobjects/{obj}/{record['Id']}"
        shaped: Obj = {"attributes": {"type": obj, "url": url}}
        for path in paths:
            if len(path) == 1:
                shaped[path[0]] = record.get(path[0])
        for hop in dict.fromkeys(p[0] for p in paths if len(p) > 1):
            id_field, target = _RELATIONS[(obj, hop)]
            related = self.records[target].get(record.get(id_field) or "")
            inner = [p[1:] for p in paths if len(p) > 1 and p[0] == hop]
            shaped[hop] = None if related is None else self._nest(target, related, inner, version)
        return shaped

    def _invalid(self, obj: str, values: Obj) -> tuple[str, str] | None:
        for name in values:
            if name not in self.fields[obj] or name in ("Id", "CreatedDate", "Name"):
                return "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj}"
        for name, allowed in _PICKLISTS.items():
            if name in values and values[name] not in allowed:
                return (
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"bad value for restricted picklist field: {values[name]}",
                )
        refs = {"WhoId": ("Contact",), "WhatId": ("Account", "Opportunity"), "OwnerId": ("User",)}
        for name, kinds in refs.items():
            if values.get(name) and not any(values[name] in self.records[k] for k in kinds):
                return "INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {name}"
        return None


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status, [{"message": message, "errorCode": code}])


def _fault() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
        b'"http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com">'
        b"<soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode><detail>"
        b"<sf:LoginFault><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode><sf:exceptionMessage>"
        b"Invalid username, password, security token; or user locked out.</sf:exceptionMessage>"
        b"</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "+0000")
