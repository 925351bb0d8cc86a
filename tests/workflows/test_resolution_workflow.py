"""A person's resolution of a review item, run by the real DBOS workflow on the simulated
world: written back once, the case closed or its promise followed; first-runs approvals."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from dbos import DBOS
from fastapi.testclient import TestClient
from sqlalchemy import select

from recoup import demo, wiring
from recoup.adapters.simulator.world import Customer, invoice_object, stripe_event
from recoup.api.app import create_app
from recoup.domain.errors import UnknownRecordError
from recoup.store import guard, views
from recoup.store.queue import NotOpenError
from recoup.store.tables import AccountRow, AuditRow, CaseRow, ReviewItemRow, WriteBackRow
from recoup.store.timeline import Destinations, timeline
from recoup.workflows import resolution
from recoup.workflows.dispatch import ClientDispatcher
from recoup.workflows.resolution import ResolutionError, decide_approval, submit_resolution

from .conftest import make_settings
from .test_case_workflow import example

#: Long enough that no case gives up (10 simulated days pass per wall second) while a test
#: waits; promises get a grace long enough to pay within.
PLAYBOOK = "give_up_after_days: 2000\npromise_grace_days: 20\nlongest_promise_days: 60\n"
CARD = "4242 4242 4242 4242"
T = TypeVar("T")


def until(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """Poll ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def result(workflow_id: str, timeout: float = 60.0) -> Any:
    """A workflow's result once it has finished (never blocking for ever)."""

    def probe() -> tuple[Any] | None:
        status = DBOS.get_workflow_status(workflow_id)
        if status is None or status.status in ("PENDING", "ENQUEUED"):
            return None
        assert status.status == "SUCCESS", status
        return (DBOS.retrieve_workflow(workflow_id).get_result(),)

    return until(probe, f"workflow {workflow_id} to finish", timeout)[0]


def start_high_value(app: wiring.Started, tag: str, n: int = 1) -> list[Customer]:
    """Cases that go straight to a person (high value): an alert and a review item each."""
    big = example("pay_now", invoice={"amount": "9000.00"})
    _, customers = demo.seed_world(app, [big] * n, tag)
    for c in customers:
        demo._emit(app, demo.failed_event(c, app.runtime.clock.now()))
    return customers


def case_id(c: Customer) -> str:
    return f"case:stripe:{c.invoice_ref}"


def open_item(app: wiring.Started, c: Customer) -> str:
    def probe() -> str | None:
        with app.db.session() as s:
            return s.scalar(
                select(ReviewItemRow.key).where(
                    ReviewItemRow.case_id == case_id(c), ReviewItemRow.status == "open"
                )
            )

    return until(probe, f"a review item for {c.invoice_ref}")


def case_row(app: wiring.Started, c: Customer) -> dict[str, Any]:
    with app.db.session() as s:
        row = s.get(CaseRow, case_id(c))
        assert row is not None
        return views.row_dict(row)


def closed(app: wiring.Started, c: Customer) -> dict[str, Any]:
    return until(lambda: (r := case_row(app, c))["status"] == "closed" and r, "case closed")


def pay(app: wiring.Started, c: Customer) -> None:
    """The customer pays the invoice (billing's ``invoice.paid``)."""
    paid = invoice_object(c, "paid")
    demo._emit(
        app, stripe_event(f"{c.event_prefix}_paid", "invoice.paid", app.runtime.clock.now(), paid)
    )


def audit_actions(app: wiring.Started, cid: str) -> list[str]:
    with app.db.session() as s:
        return list(s.scalars(select(AuditRow.action).where(AuditRow.case_id == cid)))


