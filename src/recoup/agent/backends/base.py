"""One seam for whoever reads the customer's intent: the rules, embeddings or an LLM.

Only the *intent* (and how sure) may come from a swappable classifier. Everything the law or
the customer's safety hangs on stays in code, whichever back end is chosen: card numbers are
found and redacted by ``redact``, dates, amounts and channels by the rules, and an opt-out or a
request for a human that the rules hear is final. A classifier therefore only ever sees redacted
text, and a classifier that fails (a ``PortError``) or answers off the label set leaves the call
on the rules, so a provider outage never costs more than the rules' accuracy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Final, Literal, Protocol, get_args, runtime_checkable

from recoup.agent.intents import Intent
from recoup.agent.understand import Understanding, understand_rules
from recoup.domain.errors import PortError
from recoup.evaluation.labels import CONFIRM_LABELS, CONTEXTS, VERIFY_LABELS, Context, reading
from recoup.evaluation.labels import LABELS as LABEL_SET

__all__ = [
    "CONFIRM_LABELS",
    "LABELS",
    "RESOLUTION_LABELS",
    "VERIFY_LABELS",
    "Classifier",
    "RulesClassifier",
    "labels_for",
    "rules_label",
    "understand_with",
]

#: What the customer wants when asked "a link now, or a date?": the evaluation's label set.
RESOLUTION_LABELS: Final[tuple[str, ...]] = LABEL_SET
#: Each dialog context and the labels a classifier may answer in it. The readings, and the
#: mapping of the engine's extra intents onto them (yes -> pay_now, no -> other,
#: change_plan -> cancel, hold/greeting -> other), live in ``recoup.evaluation.labels`` only,
#: so what is scored and what is served cannot drift apart.
LABELS: Final[dict[str, tuple[str, ...]]] = {
    "ask_resolution": RESOLUTION_LABELS,
    "confirm": CONFIRM_LABELS,
    "greet_verify": VERIFY_LABELS,
}
_INTENTS: Final = frozenset(get_args(Intent))


@runtime_checkable
class Classifier(Protocol):
    """Reads one customer reply in a dialog context into a label of ``labels_for(context)``
    and a confidence in [0, 1]. Implementations may raise ``PortError`` on failure."""

    def classify(self, text: str, context: str) -> tuple[str, float]: ...


def labels_for(context: str) -> tuple[str, ...]:
    """The label set for a context; an unknown context is a programming error."""
    try:
        return LABELS[context]
    except KeyError:
        raise ValueError(f"unknown context {context!r}; expected one of {sorted(LABELS)}") from None


def rules_label(u: Understanding, context: str) -> str:
    """The rules' reading of ``u`` in ``context``, exactly as the evaluation scores it. It may
    fall outside the context's label set (``other`` at a greeting): that is a miss when scored
    and, in ``understand_with``, simply the rules' own result."""
    labels_for(context)  # an unknown context fails here, loudly
    return reading(u, _as_context(context))


def _as_context(context: str) -> Context:
    for known in CONTEXTS:
        if known == context:
            narrowed: Context = known
            return narrowed
    raise ValueError(f"unknown context {context!r}")


class RulesClassifier:
    """The rules (``understand_rules``) behind the ``Classifier`` seam: the baseline every
    other back end is measured against, and the reading ``understand_with`` falls back to."""

    def __init__(self, tz: str | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self._tz = tz
        self._clock = clock or (lambda: datetime.now(UTC))

    def classify(self, text: str, context: str) -> tuple[str, float]:
        u = understand_rules(text, self._clock(), self._tz)
        return rules_label(u, context), u.confidence


def understand_with(
    classifier: Classifier,
    text: str | None,
    now: datetime,
    tz: str | None = None,
    *,
    context: str = "ask_resolution",
    rules_first: float | None = None,
) -> Understanding:
    """``understand_rules``, with the intent and confidence taken from ``classifier``.

    The rules' result stands unchanged when they hear an opt-out, a request for a human or card
    data, when the reply is empty or not English, when the classifier fails with a
    ``PortError`` or answers a label outside the context's set, and, with ``rules_first`` set,
    whenever the rules are at least that confident (the classifier is then only asked about
    what the rules are unsure of: measured the most accurate mix, and the cheapest). Otherwise
    the slots (date, amount, channel, topic, redacted text) stay the rules'; the intent is the
    classifier's, and where the rules agree with it the confidence is the higher of the two.
    """
    rules = understand_rules(text, now, tz)
    if (
        rules.intent in ("opt_out", "human")
        or rules.card_data
        or not rules.language_ok
        or not rules.redacted_text.strip()
        or (rules_first is not None and rules.confidence >= rules_first)
    ):
        return rules
    labels = labels_for(context)
    try:
        label, confidence = classifier.classify(rules.redacted_text, context)
    except PortError:
        return rules
    if label not in labels or label not in _INTENTS:
        return rules
    confidence = min(1.0, max(0.0, float(confidence)))
    if rules_label(rules, context) == label:
        confidence = max(confidence, rules.confidence)
    answer: Literal["yes", "no"] | None = rules.answer
    if label in ("yes", "no"):
        answer = "yes" if label == "yes" else "no"
    return replace(rules, intent=_as_intent(label), confidence=confidence, answer=answer)


def _as_intent(label: str) -> Intent:
    """Narrow a checked label to the ``Intent`` literal without a cast that could lie."""
    for intent in get_args(Intent):
        if intent == label:
            narrowed: Intent = intent
            return narrowed
    raise ValueError(f"not an intent: {label!r}")
