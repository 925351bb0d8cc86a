"""The CRM port's contract: the fake, HubSpot and Salesforce (each through its official SDK,
against its stand-in on loopback) pass the same assertions. Then real-only tests check the exact
requests each adapter sends and how it fails, against HubSpot's and Salesforce's documented
shapes in ../shared/fixtures/crm (read in place; those tests skip without ../shared)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import pytest
import requests
from pydantic import SecretStr
from requests.adapters import HTTPAdapter

from recoup.adapters.fake.crm import MATCH_CONFIDENCE, FakeCrm
from recoup.adapters.fake.ledger import MemoryLedger
from recoup.adapters.hubspot import HubSpotCrm, Properties
from recoup.adapters.hubspot.engagements import marker
from recoup.adapters.retry import Backoff
from recoup.adapters.salesforce import Fields, SalesforceCrm
from recoup.domain import models as m
from recoup.domain.errors import PermanentPortError, TransientPortError, UnknownRecordError
from recoup.ports import CrmPort
from recoup.testing.hubspot_api import ALL_SCOPES, HubSpotApi
from recoup.testing.salesforce_api import SalesforceApi
from recoup.testing.vendor_server import Reply

FAST = Backoff(attempts=3, base=0.001, cap=0.01)
NOW = datetime(2026, 2, 2, 15, 30, tzinfo=UTC)
CASES = "https://recoup.example.test/cases/"
SF_CUSTOM = {"Account": {"Recoup_Billing_Ref__c", "Recoup_Tier__c"}, "Task": {"Recoup_Call_Id__c"}}


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    company: str
    email: str
    phone: str  # E.164; the real CRMs store it as a user typed it
    typed_phone: str
    ref: str
    owner: str
    tier: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


ANA = Person(
    "Ana",
    "Diaz",
    "Diaz Studio",
    "ana@diaz.example",
    "+14155550100",
    "(415) 555-0100",
    "cus_ana",
    "olivia@seller.example",
    "gold",
)
BO = Person(
    "Bo",
    "Lind",
    "Lind AB",
    "bo@lind.example",
    "+14155550111",
    "415.555.0111",
    "cus_bo",
    "omar@seller.example",
    "standard",
)


class Harness(Protocol):
    crm: CrmPort

    def seed(self, who: Person) -> str:
        """Put ``who`` in the CRM; the account ID a match must return."""
        ...

    def written(self) -> tuple[int, int]:
        """(notes, follow-up tasks) the CRM holds."""
        ...


class FakeHarness:
    def __init__(self) -> None:
        self.ledger = MemoryLedger()
        self.crm = FakeCrm(self.ledger)

    def seed(self, who: Person) -> str:
        ident = f"acc_{who.ref}_{len(self.ledger.items('account'))}"
        self.crm.add_account(
            m.Account(
                account_id=ident,
                name=who.name,
                company=who.company,
                tier=who.tier,
                email=who.email,
                phone=who.phone,
                owner=who.owner,
                billing_customer_ref=who.ref,
            )
        )
        return ident

    def written(self) -> tuple[int, int]:
        notes = len(self.ledger.items("crm_note"))
        return notes, notes  # the fake's one record stands for the note and its task


class HubSpotHarness:
    def __init__(self, api: HubSpotApi, **options: Any) -> None:
        self.api = api
        self.crm = HubSpotCrm(
            SecretStr(api.token),
            base_url=api.url,
            case_url_base=CASES,
            backoff=FAST,
            now=lambda: NOW,
            **options,
        )

    def seed(self, who: Person) -> str:
        owner = self.api.add_owner(who.owner, who.first, "Owner")
        company = self.api.add_company(
            name=who.company, recoup_tier=who.tier.title(), hubspot_owner_id=owner
        )
        contact = self.api.add_contact(
            company,
            firstname=who.first,
            lastname=who.last,
            email=who.email,
            phone=who.typed_phone,
            recoup_billing_ref=who.ref,
        )
        return f"contact:{contact}"

    def written(self) -> tuple[int, int]:
        return len(self.api.objects["notes"]), len(self.api.objects["tasks"])


class SalesforceHarness:
    def __init__(self, api: SalesforceApi, **options: Any) -> None:
        self.api = api
        options.setdefault("fields", Fields(tier="Recoup_Tier__c"))
        self.crm = SalesforceCrm(
            api.url,
            SecretStr(api.token),
            case_url_base=CASES,
            backoff=FAST,
            session=trusting(api),
            now=lambda: NOW,
            **options,
        )

    def seed(self, who: Person) -> str:
        owner = self.api.add("User", FirstName=who.first, LastName="Owner", Email=who.owner)
        account = self.api.add(
            "Account",
            Name=who.company,
            OwnerId=owner,
            Recoup_Billing_Ref__c=who.ref,
            Recoup_Tier__c=who.tier.title(),
        )
        return self.api.add(
            "Contact",
            FirstName=who.first,
            LastName=who.last,
            Email=who.email,
            Phone=who.typed_phone,
            AccountId=account,
            OwnerId=owner,
        )

    def written(self) -> tuple[int, int]:
        ids = [t.get("Recoup_Call_Id__c", "") for t in self.api.records["Task"].values()]
        follow_ups = sum(1 for i in ids if i.endswith(":follow-up"))
        return len(ids) - follow_ups, follow_ups


def trusting(api: SalesforceApi) -> requests.Session:
    """A session that trusts the stand-in's CA and ignores REQUESTS_CA_BUNDLE."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(api.server.ca_path)
    return session


