"""A stand-in for HubSpot's CRM v3 API, as far as Recoup's HubSpot adapter uses it.

Stateful like the real API: contacts, companies, deals, owners, notes and tasks with their
associations; search (EQ, CONTAINS_TOKEN, HAS_PROPERTY, ORed filter groups), read by ID with
associations, batch read, owners, and engagement creation with validated association type IDs,
owners and properties. Answers use HubSpot's JSON shapes (``SimplePublicObject``,
``CollectionResponse...``, the error envelope with ``category``), so the official SDK
deserializes them. Auth is the private app's Bearer token; scopes are checked per route, so a
test can show the 403 that names a missing scope.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import phonenumbers

from recoup.testing.stand_in import StandIn, bearer_ok
from recoup.testing.vendor_server import Recorded, Reply

__all__ = ["ALL_SCOPES", "STAND_IN_TOKEN", "HubSpotApi"]

ALL_SCOPES = frozenset(
    {
        "crm.objects.contacts.read",
        "crm.objects.contacts.write",
        "crm.objects.companies.read",
        "crm.objects.deals.read",
        "crm.objects.owners.read",
    }
)
_READ_SCOPE = {
    "contacts": "crm.objects.contacts.read",
    "companies": "crm.objects.companies.read",
    "deals": "crm.objects.deals.read",
    "notes": "crm.objects.contacts.read",
    "tasks": "crm.objects.contacts.read",
}
#: associationTypeId -> (from type, to type), HUBSPOT_DEFINED.
_TYPE_IDS = {
    202: ("notes", "contacts"),
    190: ("notes", "companies"),
    214: ("notes", "deals"),
    204: ("tasks", "contacts"),
    192: ("tasks", "companies"),
    216: ("tasks", "deals"),
}
_WRITABLE = {
    "notes": {"hs_timestamp", "hs_note_body", "hubspot_owner_id", "hs_attachment_ids"},
    "tasks": {
        "hs_timestamp",
        "hs_task_body",
        "hs_task_subject",
        "hs_task_status",
        "hs_task_priority",
        "hs_task_type",
        "hubspot_owner_id",
    },
}
_ENUMS = {
    "hs_task_status": {"NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"},
    "hs_task_priority": {"NONE", "LOW", "MEDIUM", "HIGH"},
    "hs_task_type": {"EMAIL", "CALL", "TODO"},
}
STAND_IN_TOKEN = "pat-na1-stand-in"  # noqa: S105 - the stand-in's own made-up token
_TYPES = ("contacts", "companies", "deals", "notes", "tasks")
Obj = dict[str, Any]


class HubSpotApi(StandIn):
    """The stand-in: seed records with ``add_*``, read what was written in ``objects``."""

    def __init__(
        self,
        token: str = STAND_IN_TOKEN,
        custom_properties: set[str] | None = None,
        scopes: frozenset[str] = ALL_SCOPES,
    ) -> None:
        super().__init__("hubspot")
        self.token = token
        self._initial = (set(scopes), set(custom_properties or ()))
        self.reset()
        self._register()

    # -- lifecycle --------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every record and request: a fresh portal on the same server, so a test
        module can share one server (stopping one takes half a second)."""
        self.expired = False
        self.scopes, self.custom_properties = (set(v) for v in self._initial)
        self.objects: dict[str, dict[str, Obj]] = {kind: {} for kind in _TYPES}
        self.owners: dict[str, Obj] = {}
        self._links: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self._ids = itertools.count(501)
        self._lose_next_reply = False
        self.server.requests.clear()

    def lose_next_create_reply(self) -> None:
        """Store the next note or task but answer 502, as a gateway that dropped the reply."""
        self._lose_next_reply = True

    # -- seeding ----------------------------------------------------------------------------

    def add_owner(self, email: str, first: str = "", last: str = "") -> str:
        ident = str(next(self._ids))
        self.owners[ident] = {
            "id": ident,
            "email": email,
            "firstName": first,
            "lastName": last,
            "userId": int(ident) * 10,
            "type": "PERSON",
            "archived": False,
            "createdAt": _now(),
            "updatedAt": _now(),
        }
        return ident

    def add_company(self, **props: str) -> str:
        return self._store("companies", props)

    def add_contact(self, company_id: str | None = None, **props: str) -> str:
        ident = self._store("contacts", props)
        if company_id:
            self.link("contacts", ident, "companies", company_id, primary=True)
        return ident

    def add_deal(
        self, contact_id: str | None = None, company_id: str | None = None, **props: str
    ) -> str:
        closed = props.get("dealstage") in ("closedwon", "closedlost")
        ident = self._store("deals", {"hs_is_closed": str(closed).lower(), **props})
        for kind, other in (("contacts", contact_id), ("companies", company_id)):
            if other:
                self.link("deals", ident, kind, other)
        return ident

    def link(
        self,
        kind: str,
        ident: str,
        other_kind: str,
        other: str,
        primary: bool = False,
        type_id: int | None = None,
    ) -> None:
        """Associate both ways, with the v3 type labels (``contact_to_company``, ...)."""
        a, b = kind[:-1], other_kind[:-1]
        label = f"{a}_to_{b}" if primary or type_id else f"{a}_to_{b}_unlabeled"
        back = f"{b}_to_{a}" if primary or type_id else f"{b}_to_{a}_unlabeled"
        self._links.setdefault((kind, ident), []).append((other_kind, other, label))
        self._links.setdefault((other_kind, other), []).append((kind, ident, back))

    def linked(self, kind: str, ident: str, other_kind: str) -> list[str]:
        return [i for k, i, _ in self._links.get((kind, ident), []) if k == other_kind]

    def _store(self, kind: str, props: dict[str, str]) -> str:
        ident = str(next(self._ids))
        stamp = _now()
        values = {**props, "hs_object_id": ident, "createdate": stamp, "lastmodifieddate": stamp}
        for source, target in (
            ("phone", "hs_searchable_calculated_phone_number"),
            ("mobilephone", "hs_searchable_calculated_mobile_number"),
        ):
            if props.get(source):
                values[target] = _national(props[source])
        self.objects[kind][ident] = {
            "id": ident,
            "properties": values,
            "createdAt": stamp,
            "updatedAt": stamp,
            "archived": False,
        }
        return ident

    # -- routes -----------------------------------------------------------------------------

    def _register(self) -> None:
        kinds = "|".join(_TYPES)
        route = self.server.route
        route("POST", rf"/crm/v3/objects/(?P<kind>{kinds})/search")(self._guard(self._search))
        route("GET", rf"/crm/v3/objects/(?P<kind>{kinds})/(?P<id>\d+)")(self._guard(self._get))
        route("POST", r"/crm/v3/objects/(?P<kind>deals)/batch/read")(self._guard(self._batch))
        route("POST", r"/crm/v3/objects/(?P<kind>notes|tasks)")(self._guard(self._create))
        route("GET", r"/crm/v3/owners/(?P<id>\d+)")(self._guard(self._owner))

    def _guard(self, handler: Callable[[Recorded, re.Match[str]], Reply]) -> Callable[..., Reply]:
        def guarded(req: Recorded, match: re.Match[str]) -> Reply:
            if not bearer_ok(req, self.token):
                return _error(
                    401,
                    "INVALID_AUTHENTICATION",
                    "Authentication credentials not "
                    "found. This API supports OAuth 2.0 authentication.",
                )
            if self.expired:
                return _error(
                    401, "EXPIRED_AUTHENTICATION", "The OAuth token used to make this call expired."
                )
            needed = _scope(req.method, match)
            if needed not in self.scopes:
                return _error(
                    403,
                    "MISSING_SCOPES",
                    "This app hasn't been granted all required scopes to make this call.",
                    errors=[
                        {
                            "message": "One or more of the following scopes are required.",
                            "context": {"requiredGranularScopes": [needed]},
                        }
                    ],
                )
            return handler(req, match)

        return guarded

    def _search(self, req: Recorded, match: re.Match[str]) -> Reply:
        body = req.json() or {}
        kind = match["kind"]
        found = [
            o
            for o in self.objects[kind].values()
            if _matches(o["properties"], body.get("filterGroups") or [])
        ]
        found.sort(key=lambda o: int(o["id"]))
        limit = int(body.get("limit") or 10)
        wanted = body.get("properties") or ["createdate", "lastmodifieddate"]
        results = [_view(o, wanted) for o in found[:limit]]
        return Reply(200, {"total": len(found), "results": results})

    def _get(self, req: Recorded, match: re.Match[str]) -> Reply:
        kind, ident = match["kind"], match["id"]
        record = self.objects[kind].get(ident)
        if record is None:
            return _error(
                404,
                "OBJECT_NOT_FOUND",
                "Object not found.  objectId are usually numeric.",
                context={"id": [ident]},
            )
        view = _view(record, _multi(req, "properties"))
        links = _multi(req, "associations")
        if links:
            view["associations"] = {
                other: {
                    "results": [
                        {"id": i, "type": t}
                        for k, i, t in self._links.get((kind, ident), [])
                        if k == other
                    ]
                }
                for other in links
                if self.linked(kind, ident, other)
            }
        return Reply(200, view)

    def _batch(self, req: Recorded, match: re.Match[str]) -> Reply:
        body = req.json() or {}
        records = [self.objects["deals"].get(str(i.get("id"))) for i in body.get("inputs") or []]
        results = [_view(r, body.get("properties") or []) for r in records if r is not None]
        return Reply(
            200,
            {"status": "COMPLETE", "results": results, "startedAt": _now(), "completedAt": _now()},
        )

    def _owner(self, req: Recorded, match: re.Match[str]) -> Reply:
        owner = self.owners.get(match["id"])
        if owner is None:
            return _error(404, "OBJECT_NOT_FOUND", "Owner not found.")
        return Reply(200, owner)

    def _create(self, req: Recorded, match: re.Match[str]) -> Reply:
        kind = match["kind"]
        body = req.json() or {}
        props: dict[str, str] = body.get("properties") or {}
        problem = self._invalid(kind, props, body.get("associations") or [])
        if problem:
            return _error(400, "VALIDATION_ERROR", problem)
        ident = self._store(kind, props)
        for link in body.get("associations") or []:
            type_id = int(link["types"][0]["associationTypeId"])
            self.link(kind, ident, _TYPE_IDS[type_id][1], str(link["to"]["id"]), type_id=type_id)
        if self._lose_next_reply:
            self._lose_next_reply = False
            return Reply(502, {"status": "error", "message": "Bad gateway"})
        return Reply(201, self.objects[kind][ident])

    def _invalid(self, kind: str, props: dict[str, str], links: list[Obj]) -> str | None:
        unknown = set(props) - _WRITABLE[kind] - self.custom_properties
        if unknown:
            return f"Property values were not valid: {sorted(unknown)} do not exist"
        if not props.get("hs_timestamp"):
            return "hs_timestamp is required"
        for name, allowed in _ENUMS.items():
            if name in props and props[name] not in allowed:
                return f"{props[name]!r} is not a valid option for {name}"
        owner = props.get("hubspot_owner_id")
        if owner and owner not in self.owners:
            return f"{owner} is not a valid owner id"
        for link in links:
            spec = link["types"][0]
            pair = _TYPE_IDS.get(int(spec["associationTypeId"]))
            if spec.get("associationCategory") != "HUBSPOT_DEFINED" or not pair or pair[0] != kind:
                return f"invalid association type {spec}"
            if str(link["to"]["id"]) not in self.objects[pair[1]]:
                return f"{pair[1]} {link['to']['id']} does not exist"
        return None


