"""The shipped intent models, loaded once each, as the rules' second opinion (``understand``)."""

from __future__ import annotations

from functools import lru_cache

from recoup.agent.learned.model import CARD_MODEL, IntentModel, model_file

__all__ = ["read_card_offer", "read_intent", "shipped_model"]


@lru_cache(maxsize=8)
def shipped_model(context: str = "ask_resolution") -> IntentModel:
    """The model for one turn, from the package; loading takes tens of milliseconds."""
    return IntentModel.load(name=model_file(context))


def read_intent(spoken: str, context: str = "ask_resolution") -> tuple[str, float] | None:
    """The model's label and probability for text in spoken form; None for an empty reply."""
    if not spoken.strip():
        return None
    return shipped_model(context).predict(spoken)


def read_card_offer(spoken: str) -> float | None:
    """The card model's probability that the reply holds or offers card details."""
    if not spoken.strip():
        return None
    return shipped_model(CARD_MODEL).probabilities(spoken)["yes"]