def write_back(key: str, account_id: str, **changes: Any) -> m.WriteBack:
    values: dict[str, Any] = {
        "key": key,
        "case_id": "case_7",
        "account_id": account_id,
        "invoice_ref": "in_42",
        "outcome": m.Outcome.PROMISE_RECORDED,
        "promise_date": date(2026, 2, 6),
        "next_action": "Remind on Feb 5",
        "summary": "Will pay Friday & asks for a receipt.",
    }
    return m.WriteBack(**{**values, **changes})


@pytest.fixture(scope="module")
def hubspot_api() -> Iterator[HubSpotApi]:
    """One HubSpot stand-in per module, reset for each test (stopping a server is slow)."""
    with HubSpotApi() as api:
        yield api


@pytest.fixture(scope="module")
def salesforce_api() -> Iterator[SalesforceApi]:
    with SalesforceApi(custom_fields=SF_CUSTOM) as api:
        yield api


@pytest.fixture(params=["fake", "hubspot", "salesforce"])
def harness(request: pytest.FixtureRequest) -> Harness:
    if request.param == "fake":
        return FakeHarness()
    if request.param == "hubspot":
        return request.getfixturevalue("hubspot")  # type: ignore[no-any-return]
    return request.getfixturevalue("salesforce")  # type: ignore[no-any-return]


# -- the contract ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probe", "matched_on"),
    [
        (("cus_ana", "bo@lind.example", "+14155550111", "Bo Lind"), "customer_ref"),
        (("cus_none", "ANA@diaz.example", "+14155550111", "Bo Lind"), "email"),
        ((None, "nobody@example.com", "+14155550100", "Bo Lind"), "phone"),
        ((None, None, "+14155550199", "ana diaz"), "name"),
    ],
)
def test_matches_by_each_key_with_its_confidence(
    harness: Harness, probe: tuple[str | None, ...], matched_on: str
) -> None:
    ana = harness.seed(ANA)
    harness.seed(BO)
    found = harness.crm.match_account(*probe)
    assert found is not None
    assert (found.matched_on, found.confidence) == (matched_on, MATCH_CONFIDENCE[matched_on])
    got = found.record
    assert got.account_id == ana
    assert (got.name, got.company, got.email, got.phone) == (
        ANA.name,
        ANA.company,
        ANA.email,
        ANA.phone,
    )
    assert (got.owner, got.tier, got.billing_customer_ref) == (ANA.owner, ANA.tier, ANA.ref)


def test_a_stranger_matches_nothing(harness: Harness) -> None:
    harness.seed(ANA)
    assert harness.crm.match_account("cus_x", "x@example.com", "+14155550199", "No One") is None
    assert harness.crm.match_account(None, None, None, None) is None
    assert harness.crm.match_account("", "", "", "") is None


def test_the_same_account_wins_every_time(harness: Harness) -> None:
    first = harness.seed(ANA)
    harness.seed(ANA)  # a duplicate record with the same email: the older one is the answer
    for _ in range(2):
        found = harness.crm.match_account(None, ANA.email, None, None)
        assert found is not None
        assert found.record.account_id == first