def _matches(props: Obj, groups: list[Obj]) -> bool:
    """HubSpot search: filter groups are ORed, filters within one ANDed; strings compare
    case-insensitively; CONTAINS_TOKEN matches a whole token (``*`` as a wildcard)."""
    if not groups:
        return True
    return any(all(_test(props, f) for f in g.get("filters") or []) for g in groups)


def _test(props: Obj, flt: Obj) -> bool:
    have = props.get(flt.get("propertyName", ""))
    op, want = flt.get("operator"), str(flt.get("value", ""))
    if op == "HAS_PROPERTY":
        return have not in (None, "")
    if have is None:
        return False
    if op == "EQ":
        return str(have).strip().lower() == want.strip().lower()
    if op == "CONTAINS_TOKEN":
        pattern = re.escape(want.lower()).replace(r"\*", ".*")
        return any(re.fullmatch(pattern, t) for t in re.split(r"[^0-9a-z@.]+", str(have).lower()))
    raise ValueError(f"the HubSpot stand-in does not support operator {op}")


def _view(record: Obj, wanted: list[str]) -> Obj:
    props = record["properties"]
    keep = set(wanted) | {"hs_object_id", "createdate", "lastmodifieddate"}
    return {**record, "properties": {k: props.get(k) for k in keep if k in props}}


def _multi(req: Recorded, name: str) -> list[str]:
    return [part for value in req.query.get(name, []) for part in value.split(",") if part]


def _scope(method: str, match: re.Match[str]) -> str:
    kind = match.groupdict().get("kind")
    if kind is None:
        return "crm.objects.owners.read"
    if method == "POST" and match.re.pattern.endswith("(?P<kind>notes|tasks)"):
        return "crm.objects.contacts.write"
    return _READ_SCOPE[kind]


def _error(status: int, category: str, message: str, **extra: Any) -> Reply:
    body = {
        "status": "error",
        "message": message,
        "correlationId": "0c9d6a1e-stand-in",
        "category": category,
        **extra,
    }
    return Reply(status, body)


def _national(phone: str) -> str:
    try:
        return str(phonenumbers.parse(phone, "US").national_number)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", phone)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
