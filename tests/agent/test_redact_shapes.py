"""A card read out part-way is caught; dates, invoice and phone numbers near the word "card" are
not (regression: a summary lost its invoice number and due date to the partial-card rule)."""

from __future__ import annotations

import pytest

from recoup.agent.redact import contains_card_data, redact


def test_a_summary_about_a_card_keeps_its_invoice_number_and_date() -> None:
    summary = (
        "Maya Chen was called about invoice INV-2611-00101 for $249.00, due 2026-11-20. "
        "They dispute the charge (billed twice on our card)."
    )
    assert redact(summary) == summary


@pytest.mark.parametrize(
    "text",
    ["call 415 555 0134 about the card", "the card payment of 2026-11-20", "card ref 2611-00101"],
)
def test_other_numbers_near_a_card_are_not_card_data(text: str) -> None:
    assert not contains_card_data(text)
    assert redact(text) == text


@pytest.mark.parametrize(
    "text", ["my card is four two four two four two four two", "the card number, 4242 4242 4242"]
)
def test_a_card_stopped_part_way_is_masked(text: str) -> None:
    assert "[card number]" in redact(text)
    assert "4242" not in redact(text)
    assert "four two four two" not in redact(text)