def test_write_back_happens_once_per_call_id(harness: Harness) -> None:
    ana = harness.seed(ANA)
    first = harness.crm.record_disposition(write_back("case_7:call-1", ana))
    again = harness.crm.record_disposition(write_back("case_7:call-1", ana, summary="Changed"))
    assert (first.key, first.system, first.duplicate) == ("case_7:call-1", "crm", False)
    assert again.model_dump() == {**first.model_dump(), "duplicate": True}
    assert harness.written() == (1, 1)
    other = harness.crm.record_disposition(write_back("case_7:call-2", ana))
    assert (other.duplicate, other.provider_id != first.provider_id) == (False, True)
    assert harness.written() == (2, 2)


# -- HubSpot: exact requests and failures ---------------------------------------------------


@pytest.fixture
def hubspot(hubspot_api: HubSpotApi) -> HubSpotHarness:
    hubspot_api.reset()
    return HubSpotHarness(hubspot_api)


def hubspot_fixture(shared_dir: Path) -> dict[str, Any]:
    path = shared_dir / "fixtures" / "crm" / "hubspot_object_shapes.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_hubspot_search_request_and_auth(hubspot: HubSpotHarness) -> None:
    ana = hubspot.seed(ANA)
    found = hubspot.crm.match_account("cus_ana", None, None, None)
    assert found is not None
    assert found.record.account_id == ana
    search, contact, company, owner = hubspot.api.server.requests
    assert (search.method, search.path) == ("POST", "/crm/v3/objects/contacts/search")
    assert search.headers["authorization"] == f"Bearer {hubspot.api.token}"
    assert search.json()["filterGroups"] == [
        {"filters": [{"propertyName": "recoup_billing_ref", "operator": "EQ", "value": "cus_ana"}]}
    ]
    assert search.json()["sorts"] == [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    assert (contact.method, contact.path) == ("GET", f"/crm/v3/objects/contacts/{ana[8:]}")
    assert contact.query["associations"] == ["companies"]
    assert "recoup_do_not_call" in contact.query["properties"]
    assert company.path.startswith("/crm/v3/objects/companies/")
    assert owner.path.startswith("/crm/v3/owners/")


def test_hubspot_reads_the_documented_shapes(hubspot: HubSpotHarness, shared_dir: Path) -> None:
    shapes = hubspot_fixture(shared_dir)
    api = hubspot.api
    owner = api.add_owner("carla@biglytics.example", "Carla", "Seller")
    company = api.add_company(
        **shapes["company_create_example"]["properties"],
        hubspot_owner_id=owner,
        recoup_billing_ref="cus_big",
        recoup_segment="Mid_Market",
    )
    person = dict(shapes["contact_example"]["properties"])
    contact = api.add_contact(
        company, **person, hs_timezone="america_slash_new_york", recoup_do_not_call="true"
    )
    by_phone = hubspot.crm.match_account(None, None, "+18779290687", None)
    assert by_phone is not None
    assert by_phone.matched_on == "phone"
    account = by_phone.record
    assert account.account_id == f"contact:{contact}"
    assert (account.name, account.company, account.phone) == (
        "Bryan Cooper",
        "Biglytics",
        "+18779290687",
    )
    assert (account.timezone, account.segment, account.owner) == (
        "America/New_York",
        "mid_market",
        "carla@biglytics.example",
    )
    assert (account.opted_out, account.consent_to_call) == (True, True)
    by_ref = hubspot.crm.match_account("cus_big", None, None, None)  # the ref is the company's
    assert by_ref is not None
    assert by_ref.record.account_id == f"contact:{contact}"
    lonely = api.add_company(name="Lonely LLC", recoup_billing_ref="cus_lonely")
    alone = hubspot.crm.match_account("cus_lonely", None, None, None)
    assert alone is not None
    assert alone.record.account_id == f"company:{lonely}"
    assert (alone.record.name, alone.record.company) == ("Lonely LLC", "Lonely LLC")


def test_hubspot_note_and_task_requests(hubspot: HubSpotHarness, shared_dir: Path) -> None:
    shapes = hubspot_fixture(shared_dir)
    type_ids = shapes["association_type_ids_HUBSPOT_DEFINED"]
    api = hubspot.api
    ana = hubspot.seed(ANA)
    contact = ana.split(":")[1]
    company = api.linked("contacts", contact, "companies")[0]
    api.add_deal(contact, company, dealname="Old", dealstage="closedwon")
    deal = api.add_deal(
        contact, company, **shapes["deal_create_example"]["properties"] | {"hubspot_owner_id": ""}
    )
    receipt = hubspot.crm.record_disposition(write_back("case_7:call-1", ana))
    note_search, task_search = api.server.calls("POST", r".*/(notes|tasks)/search")
    token = {
        "propertyName": "hs_note_body",
        "operator": "CONTAINS_TOKEN",
        "value": marker("case_7:call-1"),
    }
    assert note_search.json()["filterGroups"] == [{"filters": [token]}]
    assert task_search.json()["filterGroups"][0]["filters"][0]["propertyName"] == "hs_task_body"
    (note_req,) = api.server.calls("POST", "/crm/v3/objects/notes")
    (task_req,) = api.server.calls("POST", "/crm/v3/objects/tasks")
    note, task = note_req.json(), task_req.json()
    assert set(note) == set(shapes["note_create_example"]) == {"properties", "associations"}
    assert set(note["properties"]) == set(shapes["note_create_example"]["properties"])
    assert set(task["properties"]) == set(shapes["task_create_example"]["properties"])
    owner = api.objects["companies"][company]["properties"]["hubspot_owner_id"]
    assert note["properties"]["hubspot_owner_id"] == task["properties"]["hubspot_owner_id"] == owner
    assert note["properties"]["hs_timestamp"] == "2026-02-02T15:30:00.000Z"
    body = note["properties"]["hs_note_body"]
    for part in (
        "Promise recorded",
        "Will pay Friday &amp; asks for a receipt.",
        "2026-02-06",
        "Remind on Feb 5",
        "case_7:call-1",
        marker("case_7:call-1"),
        f'href="{CASES}case_7"',
    ):
        assert part in body
    links = {(a["to"]["id"], a["types"][0]["associationTypeId"]) for a in note["associations"]}
    assert links == {
        (contact, type_ids["note_to_contact"]),
        (company, type_ids["note_to_company"]),
        (deal, type_ids["note_to_deal"]),
    }
    task_links = {a["types"][0]["associationTypeId"] for a in task["associations"]}
    assert task_links == {type_ids[f"task_to_{k}"] for k in ("contact", "company", "deal")}
    props = task["properties"]
    assert (props["hs_timestamp"], props["hs_task_status"]) == (
        "2026-02-06T09:00:00.000Z",
        "NOT_STARTED",
    )
    assert props["hs_task_priority"] in shapes["enums"]["hs_task_priority"]
    assert props["hs_task_type"] in shapes["enums"]["hs_task_type"]
    assert f"{CASES}case_7" in props["hs_task_body"]
    assert receipt.provider_id == next(iter(api.objects["notes"]))


def test_hubspot_call_id_in_a_custom_property() -> None:
    with HubSpotApi(custom_properties={"recoup_call_id"}) as api:
        hub = HubSpotHarness(api, properties=Properties(call_id="recoup_call_id"))
        ana = hub.seed(ANA)
        hub.crm.record_disposition(write_back("case_7:call-1", ana))
        assert hub.crm.record_disposition(write_back("case_7:call-1", ana)).duplicate
        search = api.server.calls("POST", r".*/notes/search")[0].json()
        wanted = {"propertyName": "recoup_call_id", "operator": "EQ", "value": "case_7:call-1"}
        assert search["filterGroups"] == [{"filters": [wanted]}]
        (note,) = api.objects["notes"].values()
        assert note["properties"]["recoup_call_id"] == "case_7:call-1"
        assert hub.written() == (1, 1)


def test_hubspot_rate_limit_then_success(hubspot: HubSpotHarness) -> None:
    hubspot.seed(ANA)
    hubspot.api.server.fail_next(
        Reply(429, {"status": "error", "errorType": "RATE_LIMIT"}, headers={"Retry-After": "0.01"})
    )
    assert hubspot.crm.match_account(None, ANA.email, None, None) is not None
    searches = hubspot.api.server.calls("POST", r".*/contacts/search")
    assert len(searches) == 2


def test_hubspot_failures_are_typed(hubspot: HubSpotHarness) -> None:
    server = hubspot.api.server
    server.fail_next(Reply(503, {"status": "error", "message": "down"}), times=3)
    with pytest.raises(TransientPortError, match="503"):
        hubspot.crm.match_account(None, ANA.email, None, None)
    assert len(server.requests) == 3  # FAST allows three attempts
    server.fail_next(
        Reply(
            400,
            {
                "status": "error",
                "category": "VALIDATION_ERROR",
                "message": "bad filter for ana@diaz.example",
            },
        )
    )
    with pytest.raises(PermanentPortError) as refused:
        hubspot.crm.match_account(None, ANA.email, None, None)
    assert "ana@diaz.example" not in str(refused.value)  # vendor text is masked
    hubspot.api.expired = True
    with pytest.raises(PermanentPortError, match="RECOUP_HUBSPOT_ACCESS_TOKEN") as expired:
        hubspot.crm.match_account(None, ANA.email, None, None)
    assert hubspot.api.token not in str(expired.value)


def test_hubspot_missing_scope_is_named() -> None:
    with HubSpotApi(scopes=ALL_SCOPES - {"crm.objects.owners.read"}) as api:
        hub = HubSpotHarness(api)
        hub.seed(ANA)
        with pytest.raises(PermanentPortError, match=r"crm\.objects\.owners\.read"):
            hub.crm.match_account("cus_ana", None, None, None)


def test_hubspot_never_writes_twice(hubspot: HubSpotHarness) -> None:
    api = hubspot.api
    ana = hubspot.seed(ANA)
    api.lose_next_create_reply()  # the note is stored, the answer lost
    with pytest.raises(TransientPortError):
        hubspot.crm.record_disposition(write_back("case_7:call-1", ana))
    assert len(api.server.calls("POST", "/crm/v3/objects/notes")) == 1  # not retried blindly
    again = hubspot.crm.record_disposition(write_back("case_7:call-1", ana))
    assert (again.duplicate, again.provider_id) == (True, next(iter(api.objects["notes"])))
    assert hubspot.written() == (1, 1)
    api.server.fail_next(Reply(429, {"status": "error"}))  # refused: safe to send again
    hubspot.crm.record_disposition(write_back("case_7:call-2", ana))
    assert hubspot.written() == (2, 2)


def test_hubspot_unknown_account(hubspot: HubSpotHarness) -> None:
    with pytest.raises(UnknownRecordError):
        hubspot.crm.record_disposition(write_back("case_7:call-1", "contact:999999"))
    with pytest.raises(UnknownRecordError):
        hubspot.crm.record_disposition(write_back("case_7:call-1", "acc_1"))


# -- Salesforce: exact requests and failures ------------------------------------------------


@pytest.fixture
def salesforce(salesforce_api: SalesforceApi) -> SalesforceHarness:
    salesforce_api.reset()
    return SalesforceHarness(salesforce_api)


def salesforce_fixture(shared_dir: Path) -> dict[str, Any]:
    path = shared_dir / "fixtures" / "crm" / "salesforce_object_shapes.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_salesforce_query_request_and_auth(salesforce: SalesforceHarness) -> None:
    api = salesforce.api
    salesforce.seed(ANA)
    oddly = api.add("Contact", FirstName="Seán", LastName="O'Brien", Email="sean@example.com")
    found = salesforce.crm.match_account(None, None, None, "Seán O'Brien")
    assert found is not None
    assert found.record.account_id == oddly
    query = api.server.requests[-1]
    assert (query.method, query.path) == ("GET", "/services/data/v59.0/query/")
    assert query.headers["authorization"] == f"Bearer {api.token}"
    assert "WHERE Name = 'Seán O\\'Brien'" in query.query["q"][0]
    assert salesforce.crm.match_account(None, None, None, "x' OR Name != 'y") is None


def test_salesforce_tasks_and_their_links(salesforce: SalesforceHarness, shared_dir: Path) -> None:
    shapes = salesforce_fixture(shared_dir)
    api = salesforce.api
    ana = salesforce.seed(ANA)
    account = api.records["Contact"][ana]["AccountId"]
    api.add(
        "Opportunity", Name="Won", StageName="Closed Won", AccountId=account, CloseDate="2026-01-01"
    )
    opportunity = api.add(
        "Opportunity",
        Name="Renewal",
        StageName="Prospecting",
        AccountId=account,
        CloseDate="2026-03-01",
    )
    receipt = salesforce.crm.record_disposition(write_back("case_7:call-1", ana))
    lookup = api.server.calls("GET", r".*/query/?")[0].query["q"][0]
    assert "FROM Task WHERE Recoup_Call_Id__c IN ('case_7:call-1','case_7:call-1:follow-up')" in (
        lookup
    )
    log, follow = (r.json() for r in api.server.calls("POST", r".*/sobjects/Task/?"))
    allowed = set(shapes["task_fields_commonly_written"]) | {"Recoup_Call_Id__c", "OwnerId"}
    assert set(log) <= allowed
    assert set(follow) <= allowed
    assert (
        (log["WhoId"], log["WhatId"]) == (follow["WhoId"], follow["WhatId"]) == (ana, opportunity)
    )
    owner = api.records["Contact"][ana]["OwnerId"]
    assert (follow["OwnerId"], follow["ActivityDate"], follow["Status"]) == (
        owner,
        "2026-02-06",
        "Not Started",
    )
    assert (log["Status"], log["TaskSubtype"], log["ActivityDate"]) == (
        "Completed",
        "Call",
        "2026-02-02",
    )
    assert (log["Recoup_Call_Id__c"], follow["Recoup_Call_Id__c"]) == (
        "case_7:call-1",
        "case_7:call-1:follow-up",
    )
    for part in (
        "Promise recorded",
        "Will pay Friday",
        "2026-02-06",
        "Remind on Feb 5",
        f"{CASES}case_7",
        "case_7:call-1",
    ):
        assert part in log["Description"]
    assert receipt.provider_id == next(iter(api.records["Task"]))
    reply = api.server.calls("POST")[0]
    assert reply.path == "/services/data/v59.0/sobjects/Task/"


def test_salesforce_stand_in_answers_in_documented_shapes(
    salesforce: SalesforceHarness, shared_dir: Path
) -> None:
    shapes = salesforce_fixture(shared_dir)
    sf = salesforce.crm._client()  # the SDK itself, to see the stand-in's raw answers
    created = sf.Task.create({"Subject": "x"})
    assert set(created) == set(shapes["create_success"])
    account = salesforce.api.add("Account", Name="Test 1")
    rows = sf.query("SELECT Name FROM Account")
    example = shapes["query_response_example"]
    assert set(rows) == set(example)
    assert rows["records"][0]["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v59.0/sobjects/Account/{account}",
    }
    assert set(rows["records"][0]) == set(example["records"][0])
    assert account.startswith(next(k for k, v in shapes["id_prefixes"].items() if v == "Account"))


def test_salesforce_account_without_contacts(salesforce: SalesforceHarness) -> None:
    api = salesforce.api
    account = api.add("Account", Name="Lonely LLC", Recoup_Billing_Ref__c="cus_lonely")
    found = salesforce.crm.match_account("cus_lonely", None, None, None)
    assert found is not None
    assert found.record.account_id == account
    salesforce.crm.record_disposition(write_back("case_7:call-1", account))
    log = api.server.calls("POST")[0].json()
    assert (log.get("WhoId"), log["WhatId"]) == (None, account)


def test_salesforce_missing_custom_field_is_named() -> None:
    with SalesforceApi(custom_fields={"Account": {"Recoup_Billing_Ref__c"}}) as api:
        sf = SalesforceHarness(api)
        ana = sf.seed(ANA)
        with pytest.raises(PermanentPortError, match=r"no field Recoup_Call_Id__c.*admin"):
            sf.crm.record_disposition(write_back("case_7:call-1", ana))
        with pytest.raises(PermanentPortError, match="no field Recoup_Tier__c"):
            SalesforceHarness(api, fields=Fields(tier="Recoup_Tier__c")).crm.match_account(
                "cus_ana", None, None, None
            )


def test_salesforce_failures_are_typed(salesforce: SalesforceHarness) -> None:
    server = salesforce.api.server
    salesforce.seed(ANA)
    busy = [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "ConcurrentRequests"}]
    server.fail_next(Reply(403, busy))
    assert salesforce.crm.match_account(None, ANA.email, None, None) is not None
    server.fail_next(Reply(503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "down"}]), 3)
    with pytest.raises(TransientPortError):
        salesforce.crm.match_account(None, ANA.email, None, None)
    server.fail_next(
        Reply(
            400,
            [{"errorCode": "MALFORMED_QUERY", "message": "unexpected token: 'ana@diaz.example'"}],
        )
    )
    with pytest.raises(PermanentPortError, match="MALFORMED_QUERY") as refused:
        salesforce.crm.match_account(None, ANA.email, None, None)
    assert "ana@diaz.example" not in str(refused.value)
    salesforce.api.expire(salesforce.api.token)
    with pytest.raises(PermanentPortError, match="RECOUP_SALESFORCE_ACCESS_TOKEN") as expired:
        salesforce.crm.match_account(None, ANA.email, None, None)
    assert salesforce.api.token not in str(expired.value)


