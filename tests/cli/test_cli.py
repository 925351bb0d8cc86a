"""The command line as a user runs it: real subprocesses for what launches DBOS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from recoup.cli import app
from recoup.domain.metrics import SUCCESS_METRICS

EXAMPLES = Path(str(resources.files("recoup.adapters.simulator").joinpath("examples")))


def recoup(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RECOUP_")}
    return subprocess.run(
        [sys.executable, "-m", "recoup", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env={**clean, **env},
        check=False,
    )


def test_simulate_prints_one_disposition_per_persona_in_order() -> None:
    names = ["pay_now", "promise", "voicemail", "dispute_card"]
    result = CliRunner().invoke(app, ["simulate", *[str(EXAMPLES / f"{n}.json") for n in names]])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["call_id"] for d in lines] == [f"sim-{n}" for n in names]
    assert [d["outcome"] for d in lines[:3]] == ["link_sent", "promise_recorded", "voicemail_left"]
    card = lines[3]
    assert card["card_data_detected"] is True
    spoken = " ".join(t["text"] for t in card["transcript"] if t["speaker"] == "customer")
    assert "4242" not in spoken
    assert "[card number]" in spoken


def test_simulate_names_the_bad_field(tmp_path: Path) -> None:
    bad = json.loads((EXAMPLES / "pay_now.json").read_text())
    bad["invoice"]["amount"] = "-5"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = CliRunner().invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2
    assert "invoice.amount" in result.output


def test_demo_json_then_again_adds_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    fast = {"RECOUP_CLOCK_SPEED": "864000"}
    first = recoup("demo", "--cases", "8", "--seed", "2", "--database", url, "--json", **fast)
    assert first.returncode == 0, first.stderr[-3000:]
    summary = json.loads(first.stdout)
    for key in (
        "cases",
        "outcomes",
        "calls",
        "messages",
        "alerts",
        "review_items",
        *SUCCESS_METRICS,
    ):
        assert key in summary
    assert summary["cases"] == 8
    assert summary["open_cases"] == 0
    second = recoup("demo", "--cases", "8", "--seed", "2", "--database", url, "--json", **fast)
    assert second.returncode == 0, second.stderr[-3000:]
    again = json.loads(second.stdout)
    for key in ("cases", "calls", "messages", "alerts", "review_items", "outcomes"):
        assert again[key] == summary[key], key


def test_a_settings_typo_is_refused_with_a_hint(tmp_path: Path) -> None:
    result = recoup("db", "upgrade", RECOUP_DATABSE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert result.returncode == 2
    assert "RECOUP_DATABSE_URL" in result.stderr
    assert "RECOUP_DATABASE_URL" in result.stderr
    assert not (tmp_path / "x.sqlite").exists()


def test_ingest_checks_the_whole_file_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ingest.sqlite'}"
    good = {
        "source": "chargebee",
        "event_id": "ev_1",
        "type": "payment_failed",
        "occurred_at": "2026-11-24T10:00:00+00:00",
        "customer_ref": "cb_cus_1",
        "invoice_ref": "cb_inv_1",
        "amount": "120.00",
        "currency": "usd",
    }
    bad = {**good, "event_id": "ev_2", "amount": "lots"}
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    refused = recoup("ingest", str(path), RECOUP_DATABASE_URL=url)
    assert refused.returncode == 2
    assert "line 2" in refused.stderr
    assert not (tmp_path / "ingest.sqlite").exists()
    path.write_text(json.dumps(good) + "\n")
    accepted = recoup("ingest", str(path), RECOUP_DATABASE_URL=url)
    assert accepted.returncode == 0, accepted.stderr[-3000:]
    assert json.loads(accepted.stdout) == {"events": 1, "started": 1}
    repeated = recoup("ingest", str(path), RECOUP_DATABASE_URL=url)
    assert json.loads(repeated.stdout) == {"events": 1, "duplicate": 1}
