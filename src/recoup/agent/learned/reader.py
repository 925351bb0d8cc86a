"""The shipped intent model, loaded once, as the rules' second opinion (``understand``)."""

from __future__ import annotations

from functools import lru_cache
from typing import get_args

from recoup.agent.intents import Intent
from recoup.agent.learned.model import IntentModel

__all__ = ["read_intent", "shipped_model"]

_INTENTS: dict[str, Intent] = {intent: intent for intent in get_args(Intent)}


@lru_cache(maxsize=1)
def shipped_model() -> IntentModel:
    """The model in the package; loading it takes tens of milliseconds, so only once."""
    return IntentModel.load()


def read_intent(spoken: str) -> tuple[Intent, float] | None:
    """The model's intent and probability for text in spoken form; None for an empty reply."""
    if not spoken.strip():
        return None
    label, probability = shipped_model().predict(spoken)
    return _INTENTS[label], probability
