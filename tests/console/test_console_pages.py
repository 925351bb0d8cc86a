"""The console's pages over a real database of cases: sign-in, each page's contract
(selectors the browser tests rely on), roles, CSRF, security headers, the figures on the
dashboard against the reference metrics, and a resolution flowing through to the case page
and the simulated vendor's record."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from recoup.console.destinations import SimRecords
from recoup.domain.metrics import summarise
from recoup.store.facts import load_facts
from recoup.store.queue import queue_item
from recoup.store.tables import CaseRow
from recoup.store.timeline import Destinations

from ..conftest import create_pg_database, drop_pg_database, require_postgres
from .console_world import BIG_OWNER, USERS, ConsoleWorld, csrf_of, launch, parse, sign_in

TILES = ("cases", "recovered_amount", "recovered_cases", "link_open_rate",
         "link_completion_rate", "promise_kept_rate", "dispute_escalation_rate",
         "churn_avoided", "dso_days")  # fmt: skip
TABLES = ("weekly", "by-source", "by-segment", "by-owner", "by-outcome", "cohorts")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleWorld]:
    """The pages on both databases (the CSV tests run on SQLite only)."""
    tmp = tmp_path_factory.mktemp("console_pages")
    if request.param == "sqlite":
        yield from launch(tmp)
        return
    require_postgres()
    url = create_pg_database()
    try:
        yield from launch(tmp, url)
    finally:
        drop_pg_database(url)


@pytest.fixture(scope="module")
def admin(world: ConsoleWorld) -> TestClient:
    return world.client("admin")


def page(client: TestClient, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
    return parse(response.text)


def item_url(key: str, action: str = "") -> str:
    return f"/review/{quote(key, safe=':')}" + (f"/{action}" if action else "")


def kinds_of(story: Any) -> set[str]:
    """The kinds of the timeline's events (its own items, not a transcript's turns)."""
    timeline = story.one("ol", data_testid="timeline")
    return {li.attrs["data-kind"] for li in timeline.children if li.tag == "li"}


def wait_for(check: Any, what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_every_page_needs_a_session(world: ConsoleWorld) -> None:
    anonymous = world.client()
    case_id = world.case_ids[0]
    paths = ["/dashboard", "/dashboard/export/weekly.csv", "/queue", "/queue/export.csv",
             item_url(world.approval_key), "/cases", f"/cases/{case_id}",
             f"/cases/{case_id}/audit.csv", "/playbook", "/playbook/dry-run?days=30",
             "/playbook/dry-run.csv", f"/sim/billing/{case_id}:call-1"]  # fmt: skip
    for path in paths:
        response = anonymous.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next="), path
    assert anonymous.get("/").headers["location"] == "/dashboard"
    posted = anonymous.post(item_url(world.high_value_key, "take"), data={"csrf_token": "x"})
    assert posted.status_code == 303
    assert posted.headers["location"].startswith("/login")
    login = page(anonymous, "/login")
    form = login.one("form", id="login")
    assert form.all("input", name="email")
    assert form.all("input", name="password")
    assert form.one("input", name="csrf_token").attrs["type"] == "hidden"
    assert form.all("button", type="submit")


def test_sign_in_goes_where_the_person_was_going(world: ConsoleWorld) -> None:
    browser = world.client()
    first = browser.get("/queue?sort=largest")
    assert first.headers["location"] == "/login?next=%2Fqueue%3Fsort%3Dlargest"
    form = browser.get(first.headers["location"])
    assert 'name="next" value="/queue?sort=largest"' in form.text
    done = browser.post("/login", data={
        "email": USERS["finance"][0], "password": "correct horse battery staple",
        "csrf_token": csrf_of(form.text), "next": "/queue?sort=largest"})  # fmt: skip
    assert (done.status_code, done.headers["location"]) == (303, "/queue?sort=largest")


def test_a_wrong_password_shows_the_error_and_a_forged_form_is_refused(
    world: ConsoleWorld,
) -> None:
    browser = world.client()
    token = csrf_of(browser.get("/login").text)
    wrong = browser.post(
        "/login",
        data={"email": USERS["viewer"][0], "password": "not the password", "csrf_token": token},
    )
    assert wrong.status_code == 401
    assert parse(wrong.text).all(data_testid="login-error")
    assert browser.get("/dashboard").status_code == 303  # still signed out
    forged = world.client().post("/login", data={
        "email": USERS["viewer"][0], "password": "correct horse battery staple",
        "csrf_token": "guessed"})  # fmt: skip
    assert forged.status_code == 403


def test_every_page_has_the_nav_and_who_is_signed_in(
    world: ConsoleWorld, admin: TestClient
) -> None:
    for path in ("/dashboard", "/queue", "/cases", f"/cases/{world.case_ids[0]}",
                 "/playbook", item_url(world.approval_key)):  # fmt: skip
        doc = page(admin, path)
        for name in ("dashboard", "queue", "cases", "playbook"):
            assert doc.all("a", data_testid=f"nav-{name}"), (path, name)
        whoami = doc.one(data_testid="whoami").text()
        assert "admin@example.com" in whoami, path
        assert "admin" in whoami.replace("admin@example.com", ""), path


def test_dashboard_contract(admin: TestClient) -> None:
    doc = page(admin, "/dashboard")
    for name in TILES:
        assert "data-value" in doc.one(data_testid=f"metric-{name}").attrs
    for chart in ("chart-weekly", "chart-rates", "chart-cohorts", "chart-outcomes"):
        assert doc.one("canvas", id=chart)
    for name in TABLES:
        assert doc.one("table", data_testid=f"table-{name}")
        link = doc.one("a", data_testid=f"csv-{name}")
        assert link.attrs["href"].startswith(f"/dashboard/export/{name}.csv")
    data = doc.one("script", id="chart-data")
    assert data.attrs["type"] == "application/json"
    scripts = [s for s in doc.all("script") if s.attrs.get("type") != "application/json"]
    assert scripts
    assert all(s.attrs.get("src", "").startswith("/console-static/") for s in scripts)
    assert not [s for s in scripts if s.text()], "no inline script"
    cohort_heads = doc.one("table", data_testid="table-cohorts").one("thead").text()
    for heading in ("Before launch (baseline)", "Runs 1-50", "Runs 51-100", "Steady state"):
        assert heading in cohort_heads


def _expected(world: ConsoleWorld) -> dict[str, Any]:
    with world.started.db.session() as s:
        return summarise(load_facts(s), world.now)


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def test_dashboard_tiles_are_the_reference_metrics(world: ConsoleWorld, admin: TestClient) -> None:
    for _ in range(5):  # a workflow may still be writing: compare in a quiet moment
        before = _expected(world)
        doc = page(admin, "/dashboard")
        if before == _expected(world):
            break
    assert before["cases"] == len(world.case_ids)
    for name in TILES:
        value = doc.one(data_testid=f"metric-{name}").attrs["data-value"]
        expected = before[name]
        if isinstance(expected, float):
            assert float(value) == pytest.approx(expected), name
        else:
            assert value == _shown(expected), name
    filtered = page(admin, "/dashboard?source=stripe&owner=Dana+Whitfield")
    assert int(filtered.one(data_testid="metric-cases").attrs["data-value"]) < before["cases"]


def test_console_pages_send_security_headers(world: ConsoleWorld, admin: TestClient) -> None:
    for path in ("/login", "/dashboard", "/console-static/console.css"):
        headers = admin.get(path).headers
        csp = headers["content-security-policy"]
        for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                     "img-src 'self' data:", "frame-ancestors 'none'"):  # fmt: skip
            assert part in csp, (path, part)
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
    assert admin.get("/dashboard").headers["cache-control"] == "no-store"
    assert "content-security-policy" not in admin.get("/healthz").headers  # not a console page


def test_queue_and_item_pages(world: ConsoleWorld, admin: TestClient) -> None:
    doc = page(admin, "/queue")
    table = doc.one("table", data_testid="queue")
    rows = table.all("tr", data_testid="queue-item")
    keys = {r.attrs["data-key"] for r in rows}
    assert {world.approval_key, world.high_value_key} <= keys
    assert all(r.attrs["data-case"] in world.case_ids for r in rows)
    assert doc.all("a", href=item_url(world.high_value_key))
    assert doc.one(data_testid="csv-queue").attrs["href"].startswith("/queue/export.csv")
    only = page(admin, "/queue?reason=high_value&min_amount=5000")
    assert [r.attrs["data-key"] for r in only.all("tr", data_testid="queue-item")] == [
        world.high_value_key
    ]
    item = page(admin, item_url(world.high_value_key))
    assert item.all("button", data_testid="take")
    assert item.one("select", name="resolution").all("option", value="settled")
    assert item.all("textarea", name="note")
    assert item.all("input", name="promise_date")
    assert item.all("button", data_testid="resolve")
    assert not item.all("button", data_testid="approve")
    held = page(admin, item_url(world.approval_key))
    for testid in ("approve", "correct", "reject"):
        assert held.all("button", data_testid=testid)
    assert not held.all("button", data_testid="resolve")
    assert admin.get(item_url("no:such:item")).status_code == 404
    odd = admin.get("/queue?min_age_days=99999999999999999999&min_amount=NaN&sort=sideways")
    assert odd.status_code == 200  # typed nonsense narrows nothing, breaks nothing


def test_an_owner_sees_their_own_items_first(world: ConsoleWorld) -> None:
    owner = world.client("owner")
    rows = page(owner, "/queue").all("tr", data_testid="queue-item")
    assert rows[0].attrs["data-key"] == world.high_value_key
    assert rows[0].attrs.get("data-mine") == "true"
    assert all(r.attrs.get("data-mine") != "true" for r in rows[1:])
    assert USERS["owner"][1] == BIG_OWNER


def test_cases_and_case_pages(world: ConsoleWorld, admin: TestClient) -> None:
    listing = page(admin, "/cases")
    assert len(listing.one("table", data_testid="cases").all("tr", data_testid="case-row")) == len(
        world.case_ids
    )
    closed = page(admin, "/cases?status=closed").all("tr", data_testid="case-row")
    assert closed
    assert all(r.attrs["data-status"] == "closed" for r in closed)
    searched = page(admin, f"/cases?q={world.case_ids[2].rsplit(':', 1)[1]}")
    assert [r.attrs["data-case"] for r in searched.all("tr", data_testid="case-row")] == [
        world.case_ids[2]
    ]
    story = page(admin, f"/cases/{world.case_ids[2]}")  # paid through a link
    assert story.one(data_testid="case-header")
    kinds = kinds_of(story)
    assert {"trigger", "call", "write_back", "message", "status"} <= kinds
    links = [a.attrs["href"] for a in story.all("a", data_testid="destination")]
    assert links
    assert all(h.startswith("/sim/") for h in links)
    assert story.all("details")  # the call's transcript, folded
    assert story.one("table", data_testid="audit").all("tr")
    assert admin.get("/cases/case:stripe:nope").status_code == 404


def test_write_back_links_open_the_simulated_record(world: ConsoleWorld, admin: TestClient) -> None:
    story = page(admin, f"/cases/{world.case_ids[2]}")
    for link in story.all("a", data_testid="destination"):
        record = page(admin, link.attrs["href"])
        assert record.one(data_testid="sim-record")
    assert admin.get("/sim/billing/no-such-key").status_code == 404
    assert admin.get("/sim/ledger/anything").status_code == 404


def test_sim_records_are_only_for_simulated_vendors(world: ConsoleWorld) -> None:
    real = SimRecords(Destinations(billing="stripe", crm="hubspot"), world.started.world.ledger)
    assert real.record("billing", f"{world.case_ids[2]}:call-1") is None
    sim = SimRecords(Destinations(), world.started.world.ledger)
    found = sim.record("billing", f"{world.case_ids[2]}:call-1")
    assert found is not None
    assert found["record"]["case_id"] == world.case_ids[2]


def test_playbook_and_dry_run(world: ConsoleWorld, admin: TestClient) -> None:
    assert page(admin, "/playbook").one(data_testid="playbook-rules").all("section")
    doc = page(admin, "/playbook/dry-run?days=365")
    summary = doc.one(data_testid="dry-run-summary")
    rows = [
        r for r in doc.one("table", data_testid="dry-run").all("tr") if "data-action" in r.attrs
    ]
    assert len(rows) >= len(world.case_ids)  # at least each case's failed payment
    assert {r.attrs["data-action"] for r in rows} <= {"call", "review", "skip"}
    counts = [int(n.attrs["data-count"]) for n in summary.walk() if "data-count" in n.attrs]
    assert sum(counts) == len(rows)
    assert admin.get("/playbook/dry-run?days=0").status_code == 422
    as_page = admin.get("/playbook/dry-run?days=0", headers={"accept": "text/html"})
    assert as_page.status_code == 422
    assert "days" in parse(as_page.text).one(data_testid="error").text()
    missing = admin.get("/cases/case:stripe:nope", headers={"accept": "text/html"})
    assert missing.status_code == 404
    assert parse(missing.text).one(data_testid="whoami")  # a page, with the way back
    api = admin.get("/api/cases/case:stripe:nope", headers={"accept": "text/html"})
    assert api.json() == {"detail": "no case 'case:stripe:nope'"}  # the API stays JSON


def test_a_form_without_its_csrf_token_is_refused(world: ConsoleWorld, admin: TestClient) -> None:
    url = item_url(world.high_value_key, "take")
    assert admin.post(url).status_code == 403
    assert admin.post(url, data={"csrf_token": "forged"}).status_code == 403
    assert admin.post("/logout", data={"csrf_token": "forged"}).status_code == 403


def test_a_viewer_reads_but_cannot_work_the_queue(world: ConsoleWorld) -> None:
    viewer = world.client("viewer")
    item = viewer.get(item_url(world.high_value_key))
    assert item.status_code == 200
    assert not parse(item.text).all("button", data_testid="resolve")
    token = csrf_of(item.text)
    for action, data in (("take", {}), ("resolve", {"resolution": "settled"}),
                         ("decide", {"decision": "approve"})):  # fmt: skip
        refused = viewer.post(item_url(world.high_value_key, action),
                              data={"csrf_token": token, **data})  # fmt: skip
        assert refused.status_code == 403, action
    assert viewer.get("/playbook/dry-run").status_code == 403
    assert viewer.get("/queue/export.csv").status_code == 200  # every role may export


def test_take_then_resolve_flows_to_the_case_and_the_vendors(world: ConsoleWorld) -> None:
    finance = world.client("finance")
    key = world.high_value_key
    token = csrf_of(finance.get(item_url(key)).text)
    taken = finance.post(item_url(key, "take"), data={"csrf_token": token})
    assert (taken.status_code, taken.headers["location"]) == (303, item_url(key))
    shown = page(finance, item_url(key))
    assert shown.one(data_testid="flash")
    assert "finance@example.com" in shown.one(data_testid="assignee").text()
    bad = finance.post(item_url(key, "resolve"), data={
        "csrf_token": token, "resolution": "promise_accepted", "note": ""})  # fmt: skip
    assert bad.status_code == 303
    assert "promise" in page(finance, item_url(key)).one(data_testid="flash").text().lower()
    note = "Agreed by phone with AP."
    resolved = finance.post(
        item_url(key, "resolve"), data={"csrf_token": token, "resolution": "settled", "note": note}
    )
    assert resolved.status_code == 303

    def done() -> bool:
        with world.started.db.session() as s:
            item = queue_item(s, key, world.now)
            case = s.get(CaseRow, item["case_id"]) if item else None
            return bool(item and item["status"] == "resolved" and case and case.status == "closed")

    wait_for(done, "the resolution workflow")
    case_id = world.case_ids[1]
    story = page(finance, f"/cases/{case_id}")
    kinds = kinds_of(story)
    assert {"review", "resolution", "write_back"} <= kinds
    wanted = {
        f"/sim/{system}/{quote(key + ':resolution', safe=':')}" for system in ("billing", "crm")
    }
    links = {a.attrs["href"] for a in story.all("a", data_testid="destination")}
    assert wanted <= links
    record = page(finance, f"/sim/billing/{key}:resolution")
    assert "resolved" in record.one(data_testid="sim-record").text().lower()
    actions = {
        tr.attrs.get("data-action") for tr in story.one("table", data_testid="audit").all("tr")
    }
    assert "review_taken" in actions
    again = finance.post(
        item_url(key, "resolve"), data={"csrf_token": token, "resolution": "settled"}
    )
    assert again.status_code == 303
    assert page(finance, item_url(key)).one(data_testid="flash").attrs["class"].endswith("error")


def test_a_first_run_is_approved_from_its_page(world: ConsoleWorld, admin: TestClient) -> None:
    key = world.approval_key
    token = csrf_of(admin.get(item_url(key)).text)
    wrong = admin.post(item_url(key, "decide"), data={"csrf_token": token, "decision": "maybe"})
    assert wrong.status_code == 303
    decided = admin.post(item_url(key, "decide"), data={
        "csrf_token": token, "decision": "approve", "note": "Looks right."})  # fmt: skip
    assert decided.status_code == 303
    doc = page(admin, item_url(key))
    assert "Approved" in doc.one(data_testid="flash").text()
    with world.started.db.session() as s:
        item = queue_item(s, key, world.now)
    assert item is not None
    assert (item["status"], item["decision"]) == ("resolved", "approve")
    assert item["resolved_by"] == "console:admin@example.com"


def test_sign_out_ends_the_session(world: ConsoleWorld) -> None:
    browser = world.client("viewer")
    token = csrf_of(browser.get("/dashboard").text)
    out = browser.post("/logout", data={"csrf_token": token})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert browser.get("/dashboard").status_code == 303
    sign_in(browser, USERS["viewer"][0])  # and back in
    assert browser.get("/dashboard").status_code == 200


def test_templates_and_assets_ship_in_the_package() -> None:
    import recoup.console

    root = Path(recoup.console.__file__).parent
    pages = ("base", "login", "dashboard", "queue", "review_item", "cases", "case", "playbook",
             "sim_record", "error")  # fmt: skip
    for name in (f"{p}.html" for p in pages):
        assert (root / "templates" / name).is_file(), name
    for name in ("console.css", "console.js", "vendor/chart.umd.min.js"):
        assert (root / "static" / name).is_file(), name


def test_destinations_follow_the_vendors_the_runtime_got() -> None:
    from types import SimpleNamespace

    from recoup.console.destinations import destinations_for
    from recoup.settings import Settings

    settings = Settings(
        _env_file=None, stripe_api_key="sk_test_abc", crm="salesforce",  # type: ignore[call-arg]
        salesforce_instance_url="https://acme.my.salesforce.com",
        salesforce_access_token="token",
    )  # fmt: skip
    real = SimpleNamespace(billing=object(), crm=object())
    found = destinations_for(settings, real)  # type: ignore[arg-type]
    assert (found.billing, found.crm) == ("stripe", "salesforce")
    assert found.write_back_link("billing", "k", "in_1", "in_1", "a") == (
        "https://dashboard.stripe.com/test/invoices/in_1"
    )
    assert found.write_back_link("crm", "k", "00T1", "in_1", "a") == (
        "https://acme.my.salesforce.com/lightning/r/Task/00T1/view"
    )
    live = settings.model_copy(update={"stripe_api_key": SecretStr("sk_live_abc")})
    assert destinations_for(live, real).stripe_dashboard_url == "https://dashboard.stripe.com"  # type: ignore[arg-type]