@pytest.mark.playbook(PLAYBOOK)
def test_resolving_a_handed_off_item_writes_back_once_and_closes_the_case(
    app: wiring.Started,
) -> None:
    [c] = start_high_value(app, "settle")
    key = open_item(app, c)
    assert key == f"{case_id(c)}:policy"
    note = f"Customer wired the balance, card {CARD} on file, call 415 555 0123"
    first = submit_resolution(app.runtime, key, "settled", note, None, "console:ana")
    # A double click, from an API-only process this time: the same workflow, started once.
    client = ClientDispatcher(wiring.system_database_url(app.settings.database_url))
    try:
        other = dataclasses.replace(app.runtime, dispatcher=client)
        second = submit_resolution(other, key, "settled", note, None, "console:ana")
    except NotOpenError:
        second = first  # the workflow had already claimed the item: refused, as it should be
    finally:
        client.close()
    assert first["workflow_id"] == second["workflow_id"] == f"resolve:{key}"
    assert CARD not in first["note"]

    row = closed(app, c)
    assert (row["close_reason"], row["outcome"]) == ("resolved:settled", "resolved")
    assert result(f"resolve:{key}") == "resolved"
    # The case workflow stopped waiting without closing the case a second time.
    assert result(case_id(c)) == case_id(c)
    with pytest.raises(NotOpenError):
        submit_resolution(app.runtime, key, "settled", "again", None, "console:bo")

    with app.db.session() as s:
        item = s.get(ReviewItemRow, key)
        assert item is not None
        assert (item.status, item.resolution, item.resolved_by) == (
            "resolved",
            "settled",
            "console:ana",
        )
        assert item.note is not None
        assert CARD not in item.note
        writes = s.scalars(select(WriteBackRow).where(WriteBackRow.case_id == case_id(c))).all()
    assert sorted((w.key, w.system, w.outcome) for w in writes) == [
        (f"{key}:resolution", "billing", "resolved"),
        (f"{key}:resolution", "crm", "resolved"),
    ]
    for kind in ("billing_note", "crm_note"):
        [(written_key, written)] = app.world.ledger.items(kind)
        assert written_key == f"{key}:resolution"
        assert written["outcome"] == "resolved"
        assert written["summary"].startswith("settled: Customer wired the balance")
        assert not guard.card_numbers(written["summary"])
        assert "Nothing to collect" in written["next_action"]
    actions = audit_actions(app, case_id(c))
    for action in ("review_resolved", "written_back", "case_closed"):
        assert action in actions
    assert actions.count("case_closed") == 1  # not closed again as "handed_off"

    with app.db.session() as s:
        story = timeline(s, case_id(c), Destinations())
    assert story is not None
    kinds = [e["kind"] for e in story["events"]]
    assert {
        "trigger",
        "context",
        "policy",
        "alert",
        "review",
        "resolution",
        "write_back",
        "status",
    } <= set(kinds)
    links = [e["link"] for e in story["events"] if e["kind"] == "write_back"]
    assert sorted(links) == [f"/sim/billing/{key}:resolution", f"/sim/crm/{key}:resolution"]
    assert CARD not in repr(story)
    assert "415 555 0123" not in repr(story)


@pytest.mark.playbook(PLAYBOOK)
def test_checks_refuse_what_cannot_be_resolved(app: wiring.Started) -> None:
    [c] = start_high_value(app, "checks")
    key = open_item(app, c)
    rt = app.runtime
    today = rt.clock.now().date()
    with pytest.raises(UnknownRecordError):
        submit_resolution(rt, "no-such-item", "settled", "", None, "console:ana")
    with pytest.raises(ResolutionError, match="unknown resolution"):
        submit_resolution(rt, key, "forgiven", "", None, "console:ana")
    with pytest.raises(ResolutionError, match="needs the date"):
        submit_resolution(rt, key, "promise_accepted", "", None, "console:ana")
    too_late = today + timedelta(days=rt.playbook.longest_promise_days + 1)
    with pytest.raises(ResolutionError, match="must be between"):
        submit_resolution(rt, key, "promise_accepted", "", too_late, "console:ana")
    with pytest.raises(ResolutionError, match="first-run approval"):
        decide_approval(rt, key, "approve", "", "console:ana")
    with app.db.session() as s:  # an unconfirmed match: no promise, no do-not-contact
        row = s.get(CaseRow, case_id(c))
        assert row is not None
        row.match_confidence = 0.5
    with pytest.raises(ResolutionError, match="not confirmed"):
        submit_resolution(rt, key, "do_not_contact", "", None, "console:ana")
    # Written off all the same, but nothing is written about a customer we may have wrong.
    submit_resolution(rt, key, "written_off", "", None, "console:ana")
    assert closed(app, c)["close_reason"] == "resolved:written_off"
    assert result(f"resolve:{key}") == "resolved"
    assert result(case_id(c)) == case_id(c)
    assert app.world.ledger.items("crm_note") == []
    assert "write_back_skipped" in audit_actions(app, case_id(c))


