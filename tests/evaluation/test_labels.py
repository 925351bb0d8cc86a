"""The one mapping from engine intents to scored labels, and readings per turn."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, get_args

import pytest

from recoup.agent.intents import Intent
from recoup.agent.understand import Understanding, understand
from recoup.evaluation.labels import (
    LABELS,
    confirm_reading,
    intent_label,
    reading,
    verify_reading,
)

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_every_engine_intent_has_one_of_the_twelve_labels() -> None:
    assert len(LABELS) == 12
    for intent in get_args(Intent):
        assert intent_label(intent) in LABELS


@pytest.mark.parametrize(
    ("intent", "label"),
    [
        ("yes", "pay_now"),  # to "can you take care of it today?"
        ("no", "other"),
        ("change_plan", "cancel"),  # the dialog closes both as a contract change
        ("hold", "other"),
        ("greeting", "other"),
        ("dispute", "dispute"),
    ],
)
def test_engine_only_intents_map_as_documented(intent: Intent, label: str) -> None:
    assert intent_label(intent) == label


def u(intent: Intent, answer: Literal["yes", "no"] | None = None) -> Understanding:
    return Understanding(intent=intent, confidence=0.9, answer=answer)


def test_a_confirm_turn_reads_the_answer_unless_a_person_is_asked_for() -> None:
    assert confirm_reading(u("already_paid", "yes")) == "yes"
    assert confirm_reading(u("human", "no")) == "human"
    assert confirm_reading(u("opt_out", "no")) == "opt_out"
    assert confirm_reading(u("question")) == "question"


def test_the_verify_turn_weighs_replies_as_the_dialog_does() -> None:
    assert verify_reading(u("no", "no")) == "wrong_party"
    assert verify_reading(u("callback", "yes")) == "callback"
    assert verify_reading(u("question", "yes")) == "yes"
    assert verify_reading(u("question")) == "question"


def test_reading_by_context_on_real_replies() -> None:
    said = understand("yes please", NOW)
    assert reading(said, "ask_resolution") == "pay_now"
    assert reading(said, "confirm") == "yes"
    assert reading(said, "greet_verify") == "yes"
    assert reading(understand("can I talk to a real person", NOW), "confirm") == "human"
