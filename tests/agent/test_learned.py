"""The learned intent model: features, training, the shipped file, and its place in understand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from recoup.agent.learned.features import idf_table, raw_counts, vectorise
from recoup.agent.learned.model import (
    IntentModel,
    TrainingConfig,
    best_temperature,
    fingerprint,
    softmax,
    train,
)
from recoup.agent.learned.reader import shipped_model
from recoup.agent.learned.training import TRAINING_SPLITS, cross_validate, examples
from recoup.agent.understand import (
    MODEL_FLOOR,
    normalise,
    understand,
    understand_rules,
)

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
TZ = "America/New_York"
TOY = [
    ("send me the link", "pay_now"), ("text me the link please", "pay_now"),
    ("i will pay friday", "promise_to_pay"), ("i can pay next week", "promise_to_pay"),
    ("never got the product", "dispute"), ("you charged me twice", "dispute"),
    ("send the link by email", "pay_now"), ("i will pay on monday", "promise_to_pay"),
    ("charged twice for one month", "dispute"),
]  # fmt: skip
TOY_LABELS = ("pay_now", "promise_to_pay", "dispute")


def test_features_are_words_pairs_and_pieces() -> None:
    words, pieces = raw_counts("never got it")
    assert {"w:never", "b:<s> never", "b:never got", "b:got it"} <= set(words)
    assert {"c: ne", "c:ever", "c:got "} <= set(pieces)


def test_each_block_has_unit_length_and_rare_terms_are_dropped() -> None:
    idf = idf_table(["never got it", "never got the box", "got it"], min_df=2)
    assert "w:box" not in idf
    assert "w:never" in idf
    vec = vectorise("never got it", idf)
    words = sum(v * v for t, v in vec.items() if t[0] in "wb")
    pieces = sum(v * v for t, v in vec.items() if t[0] == "c")
    assert words == pytest.approx(1.0)
    assert pieces == pytest.approx(1.0)
    assert vectorise("zzz", idf) == {}


def test_training_learns_a_toy_task_and_generalises_a_little() -> None:
    model = train(TOY, TOY_LABELS, TrainingConfig(epochs=40, min_df=1))
    assert model.predict("send the link")[0] == "pay_now"
    assert model.predict("i will pay next friday")[0] == "promise_to_pay"
    assert model.predict("you charged us twice")[0] == "dispute"
    assert sum(model.probabilities("anything").values()) == pytest.approx(1.0)


def test_training_is_repeatable_and_the_file_round_trips(tmp_path: Path) -> None:
    cfg = TrainingConfig(epochs=5, min_df=1, temperature=2.0)
    first, second = train(TOY, TOY_LABELS, cfg), train(TOY, TOY_LABELS, cfg)
    first.save(tmp_path / "a.json.gz")
    second.save(tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()
    loaded = IntentModel.load(tmp_path / "a.json.gz")
    assert loaded.temperature == 2.0
    assert loaded.fingerprint == fingerprint(TOY)
    for text, _ in TOY:
        assert loaded.predict(text)[0] == first.predict(text)[0]
        assert loaded.predict(text)[1] == pytest.approx(first.predict(text)[1], abs=1e-3)


def test_an_unknown_label_is_refused() -> None:
    with pytest.raises(ValueError, match="outside the label set"):
        train([("hello", "greeting")], TOY_LABELS)


def test_temperature_softens_and_calibration_prefers_the_honest_one() -> None:
    assert softmax([2.0, 0.0], 2.0)[0] < softmax([2.0, 0.0])[0]
    # Scores that are right only half the time: a high temperature fits them best.
    scored = [([4.0, 0.0], 0), ([4.0, 0.0], 1)] * 5
    assert best_temperature(scored) == max(best_temperature(scored, [0.5, 6.0]), 0.5)
    assert best_temperature([([4.0, 0.0], 0)] * 10) == 0.5


def test_the_held_out_set_is_never_learned_from() -> None:
    with pytest.raises(ValueError, match="never learns from"):
        examples(["dev", "heldout"])
    with pytest.raises(ValueError, match="never learns from"):
        cross_validate(["dev", "heldout"])
    assert "heldout" not in shipped_model().trained_on


def test_the_shipped_model_was_built_from_the_dev_sets_as_they_are_now() -> None:
    """Fails when a dev set changed and ``recoup model train`` was not run again."""
    model = shipped_model()
    assert model.trained_on == TRAINING_SPLITS
    assert model.fingerprint == fingerprint(examples(TRAINING_SPLITS))
    assert 0.5 <= model.temperature <= 6.0


def test_the_model_reads_what_the_rules_miss() -> None:
    text = "the box turned up smashed to bits and nobody will sort it"
    rules = understand_rules(text, NOW, TZ)
    assert rules.intent != "dispute"
    u = understand(text, NOW, TZ)
    assert (u.intent, u.confidence >= MODEL_FLOOR) == ("dispute", True)
    assert u.redacted_text == rules.redacted_text


@pytest.mark.parametrize(
    "text",
    [
        "stop calling me",  # an opt-out the rules hear is final
        "I already paid it but I'll pay it friday",  # a contradiction is asked again
        "",
    ],
)
def test_what_the_rules_settle_the_model_never_changes(text: str) -> None:
    assert understand(text, NOW, TZ) == understand_rules(text, NOW, TZ)


def test_the_model_is_only_asked_in_the_turn_it_was_trained_on() -> None:
    text = "the box turned up smashed to bits and nobody will sort it"
    assert understand(text, NOW, TZ, context="verify") == understand_rules(text, NOW, TZ)


@pytest.mark.parametrize("text", ["the weather is lovely", "hmm", "banana bread"])
def test_small_talk_stays_unsure(text: str) -> None:
    assert understand(text, NOW, TZ).confidence < MODEL_FLOOR


def test_the_shipped_model_reads_spoken_text() -> None:
    label, probability = shipped_model().predict(normalise("Can you take me off your list?"))
    assert label == "opt_out"
    assert probability > 0.5
