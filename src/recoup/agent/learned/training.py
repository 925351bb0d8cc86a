"""Building the shipped model from our dev sets, and measuring it on sets it did not see.

Each turn's model (``CONTEXT_LABELS``) learns from that turn's rows of ``TRAINING_SPLITS``
only. The held-out split is refused outright: its figure is the one the README reports as
unseen, and a model that had learned from it would make that figure a lie.

``cross_validate`` holds each dev set out in turn, trains on the others and scores the rules,
the model and the two together (``understand``'s mix) on the set left out: the honest way to
pick ``MODEL_FLOOR``, the temperature and the training knobs without the held-out set.
The rules were written against ``dev`` and ``dev2``, so their figure on those folds flatters
them; the sets written after the rules (dev3 onwards) are the fair folds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from recoup.agent.learned.model import (
    CARD_LABELS,
    CARD_MODEL,
    IntentModel,
    TrainingConfig,
    best_temperature,
    softmax,
    train,
)
from recoup.agent.understand import (
    MODEL_FLOOR,
    Understanding,
    model_text,
    understand_rules,
    with_card_model,
    with_model,
)
from recoup.evaluation.datasets import HELD_OUT, SPLITS, Utterance, load_split
from recoup.evaluation.labels import (
    CONFIRM_LABELS,
    CONTEXTS,
    LABELS,
    VERIFY_LABELS,
    Context,
    reading,
)

__all__ = [
    "CONTEXT_LABELS", "MODEL_LABELS", "TRAINING_SPLITS", "CardFold", "Fold", "build",
    "cross_validate", "cross_validate_card", "examples", "mixed_label",
]  # fmt: skip

TRAINING_SPLITS: tuple[str, ...] = tuple(s for s in SPLITS if s not in HELD_OUT)
_NEVER = frozenset(HELD_OUT)


#: Each turn a model is trained for, and its labels.
CONTEXT_LABELS: dict[str, tuple[str, ...]] = {
    "ask_resolution": LABELS, "confirm": CONFIRM_LABELS, "greet_verify": VERIFY_LABELS,
}  # fmt: skip
#: Every model shipped, by name: the turns' intent models and ``CARD_MODEL``, which learns
#: from every turn's rows whether the reply holds or offers card details.
MODEL_LABELS: dict[str, tuple[str, ...]] = CONTEXT_LABELS | {CARD_MODEL: CARD_LABELS}


def _rows(splits: Sequence[str], context: str = "ask_resolution") -> list[Utterance]:
    barred = _NEVER.intersection(splits)
    if barred:
        raise ValueError(f"the model never learns from {sorted(barred)}: it is for scoring only")
    every_turn = context == CARD_MODEL
    return [u for s in splits for u in load_split(s) if every_turn or u.context == context]


def _spoken(u: Utterance) -> tuple[str, Understanding]:
    rules = understand_rules(u.text, u.now, u.tz)
    return model_text(rules), rules


def _label(u: Utterance, model: str) -> str:
    if model == CARD_MODEL:
        return CARD_LABELS[u.card_data]
    return u.label


def examples(
    splits: Sequence[str] = TRAINING_SPLITS, context: str = "ask_resolution"
) -> list[tuple[str, str]]:
    """(spoken, redacted text; label) pairs of one model (a turn, or ``CARD_MODEL``), in file
    order."""
    return [(_spoken(u)[0], _label(u, context)) for u in _rows(splits, context)]


def build(
    out: Path,
    splits: Sequence[str] = TRAINING_SPLITS,
    config: TrainingConfig | None = None,
    context: str = "ask_resolution",
) -> IntentModel:
    """Train one model (a turn's, or ``CARD_MODEL``) on ``splits`` and write it to ``out``."""
    model = train(examples(splits, context), MODEL_LABELS[context], config, trained_on=splits)
    model.save(out)
    return model


def mixed_label(
    rules: Understanding, model: tuple[str, float], context: str, floor: float = MODEL_FLOOR
) -> str:
    """The label ``understand`` gives with ``MODEL_FLOOR`` at ``floor``."""
    label, probability = model
    return reading(with_model(rules, label, probability, context, floor), _context(context))


def _context(name: str) -> Context:
    for known in CONTEXTS:
        if known == name:
            return known
    raise ValueError(f"unknown context {name!r}")


@dataclass(frozen=True)
class Fold:
    """Accuracy on one held-out dev set: rules, model, and the mix at each model floor."""

    held_out: str
    n: int
    rules: float
    model: float
    mixed: dict[float, float]


@dataclass(frozen=True)
class _Scored:
    held_out: str
    rules: list[Understanding]
    scores: list[list[float]]
    truth: list[str]
    context: str


def cross_validate(
    splits: Sequence[str] = TRAINING_SPLITS,
    config: TrainingConfig | None = None,
    floors: Sequence[float] = (0.5, 0.6, 0.7),
    progress: Callable[[str], None] = lambda _: None,
    context: str = "ask_resolution",
) -> tuple[list[Fold], float]:
    """Leave one set out at a time; every figure is on replies the model never saw. Also
    returns the temperature that calibrates the model best over all the folds together, and
    the mixed figures use probabilities at that temperature, as the shipped model would."""
    labels = CONTEXT_LABELS[context]
    _rows(splits)  # the held-out split is refused before any work
    runs = []
    for held in splits:
        progress(held)
        rows = [(_spoken(u), u.label) for u in _rows([held], context)]
        if not rows:
            continue  # a set without this turn
        model = train(examples([s for s in splits if s != held], context), labels, config)
        runs.append(_Scored(held, [r for (_, r), _ in rows],
                            [model.scores(spoken) for (spoken, _), _ in rows],
                            [label for _, label in rows], context))  # fmt: skip
    temperature = best_temperature(
        [(s, labels.index(t)) for run in runs for s, t in zip(run.scores, run.truth, strict=True)]
    )
    return [_fold(run, temperature, floors) for run in runs], temperature


def _fold(run: _Scored, temperature: float, floors: Sequence[float]) -> Fold:
    labels = CONTEXT_LABELS[run.context]
    answers = []
    for scores in run.scores:
        probs = softmax(scores, temperature)
        best = max(range(len(probs)), key=probs.__getitem__)
        answers.append((labels[best], probs[best]))

    def accuracy(predicted: Sequence[str]) -> float:
        hits = sum(p == t for p, t in zip(predicted, run.truth, strict=True))
        return hits / max(1, len(run.truth))

    rules = [reading(r, _context(run.context)) for r in run.rules]
    mixed = {t: accuracy([mixed_label(r, a, run.context, t)
                          for r, a in zip(run.rules, answers, strict=True)])
             for t in floors}  # fmt: skip
    return Fold(run.held_out, len(run.truth), accuracy(rules),
                accuracy([a for a, _ in answers]), mixed)  # fmt: skip


@dataclass(frozen=True)
class CardFold:
    """Card data on one dev set left out: (true positives, false positives, false negatives)
    of the rules alone and of the rules with the card model's offers added."""

    held_out: str
    n: int
    rules: tuple[int, int, int]
    mixed: tuple[int, int, int]


def cross_validate_card(
    splits: Sequence[str] = TRAINING_SPLITS,
    config: TrainingConfig | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> list[CardFold]:
    """Leave one set out at a time and count what ``understand`` flags as card data, with and
    without the card model: the way ``CARD_FLOOR`` was chosen."""
    _rows(splits)
    folds = []
    for held in splits:
        progress(held)
        model = train(examples([s for s in splits if s != held], CARD_MODEL), CARD_LABELS, config)
        rules_hits, mixed_hits = [], []
        for u in _rows([held], CARD_MODEL):
            spoken, rules = _spoken(u)
            p_yes = model.probabilities(spoken)["yes"]
            rules_hits.append((rules.card_data, u.card_data))
            mixed_hits.append((with_card_model(rules, p_yes).card_data, u.card_data))
        folds.append(CardFold(held, len(rules_hits), _counts(rules_hits), _counts(mixed_hits)))
    return folds


def _counts(pairs: Sequence[tuple[bool, bool]]) -> tuple[int, int, int]:
    tp = sum(1 for p, t in pairs if p and t)
    fp = sum(1 for p, t in pairs if p and not t)
    return tp, fp, sum(1 for p, t in pairs if t and not p)
