"""Playbook rules in the running workflow: "review the first N runs" and segment filters."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from recoup import demo, wiring
from recoup.api.app import create_app
from recoup.store import views

from .conftest import make_settings
from .test_case_workflow import example


def test_first_runs_wait_for_approval_then_act(sqlite_url: str, tmp_path: Path) -> None:
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text("review_first_runs: 1\nreview_timeout_days: 20\n")
    app = wiring.start(make_settings(sqlite_url, playbook=playbook))
    try:
        client = TestClient(create_app(app.settings, app.runtime))
        world, [first, second] = demo.seed_world(app, [example("pay_now")] * 2, "held")
        for c in (first, second):
            demo._emit(app, demo.failed_event(c, app.runtime.clock.now()))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            world.tick()
            queue = client.get("/api/review").json()
            if queue:
                break
            time.sleep(0.05)
        [item] = queue
        assert item["reason"] == "first_runs_approval"
        assert item["case_id"].endswith(first.invoice_ref)
        with app.db.session() as s:
            held = views.case_detail(s, item["case_id"])
        assert held is not None
        assert held["messages"] == []  # nothing sent before a person approves
        decided = client.post(f"/api/review/{item['key']}", json={"decision": "approve"})
        assert decided.status_code == 200
        assert (
            client.post(f"/api/review/{item['key']}", json={"decision": "approve"}).status_code
            == 404
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            world.tick()
            with app.db.session() as s:
                details = [
                    views.case_detail(s, f"case:stripe:{c.invoice_ref}") for c in (first, second)
                ]
            if all(d and d["case"]["status"] == "closed" for d in details):
                break
            time.sleep(0.05)
        for detail in details:
            assert detail is not None
            assert detail["case"]["close_reason"] == "paid"
            assert len(detail["messages"]) == 1
        assert len(details[1]["review_items"]) == 0  # only the first run was held
    finally:
        wiring.stop(app)


def test_segments_outside_the_launch_are_not_called(sqlite_url: str, tmp_path: Path) -> None:
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text("segments: {exclude: [mid_market]}\n")
    app = wiring.start(make_settings(sqlite_url, playbook=playbook))
    try:
        world, customers = demo.seed_world(app, [example("pay_now")], "segment")
        assert demo.drive(app, world, customers, lambda _: None, timeout_s=30) == 1
        with app.db.session() as s:
            detail = views.case_detail(s, f"case:stripe:{customers[0].invoice_ref}")
        assert detail is not None
        assert detail["case"]["segment"] == "mid_market"
        assert detail["case"]["close_reason"] == "segment_not_covered"
        assert detail["calls"] == []
    finally:
        wiring.stop(app)
