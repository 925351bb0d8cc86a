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


@pytest.mark.parametrize(
    "text",
    [
        "five five five five... five five five five... five five five five... four four four four",
        "3782, sorry, 822463, um wait, 10005",
        "six oh one one... double one double one... double one double one... one one one seven",
        "ok it's sixty eleven eleven eleven, hang on",
    ],
)
def test_pauses_apologies_and_spoken_pairs_do_not_break_a_reading(text: str) -> None:
    assert contains_card_data(text)
    masked = redact(text)
    assert "[card number]" in masked
    assert not any(ch.isdigit() for ch in masked)


@pytest.mark.parametrize(
    "text",
    [
        "the parcel label said 4200 9530 4156 7128, so where is it",
        "my gym membership 3300 1827 6654 was on the card",
        "the screen shows 3571 1200 9876 4432, what is that",
    ],
)
def test_numbers_named_as_something_else_or_failing_luhn_are_no_card(text: str) -> None:
    assert not contains_card_data(text)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("the expiry, which they changed, is oh two twenty nine", "[expiry]"),
        ("it runs out march twenty eight", "[expiry]"),
        ("expiry month is oh three and the year is thirty", "[expiry]"),
        ("want the cvc as well? it's four four one", "[security code]"),
        ("same card, and the code behind is seven seven one", "[security code]"),
        ("4242 4242 4242 4242 and on the back nine one two", "[security code]"),
    ],
)
def test_a_code_or_expiry_beyond_a_gap_is_masked(text: str, masked: str) -> None:
    assert contains_card_data(text)
    assert masked in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "my card expired last week, i paid two forty nine on friday",
        "the code on the invoice is INV-2026-0042",
        "my contract runs out soon, call me on the 15th",
    ],
)
def test_a_cue_without_a_value_of_its_shape_is_no_card(text: str) -> None:
    assert not contains_card_data(text)
