"""The shipped intent models, loaded once each, as the rules' second opinion (``understand``)."""

from __future__ import annotations

from functools import lru_cache

from recoup.agent.learned.model import IntentModel, model_file

__all__ = ["read_intent", "shipped_model"]


@lru_cache(maxsize=4)
def shipped_model(context: str = "ask_resolution") -> IntentModel:
    """The model for one turn, from the package; loading takes tens of milliseconds."""
    return IntentModel.load(name=model_file(context))


def read_intent(spoken: str, context: str = "ask_resolution") -> tuple[str, float] | None:
    """The model's label and probability for text in spoken form; None for an empty reply."""
    if not spoken.strip():
        return None
    return shipped_model(context).predict(spoken)
