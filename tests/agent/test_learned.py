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
from recoup.agent.learned.training import (
    MODEL_LABELS,
    TRAINING_SPLITS,
    cross_validate,
    cross_validate_card,
    examples,
)
from recoup.agent.understand import (
    MODEL_CONTEXTS,
    MODEL_FLOOR,
    _rules_label,
    normalise,
    understand,
    understand_rules,
    with_card_model,
    with_model,
)
from recoup.evaluation.labels import reading

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


@pytest.mark.parametrize("held", ["heldout", "heldout2"])
def test_the_held_out_sets_are_never_learned_from(held: str) -> None:
    with pytest.raises(ValueError, match="never learns from"):
        examples(["dev", held])
    with pytest.raises(ValueError, match="never learns from"):
        cross_validate(["dev", held])
    for context in MODEL_LABELS:
        assert held not in shipped_model(context).trained_on


@pytest.mark.parametrize("context", MODEL_LABELS)
def test_the_shipped_models_were_built_from_the_dev_sets_as_they_are_now(context: str) -> None:
    """Fails when a dev set changed and ``recoup model train`` was not run again."""
    model = shipped_model(context)
    assert model.trained_on == TRAINING_SPLITS
    assert model.fingerprint == fingerprint(examples(TRAINING_SPLITS, context))
    assert model.labels == MODEL_LABELS[context]
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


def test_no_model_is_asked_in_a_turn_none_was_trained_on() -> None:
    text = "the box turned up smashed to bits and nobody will sort it"
    assert understand(text, NOW, TZ, context="ask_date") == understand_rules(text, NOW, TZ)


def test_in_a_yes_no_turn_the_model_sets_the_answer_too() -> None:
    rules = understand_rules("go on then", NOW, TZ)
    u = with_model(rules, "yes", 0.9, "confirm")
    assert (u.intent, u.answer, u.confidence) == ("yes", "yes", 0.9)
    u = with_model(rules, "wrong_party", 0.9, "greet_verify")
    assert (u.intent, u.answer) == ("wrong_party", None)
    assert with_model(rules, "no", MODEL_FLOOR - 0.01, "confirm") == rules  # under the floor


def test_only_the_rules_can_confirm_who_answered() -> None:
    rules = understand_rules("hold on, let me get her", NOW, TZ)
    assert rules.answer != "yes"
    assert with_model(rules, "yes", 0.99, "greet_verify") == rules
    yes = understand_rules("yes speaking", NOW, TZ)
    assert with_model(yes, "wrong_party", 0.9, "greet_verify").intent == "wrong_party"


@pytest.mark.parametrize("context", MODEL_CONTEXTS)
def test_the_rules_label_copy_matches_the_evaluation_reading(context: str) -> None:
    for text in (
        "yes that's me",
        "no it's her husband",
        "call me later",
        "who is this",
        "send it by email",
        "nope, the 15th",
        "i want a person",
        "i paid already",
    ):
        u = understand_rules(text, NOW, TZ)
        assert _rules_label(u, context) == reading(u, context)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["the weather is lovely", "hmm", "banana bread"])
def test_small_talk_is_never_read_as_an_action(text: str) -> None:
    u = understand(text, NOW, TZ)
    assert u.intent == "other" or u.confidence < MODEL_FLOOR


def test_the_shipped_model_reads_spoken_text() -> None:
    label, probability = shipped_model().predict(normalise("Can you take me off your list?"))
    assert label == "opt_out"
    assert probability > 0.5


@pytest.mark.parametrize("context", ["greet_verify", "confirm"])
@pytest.mark.parametrize("text", ["pardon?", "sorry?", "can you say that again", "hello?"])
def test_a_yes_no_turn_is_not_answered_for_a_customer_who_asked_to_hear_it_again(
    context: str, text: str
) -> None:
    """Those models have no "none of these", so they would force an answer nobody gave."""
    assert understand(text, NOW, TZ, context) == understand_rules(text, NOW, TZ)


@pytest.mark.parametrize(
    "text",
    ["got my mastercard sat here in front of me, what do you need from it",
     "the card is in my hand, what do you need"],
)  # fmt: skip
def test_the_card_model_hears_an_offer_the_phrase_list_misses(text: str) -> None:
    assert not understand_rules(text, NOW, TZ).card_data
    u = understand(text, NOW, TZ)
    assert u.card_data
    assert u.redacted_text == text  # an offer holds no digits: nothing is masked


@pytest.mark.parametrize(
    "text",
    ["i am not giving my card details over the phone to a robot",
     "i will never read my card number to a stranger",
     "i updated my card online yesterday",
     "the card ending in 4242 was charged twice"],
)  # fmt: skip
def test_a_refusal_or_a_mention_of_a_card_is_no_offer(text: str) -> None:
    assert not understand(text, NOW, TZ).card_data


def test_the_card_model_never_clears_what_the_rules_found() -> None:
    rules = understand_rules("it's 4242 4242 4242 4242", NOW, TZ)
    assert rules.card_data
    assert with_card_model(rules, 0.0).card_data
    assert understand("it's 4242 4242 4242 4242", NOW, TZ).card_data


def test_card_cross_validation_counts_each_set_left_out() -> None:
    folds = cross_validate_card(["dev3", "dev13"], TrainingConfig(epochs=2))
    assert [f.held_out for f in folds] == ["dev3", "dev13"]
    for fold in folds:
        tp, _, fn = fold.rules
        assert 0 < tp + fn < fold.n  # every set holds card rows and rows without
        mixed_tp, _, mixed_fn = fold.mixed
        assert mixed_tp >= tp  # the model only ever adds the flag
        assert mixed_tp + mixed_fn == tp + fn
    with pytest.raises(ValueError, match="never learns from"):
        cross_validate_card(["dev3", "heldout2"])