@pytest.mark.playbook(PLAYBOOK)
def test_do_not_contact_from_an_api_only_process_marks_the_account(app: wiring.Started) -> None:
    [c] = start_high_value(app, "dnc")
    key = open_item(app, c)
    # The console in a process that runs no workflows: DBOSClient enqueues, a worker runs it.
    client = ClientDispatcher(wiring.system_database_url(app.settings.database_url))
    try:
        api_only = dataclasses.replace(app.runtime, dispatcher=client)
        submit_resolution(api_only, key, "do_not_contact", "asked us to stop", None, "console:a")
    finally:
        client.close()
    assert closed(app, c)["close_reason"] == "resolved:do_not_contact"
    assert result(f"resolve:{key}") == "resolved"
    assert result(case_id(c)) == case_id(c)
    with app.db.session() as s:
        account = s.get(AccountRow, c.account_id)
        assert account is not None
        assert account.opted_out
    [(_, written)] = app.world.ledger.items("crm_note")
    assert written["outcome"] == "do_not_contact"


@pytest.mark.playbook(PLAYBOOK)
def test_an_accepted_promise_is_followed_to_kept_or_broken(app: wiring.Started) -> None:
    keeper, breaker = start_high_value(app, "promise", 2)
    keys, promised = {}, {}
    for c in (keeper, breaker):
        keys[c.invoice_ref] = key = open_item(app, c)
        # Ten simulated days pass each second: the date is taken just before it is given.
        promised[c.invoice_ref] = day = app.runtime.clock.now().date() + timedelta(days=5)
        submit_resolution(app.runtime, key, "promise_accepted", "pays Friday", day, "c:a")
    until(lambda: case_row(app, keeper)["status"] == "waiting", "the promise to be followed")
    pay(app, keeper)

    row = closed(app, keeper)
    assert (row["close_reason"], row["outcome"]) == (
        "resolved:promise_accepted",
        "promise_recorded",
    )
    kept_key = keys[keeper.invoice_ref]
    assert result(f"resolve:{kept_key}") == "kept"
    broken_key = keys[breaker.invoice_ref]
    assert result(f"resolve:{broken_key}") == "broken"
    with app.db.session() as s:
        detail = {c.invoice_ref: views.case_detail(s, case_id(c)) for c in (keeper, breaker)}
    kept, broken = detail[keeper.invoice_ref], detail[breaker.invoice_ref]
    assert kept is not None
    assert broken is not None
    assert [(p["key"], p["status"]) for p in kept["promises"]] == [(f"{kept_key}:promise", "kept")]
    # Confirmed to the customer in writing, and closed when the payment came, not at the date.
    confirmations = [m for m in kept["messages"] if m["kind"] == "promise_confirmation"]
    assert [m["key"] for m in confirmations] == [f"{kept_key}:confirmation"]
    closed_on = datetime.fromisoformat(kept["case"]["closed_at"]).date()
    assert closed_on < promised[keeper.invoice_ref]
    assert [p["status"] for p in broken["promises"]] == ["broken"]
    assert broken["case"]["status"] == "review"  # back with a person, not closed
    reopened = [r for r in broken["review_items"] if r["status"] == "open"]
    assert [(r["key"], r["reason"]) for r in reopened] == [
        (f"{broken_key}:promise_broken", "promise_broken")
    ]
    [(_, written)] = [
        (k, v) for k, v in app.world.ledger.items("crm_note") if k.startswith(broken_key)
    ]
    for c in (keeper, breaker):
        assert result(case_id(c)) == case_id(c)
    assert (written["outcome"], written["promise_date"]) == (
        "promise_recorded",
        promised[breaker.invoice_ref].isoformat(),
    )


FIRST_RUNS = PLAYBOOK + "review_first_runs: 3\nreview_timeout_days: 200\npromise_grace_days: 200\n"


