"""Card data: found in digits, words and both; masked everywhere; IDs and amounts left alone."""

from __future__ import annotations

import re

import pytest

from recoup.agent.redact import (
    contains_card_data,
    find_card_numbers,
    luhn_valid,
    mask_contact,
    redact,
)

VISA = "4242424242424242"


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        (VISA, True),
        ("4111111111111111", True),
        ("378282246310005", True),  # Amex, 15 digits
        ("4242424242424241", False),
        ("", False),
        ("4242 4242", False),
    ],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    "spoken",
    [
        "my card is 4242 4242 4242 4242",
        "it's 4242-4242-4242-4242.",
        "4242424242424242",
        "four two four two four two four two four two four two four two four two",
        "four two four two, four two four two, four two four two, four two four two",
        "um 4242 um 4242 4242 4242 and that is it",
        "4242 four two four two 4242 four two four two",
    ],
)
def test_card_numbers_in_digits_words_and_both(spoken: str) -> None:
    assert contains_card_data(spoken)
    assert find_card_numbers(spoken) == [VISA]
    masked = redact(spoken)
    assert "[card number]" in masked
    assert not re.search(r"\d", masked)
    assert "four two" not in masked


def test_oh_and_double_are_digits() -> None:
    spoken = "four oh oh oh oh five double six double five double six double five five six"
    assert find_card_numbers(spoken) == ["4000056655665556"]


def test_misread_card_in_a_card_sentence_is_still_masked() -> None:
    text = "the card number is 4242 4242 4242 4243"  # one digit wrong: fails Luhn
    assert not luhn_valid("4242424242424243")
    assert contains_card_data(text)
    assert redact(text) == "the card number is [card number]"
    assert find_card_numbers(text) == []  # a Luhn scan only reports checksummed numbers


def test_expiry_and_code_after_an_unlabelled_card_are_masked_with_it() -> None:
    text = "4242 4242 4242 4242 12 28 123 thanks"
    assert find_card_numbers(text) == [VISA]  # the card, not a 19-digit window that passes
    assert redact(text) == "[card number] thanks"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("the security code is four five six", "the security code is [security code]"),
        ("cvv 123 please", "cvv [security code] please"),
        ("it expires 12/28", "it expires [expiry]"),
        ("expiry oh nine twenty nine", "expiry [expiry]"),
    ],
)
def test_security_code_and_expiry_count_as_card_data(text: str, masked: str) -> None:
    assert contains_card_data(text)
    assert redact(text) == masked


@pytest.mark.parametrize(
    "offer",
    [
        "I can give you my card number",
        "let me read you the card",
        "Okay, my card number is",
        "can I pay with my card over the phone",
        "got my card right here",
    ],
)
def test_an_offer_to_read_the_card_is_flagged_not_changed(offer: str) -> None:
    assert contains_card_data(offer)
    assert redact(offer) == offer


@pytest.mark.parametrize(
    "text",
    [
        "invoice INV-2024-000123 for $249.00",
        "call me on +1 415 555 0132 or 020 7946 0958",
        "account acct_4242424242424242 and cus_9f8e7d6c",
        "we paid 1,249,000.00 last year",
        "at 1795544779.56404 the event 2026-11-24 18:12:45 was stored",
        "123e4567-e89b-12d3-a456-426614174000",
        "my card expired last month",
        "the card was declined again",
    ],
)
def test_ids_phones_amounts_and_times_are_not_card_data(text: str) -> None:
    assert not contains_card_data(text)
    assert find_card_numbers(text) == []
    assert redact(text) == text


def test_mask_contact_masks_emails_and_phones_but_keeps_ids() -> None:
    text = "email jo@example.com, call +1 415 555 0132, invoice INV-2024-000123"
    assert mask_contact(text) == "email [email], call [phone], invoice INV-2024-000123"


def test_mask_contact_masks_spoken_contacts() -> None:
    text = "it's john at gmail dot com or four one five five five five oh one three two"
    assert mask_contact(text) == "it's [email] or [phone]"


def test_redact_leaves_contacts_for_the_transcript() -> None:
    text = "send it to jo@example.com"
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "sixty eleven one one one one eleven eleven eleven seventeen",  # spoken pairs
        "fifty one oh five ten fifty one oh five ten fifty one oh oh",
        "the expiry on the new card is oh four thirty",
        "and the back code 994",
        "i'll pay now just tell me when to start reading the numbers",
        "my card's not on me, call back tonight and i'll read it to you",
    ],
)
def test_spoken_pairs_cues_and_offers_are_card_data(text: str) -> None:
    assert contains_card_data(text)


@pytest.mark.parametrize(
    "text",
    ["it was two forty nine fifty", "sort code forty one twelve sixty four",
     "call me on four one five five five five oh one three four", "i'll read it to you later"],
)  # fmt: skip
def test_spoken_numbers_that_are_no_card(text: str) -> None:
    assert not contains_card_data(text)


@pytest.mark.parametrize(
    "text",
    [
        "my card is four two four two four two four two",  # stopped after eight digits
        "the card number, 4242 4242 4242",
        "let me read you the numbers off it",
        "i can give you my visa",
        "my mastercard number is",
        "it is the sixteen digit one",
        "the code on the front of the card",
    ],
)
def test_a_card_being_read_or_offered_is_card_data(text: str) -> None:
    assert contains_card_data(text)


def test_a_partly_read_card_is_masked() -> None:
    assert redact("my card is four two four two four two four two") == "my card is [card number]"


@pytest.mark.parametrize(
    "text",
    ["i will send the number on the invoice", "call me on 415 555 0134", "card ending in 4242"],
)
def test_numbers_that_are_not_a_card_read_out_stay(text: str) -> None:
    assert not contains_card_data(text)


@pytest.mark.parametrize(
    "text",
    [
        "five five five five five five five five hold on let me get my glasses",
        "okay four two four two four two four two uh four two four two hang on",
        "right it's 4000 0566 5566 and then",
    ],
)
def test_a_card_started_without_naming_the_card_is_stopped(text: str) -> None:
    assert contains_card_data(text)
    assert not any(ch.isdigit() for ch in redact(text).replace("[card number]", ""))
    assert "[card number]" in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "call me back on four one five five five five oh one three four",
        "my prescription number is 4402 1178",
        "reference 3 3 0 9 1 7 4 4, take me off the list",
        "the order was 4242 4242 and it never came",
        "the number is five five five five five five five five",
        "i'd like oh two oh seven nine four six oh oh one two three struck off your list",
    ],
)
def test_an_unnamed_run_that_says_what_it_is_is_no_card(text: str) -> None:
    assert not contains_card_data(text)


@pytest.mark.parametrize(
    "text",
    [
        "my card expired, i've got the replacement here if you want the details",
        "i got a new card last week, let me give you the new one",
        "can i not just give you me card details now",
        "lemme grab the amex outta my wallet and i'll read you the number",
        "i got the company amex right here if you want me to read it off",
        "can i just pay it over the phone? you ready for the number?",
    ],
)
def test_more_offers_to_read_the_card(text: str) -> None:
    assert contains_card_data(text)
    assert redact(text) == text  # an offer is flagged, and there is nothing to mask yet


def test_paying_over_the_phone_alone_is_no_card_data() -> None:
    assert not contains_card_data("can i not just pay it over the phone with you right now")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("does the expiry matter, mine says oh nine twenty seven", "[expiry]"),
        ("oh and the three digits on the back are 902", "[security code]"),
    ],
)
def test_a_code_or_expiry_a_few_words_after_its_cue(text: str, masked: str) -> None:
    assert contains_card_data(text)
    assert masked in redact(text)