def test_salesforce_never_inserts_twice(salesforce: SalesforceHarness) -> None:
    api = salesforce.api
    ana = salesforce.seed(ANA)
    api.lose_next_create_reply()
    with pytest.raises(TransientPortError):
        salesforce.crm.record_disposition(write_back("case_7:call-1", ana))
    assert len(api.server.calls("POST")) == 1
    again = salesforce.crm.record_disposition(write_back("case_7:call-1", ana))
    assert (again.duplicate, again.provider_id) == (True, next(iter(api.records["Task"])))
    assert salesforce.written() == (1, 1)


class _ToStandIn(HTTPAdapter):
    """Sends login.salesforce.com's requests to the stand-in (the SDK hard-codes that host)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        request.url = (request.url or "").replace("https://login.salesforce.com", self._url)
        return super().send(request, **kwargs)


def test_salesforce_password_login_and_relogin() -> None:
    login = ("recoup@acme.example", "hunter2" + "TOKEN123")
    with SalesforceApi(custom_fields=SF_CUSTOM, login=login) as api:
        session = trusting(api)
        session.mount("https://login.salesforce.com", _ToStandIn(api.url))
        crm = SalesforceCrm(
            username=login[0],
            password=SecretStr("hunter2"),
            security_token=SecretStr("TOKEN123"),
            backoff=FAST,
            session=session,
        )
        api.add("Contact", FirstName="Ana", LastName="Diaz", Email=ANA.email)
        assert crm.match_account(None, ANA.email, None, None) is not None
        api.tokens.clear()  # the session expires: simple-salesforce logs in again by itself
        assert crm.match_account(None, ANA.email, None, None) is not None
        assert len(api.server.calls("POST", r"/services/Soap/u/.*")) == 2
        wrong = SalesforceCrm(
            username=login[0],
            password=SecretStr("nope"),
            security_token=SecretStr("TOKEN123"),
            backoff=FAST,
            session=session,
        )
        with pytest.raises(PermanentPortError, match=r"INVALID_LOGIN.*RECOUP_SALESFORCE_PASSWORD"):
            wrong.match_account(None, ANA.email, None, None)


def test_unreachable_or_slow_vendors_are_transient(
    hubspot: HubSpotHarness, salesforce: SalesforceHarness
) -> None:
    hubspot.seed(ANA)
    salesforce.seed(ANA)
    slow = Reply(200, {}, delay=0.3)
    hub = HubSpotCrm(SecretStr("t"), base_url=hubspot.api.url, backoff=FAST, timeout=0.1)
    hubspot.api.server.fail_next(slow, times=3)
    with pytest.raises(TransientPortError, match="unreachable"):
        hub.match_account(None, ANA.email, None, None)
    sf = SalesforceCrm(
        salesforce.api.url,
        SecretStr(salesforce.api.token),
        backoff=FAST,
        session=trusting(salesforce.api),
        timeout=0.1,
    )
    salesforce.api.server.fail_next(slow, times=3)
    with pytest.raises(TransientPortError, match="unreachable"):
        sf.match_account(None, ANA.email, None, None)
    closed = "http://127.0.0.1:9"  # discard port: nothing listens
    with pytest.raises(TransientPortError):
        HubSpotCrm(SecretStr("t"), base_url=closed, backoff=FAST).match_account(
            "c", None, None, None
        )
    with pytest.raises(TransientPortError):
        SalesforceCrm("https://127.0.0.1:9", SecretStr("t"), backoff=FAST).match_account(
            "c", None, None, None
        )
