"""``recoup understand`` and ``recoup eval`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recoup.cli import app

NOW = "2026-11-24T15:00:00-05:00"  # a Tuesday in New York
FIELDS = {"intent", "confidence", "promise_date", "amount", "channel", "card_data",
          "redacted_text"}  # fmt: skip


def lines(*rows: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


def test_understand_answers_every_line_in_order() -> None:
    stdin = lines(
        {"text": "I can pay next Friday", "now": NOW, "tz": "America/New_York"},
        {"text": "please stop calling me", "now": NOW},
        "",
        {"text": "yes, send it to my email, it's 250 dollars right?", "now": NOW},
        {"text": None, "now": NOW},
    )
    result = CliRunner().invoke(app, ["understand"], input=stdin)
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 4  # the blank line is skipped
    assert all(set(a) == FIELDS for a in answers)
    assert [a["intent"] for a in answers[:2]] == ["promise_to_pay", "opt_out"]
    assert answers[0]["promise_date"] == "2026-12-04"
    assert answers[2]["channel"] == "email"
    assert answers[2]["amount"] == "250.00"
    assert answers[3]["intent"] == "other"
    assert answers[3]["confidence"] == 0.0
    assert all(0.0 <= a["confidence"] <= 1.0 for a in answers)


def test_understand_redacts_a_card_number_and_flags_it() -> None:
    stdin = lines({"text": "my card is 4242 4242 4242 4242 exp 04/28", "now": NOW})
    result = CliRunner().invoke(app, ["understand"], input=stdin)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["card_data"] is True
    assert "4242" not in answer["redacted_text"]
    assert "[card number]" in answer["redacted_text"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not JSON"),
        (json.dumps({"now": NOW}), "missing 'text'"),
        (json.dumps({"text": "yes", "now": "tuesday"}), "not an ISO 8601"),
        (json.dumps({"text": "yes", "now": NOW, "tz": "Nowhere/Else"}), "unknown time zone"),
    ],
)
def test_a_bad_line_stops_with_exit_2_naming_it(bad: str, message: str) -> None:
    stdin = lines({"text": "yes", "now": NOW}, bad, {"text": "no", "now": NOW})
    result = CliRunner().invoke(app, ["understand"], input=stdin)
    assert result.exit_code == 2
    assert "line 2" in result.stderr
    assert message in result.stderr
    assert len(result.stdout.splitlines()) == 1  # answered up to the bad line, not after


def test_eval_dev_json_returns_every_figure() -> None:
    result = CliRunner().invoke(app, ["eval", "--split", "dev", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"splits", "shared"}
    dev = report["splits"]["dev"]
    assert set(dev) == {"n", "accuracy", "intents", "contexts", "dates", "channels",
                        "card_data", "latency"}  # fmt: skip
    assert set(dev["intents"]) >= {"per_label", "confusion", "labels", "accuracy"}
    assert set(dev["card_data"]) >= {"precision", "recall"}
    assert set(dev["latency"]) == {"n", "mean_ms", "p95_ms"}
    assert dev["n"] > 0
    assert 0.0 <= dev["accuracy"] <= 1.0


def test_eval_refuses_a_shared_directory_that_is_not_there(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--shared", str(tmp_path / "nope"), "--json"])
    assert result.exit_code == 2
    assert "not a directory" in result.stderr
