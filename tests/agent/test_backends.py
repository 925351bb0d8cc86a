"""Back ends behind the ``Classifier`` seam: the rules' mapping, the guardrails that stay in code
whoever reads the intent. The LLM adapter's own tests are in ``test_backends_llm``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from recoup.agent.backends import (
    LABELS,
    Classifier,
    RulesClassifier,
    labels_for,
    understand_with,
)
from recoup.agent.understand import understand_rules as understand
from recoup.domain.errors import (
    ConfigError,
    PermanentPortError,
    TransientPortError,
)
from recoup.evaluation.labels import reading

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday
TZ = "America/New_York"
CARD = "4242 4242 4242 4242"


class Stub:
    """A classifier that says one thing, and remembers what it was shown."""

    def __init__(self, label: str, confidence: float = 0.9, error: Exception | None = None):
        self.label, self.confidence, self.error = label, confidence, error
        self.seen: list[tuple[str, str]] = []

    def classify(self, text: str, context: str) -> tuple[str, float]:
        self.seen.append((text, context))
        if self.error is not None:
            raise self.error
        return self.label, self.confidence


@pytest.mark.parametrize(
    ("text", "context", "label"),
    [
        ("Yeah, I can pay now. Send me a link.", "ask_resolution", "pay_now"),
        ("yes", "ask_resolution", "pay_now"),  # yes to "can you take care of it today?"
        ("nope", "ask_resolution", "other"),  # a bare no decides nothing
        ("we'd like to downgrade to a cheaper plan", "ask_resolution", "cancel"),
        ("hold on, let me get her", "ask_resolution", "other"),
        ("hello?", "ask_resolution", "other"),
        ("I can pay next friday", "ask_resolution", "promise_to_pay"),
        ("Please stop calling me.", "ask_resolution", "opt_out"),
        ("yes, go ahead", "confirm", "yes"),
        ("no, not email", "confirm", "no"),
        ("I want to speak to a real person", "confirm", "human"),
        ("Yes, speaking", "greet_verify", "yes"),
        ("wrong number", "greet_verify", "wrong_party"),
    ],
)
def test_rules_classifier_maps_engine_intents_onto_the_label_sets(
    text: str, context: str, label: str
) -> None:
    rules = RulesClassifier(TZ, clock=lambda: NOW)
    got, confidence = rules.classify(text, context)
    assert (got, got in LABELS[context]) == (label, True)
    assert 0.0 <= confidence <= 1.0


def test_rules_readings_are_the_evaluations() -> None:
    rules = RulesClassifier(TZ, clock=lambda: NOW)
    for text in ("I never ordered this", "how much is it?", "um", "", "hold on"):
        for context in LABELS:
            expected = reading(understand(text, NOW, TZ), context)  # type: ignore[arg-type]
            assert rules.classify(text, context)[0] == expected
    assert isinstance(rules, Classifier)
    with pytest.raises(ValueError, match="unknown context"):
        labels_for("small_talk")


def test_understand_with_takes_the_intent_but_keeps_the_rules_slots() -> None:
    text = "money's a bit short this week, Friday by email works"
    stub = Stub("promise_to_pay", 0.8)
    u = understand_with(stub, text, NOW, TZ)
    rules = understand(text, NOW, TZ)
    assert (u.intent, u.confidence) == ("promise_to_pay", 0.8)
    assert u.promise_date == rules.promise_date == date(2026, 11, 27)
    assert u.channel == rules.channel == "email"
    assert stub.seen == [(rules.redacted_text, "ask_resolution")]


@pytest.mark.parametrize(
    "text",
    ["Please stop calling me, I will pay later", "I want to speak to a real person, I'll pay"],
)
def test_rules_opt_out_and_human_beat_the_classifier(text: str) -> None:
    u = understand_with(Stub("promise_to_pay", 0.99), text, NOW, TZ)
    assert u == understand(text, NOW, TZ)
    assert u.intent in ("opt_out", "human")


def test_card_data_stays_with_the_rules_and_never_reaches_the_classifier() -> None:
    stub = Stub("other", 0.99)
    text = f"sure, my card is {CARD} expiry 12/28"
    u = understand_with(stub, text, NOW, TZ)
    assert u == understand(text, NOW, TZ)
    assert u.card_data
    assert CARD not in u.redacted_text
    assert stub.seen == []


@pytest.mark.parametrize(
    "stub",
    [
        Stub("pay_now", error=TransientPortError("timed out")),
        Stub("pay_now", error=PermanentPortError("bad reply")),
        Stub("yes"),  # not a resolution label
        Stub("make_coffee"),  # not a label at all
    ],
)
def test_a_failing_or_off_label_classifier_falls_back_to_the_rules(stub: Stub) -> None:
    text = "I already paid that last week"
    assert understand_with(stub, text, NOW, TZ) == understand(text, NOW, TZ)


def test_empty_and_foreign_replies_stay_with_the_rules() -> None:
    for text in ("", None, "Hola, no hablo inglés, lo siento"):
        assert understand_with(Stub("pay_now"), text, NOW, TZ) == understand(text, NOW, TZ)


def test_agreement_keeps_the_higher_confidence_and_confirm_sets_the_answer() -> None:
    u = understand_with(Stub("already_paid", 0.5), "I already paid that", NOW, TZ)
    assert (u.intent, u.confidence) == ("already_paid", 0.9)
    c = understand_with(Stub("yes", 0.8), "that works, thanks", NOW, TZ, context="confirm")
    assert (c.intent, c.answer, c.confidence) == ("yes", "yes", 0.9)
    n = understand_with(Stub("no", 1.7), "hmm, actually no", NOW, TZ, context="confirm")
    assert (n.intent, n.answer, n.confidence) == ("no", "no", 1.0)  # clamped


def test_rules_first_asks_the_classifier_only_when_the_rules_are_unsure() -> None:
    sure, unsure = "I already paid that", "well, the thing is, about that invoice, hmm"
    stub = Stub("dispute", 0.8)
    assert understand_with(stub, sure, NOW, TZ, rules_first=0.6) == understand(sure, NOW, TZ)
    assert stub.seen == []
    u = understand_with(stub, unsure, NOW, TZ, rules_first=0.6)
    assert understand(unsure, NOW, TZ).confidence < 0.6
    assert (u.intent, u.confidence, len(stub.seen)) == ("dispute", 0.8, 1)


def test_embeddings_without_the_extra_say_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runs in the default install too: the import is lazy and the error names the extra."""
    from recoup.agent.backends import embeddings

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS",
                 "TRANSFORMERS_VERBOSITY"):  # fmt: skip
        monkeypatch.setenv(name, "1")  # restored afterwards, whatever the encoder sets

    def missing(name: str) -> None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(embeddings.importlib, "import_module", missing)
    with pytest.raises(ConfigError, match=r"torch==2\.13\.0.*recoup\[embeddings\]") as caught:
        embeddings.MiniLmEncoder()
    assert "torch is missing" in str(caught.value)