def test_first_runs_are_approved_corrected_or_rejected(sqlite_url: str, tmp_path: Path) -> None:
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(FIRST_RUNS)
    app = wiring.start(make_settings(sqlite_url, playbook=playbook))
    try:
        client = TestClient(create_app(app.settings, app.runtime))
        customers, (approved, fixed, rejected) = _held_runs(app, client)
        rt, promised = app.runtime, app.runtime.clock.now().date() + timedelta(days=20)

        with pytest.raises(ResolutionError, match="approved, corrected or rejected"):
            submit_resolution(rt, approved, "settled", "", None, "console:ana")
        with pytest.raises(ResolutionError, match="outcome"):
            decide_approval(rt, fixed, "correct", "", "console:ana", outcome="resolved")
        decide_approval(rt, approved, "approve", "looks right", "console:ana")
        body = {
            "decision": "correct",
            "outcome": "promise_recorded",
            "promise_date": promised.isoformat(),
            "note": "she said the 5th",
        }
        assert client.post(f"/api/review/{fixed}", json=body).status_code == 200
        assert client.post(f"/api/review/{fixed}", json=body).status_code == 404
        decide_approval(rt, rejected, "reject", "wrong person", "console:ana")
        with pytest.raises(NotOpenError):
            decide_approval(rt, rejected, "approve", "", "console:bo")

        details = _settled(app, [approved, fixed, rejected])
        sent, corrected, refused = (details[k] for k in (approved, fixed, rejected))
        assert [m["kind"] for m in sent["messages"]] == ["link"]
        assert [w["outcome"] for w in sent["write_backs"]] == ["link_sent", "link_sent"]
        assert [w["outcome"] for w in corrected["write_backs"]] == ["promise_recorded"] * 2
        assert [p["promise_date"] for p in corrected["promises"]] == [promised.isoformat()]
        assert [m["kind"] for m in corrected["messages"]] == ["promise_confirmation"]
        assert corrected["case"]["outcome"] == "promise_recorded"
        [(_, note)] = [
            (k, v)
            for k, v in app.world.ledger.items("crm_note")
            if k == corrected["calls"][0]["call_id"]
        ]
        assert "Corrected in review from link_sent to promise_recorded" in note["summary"]
        assert (refused["case"]["close_reason"], refused["write_backs"], refused["messages"]) == (
            "rejected_in_review",
            [],
            [],
        )
        items = {r["key"]: r for d in details.values() for r in d["review_items"]}
        assert (items[fixed]["decision"], items[fixed]["resolution"]) == (
            "correct",
            "promise_recorded",
        )
        for c in customers[:2]:  # both pay: the link, and the corrected promise, kept
            pay(app, c)
        assert closed(app, customers[0])["close_reason"] == "paid"
        assert closed(app, customers[1])["close_reason"] == "paid"
        with app.db.session() as s:
            promise = views.case_detail(s, case_id(customers[1]))
        assert promise is not None
        assert [p["status"] for p in promise["promises"]] == ["kept"]
        for c in customers:
            assert result(case_id(c)) == case_id(c)
    finally:
        wiring.stop(app)


def _held_runs(app: wiring.Started, client: TestClient) -> tuple[list[Customer], list[str]]:
    """Three pay-now runs, each held for approval; the customers and their review keys."""
    world, customers = demo.seed_world(app, [example("pay_now")] * 3, "held")
    for c in customers:
        demo._emit(app, demo.failed_event(c, app.runtime.clock.now()))

    def held() -> list[str] | None:
        world.tick()
        keys = []
        for c in customers:
            with app.db.session() as s:
                keys += list(
                    s.scalars(
                        select(ReviewItemRow.key).where(
                            ReviewItemRow.case_id == case_id(c),
                            ReviewItemRow.reason == "first_runs_approval",
                        )
                    )
                )
        return keys if len(keys) == 3 else None

    keys = until(held, "three held runs")
    assert {i["key"] for i in client.get("/api/review").json()} == set(keys)
    return customers, keys


def _settled(app: wiring.Started, keys: list[str]) -> dict[str, dict[str, Any]]:
    """Each held run's case detail once it has acted on the decision."""

    def acted() -> dict[str, dict[str, Any]] | None:
        found = {}
        with app.db.session() as s:
            for key in keys:
                item = s.get(ReviewItemRow, key)
                assert item is not None
                detail = views.case_detail(s, item.case_id)
                assert detail is not None
                found[key] = detail
        done = all(d["case"]["status"] in ("waiting", "closed") for d in found.values())
        return found if done else None

    return until(acted, "the decisions to be acted on")


def test_resolution_names_are_the_contract() -> None:
    assert resolution.RESOLUTIONS == (
        "paid_elsewhere",
        "settled",
        "promise_accepted",
        "written_off",
        "do_not_contact",
    )
    assert resolution.workflow_id("k:1") == "resolve:k:1"
