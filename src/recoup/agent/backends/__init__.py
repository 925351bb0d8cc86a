"""Swappable readers of the customer's intent, measured against the rules.

The rules (``RulesClassifier``) are the default and need nothing extra. ``embeddings`` (the
``recoup[embeddings]`` extra) and ``llm`` (any OpenAI-compatible endpoint) are imported on
demand from their own modules, so the default install never pays for torch or a network call.
Whichever reads the intent, ``understand_with`` keeps the guardrails in code.
"""

from __future__ import annotations

from recoup.agent.backends.base import (
    CONFIRM_LABELS,
    LABELS,
    RESOLUTION_LABELS,
    VERIFY_LABELS,
    Classifier,
    RulesClassifier,
    labels_for,
    rules_label,
    understand_with,
)

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
