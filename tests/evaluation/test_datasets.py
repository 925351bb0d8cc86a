"""Our labelled sets: rows are checked as they load, and a tiny set scores end to end."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from recoup.evaluation.datasets import (
    SPLITS,
    DatasetError,
    load_split,
    missing_splits,
    utterance,
)
from recoup.evaluation.evaluate import score_split

NOW = "2026-11-25T10:00:00-05:00"  # a Wednesday in New York


def row(**fields: Any) -> dict[str, Any]:
    base = {"id": "t-1", "text": "I can pay on Friday", "context": "ask_resolution",
            "intent": "promise_to_pay", "now": NOW, "tz": "America/New_York",
            "card_data": False}  # fmt: skip
    return base | fields


#: A tiny fixture set, so scoring is tested whether or not the real files are there.
FIXTURE = [
    utterance(row(id="f-1", promise_date="2026-11-27")),
    utterance(row(id="f-2", text="yes", context="confirm", intent="yes")),
    utterance(row(id="f-3", text="wrong number", context="greet_verify", intent="wrong_party")),
    utterance(row(id="f-4", text="my card is 4242 4242 4242 4242", intent="pay_now",
                  card_data=True)),
    utterance(row(id="f-5", text="send it by email please", intent="pay_now", channel="email")),
    utterance(row(id="f-6", text="stop calling me", intent="opt_out", promise_date=None)),
]  # fmt: skip


def test_optional_keys_say_whether_a_field_is_scored() -> None:
    dated, plain = FIXTURE[0], FIXTURE[1]
    assert dated.has_date
    assert dated.promise_date == date(2026, 11, 27)
    assert not plain.has_date
    assert not plain.has_channel
    assert FIXTURE[5].has_date
    assert FIXTURE[5].promise_date is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"context": "voicemail"}, "unknown context"),
        ({"intent": "payed"}, "label 'payed' is not one of"),
        ({"context": "confirm", "intent": "pay_now"}, "is not one of yes, no, human"),
        ({"now": "tomorrow"}, "not an ISO 8601"),
        ({"tz": "Mars/Olympus"}, "unknown time zone"),
        ({"card_data": "no"}, "'card_data' true or false"),
    ],
)
def test_bad_rows_fail_loudly(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        utterance(row(**fields))


def test_unknown_split_is_an_error() -> None:
    with pytest.raises(DatasetError, match="unknown split"):
        load_split("train")


def test_the_fixture_set_scores_every_field() -> None:
    report = score_split("fixture", FIXTURE)
    assert report.intents.overall.n == 6
    assert report.intents.overall.correct == 6, report.intents.confusion
    assert set(report.contexts) == {"ask_resolution", "confirm", "greet_verify"}
    assert (report.dates.n, report.dates.correct) == (2, 2)
    assert (report.channels.n, report.channels.correct) == (1, 1)
    card = report.card_data
    assert (card.tp, card.fp, card.fn, card.tn) == (1, 0, 0, 5)
    assert report.latency.n == 6
    assert report.latency.p95_ms is not None
    assert set(report.as_dict()) == {
        "n", "accuracy", "intents", "contexts", "dates", "channels", "card_data", "latency",
    }  # fmt: skip


def test_every_shipped_split_is_there_and_loads() -> None:
    assert missing_splits() == []  # they ship in the package: a missing one is a failure
    for split in SPLITS:
        rows = load_split(split)
        assert rows, split
        assert len({r.id for r in rows}) == len(rows), f"{split}: ids repeat"
