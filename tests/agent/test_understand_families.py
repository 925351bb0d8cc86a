"""Families of wording added for new writers' phrasings: each case is a paraphrase, not a
sentence from a labelled set, so the rules are held to the family rather than the example."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from recoup.agent.understand import understand_rules
from recoup.evaluation.labels import reading

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # a Wednesday


def label(text: str) -> str:
    return reading(understand_rules(text, NOW, "UTC"), "ask_resolution")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my wife paid it on the app yesterday", "already_paid"),
        ("you lot already took the money", "already_paid"),
        ("i topped up the account this morning", "already_paid"),
        ("it's been dealt with", "already_paid"),
        ("payed it last week", "already_paid"),
        ("the price was 199 when we joined", "dispute"),
        ("i'd like that fee reversed", "dispute"),
        ("you've billed us for five users, we only have three", "dispute"),
        ("the engineer never turned up", "dispute"),
        ("nobody told me about a cancellation fee", "dispute"),
        ("i can only afford about half of it", "hardship"),
        ("my hours got cut at work", "hardship"),
        ("we're barely getting by", "hardship"),
        ("i could give you twenty quid a week", "hardship"),
        ("please disconnect my account", "cancel"),
        ("take me off the premium plan", "cancel"),
        ("unsubscribe me from the family membership", "cancel"),
        ("please don't ring me again", "opt_out"),
        ("if you call again i'll report you to the regulator", "opt_out"),
        ("you don't have my consent to call me", "opt_out"),
        ("put me through to credit control", "human"),
        ("legal department please", "human"),
        ("i'm her executor", "wrong_party"),
        ("i've had this number since january", "wrong_party"),
        ("this is a work phone, he left the company", "wrong_party"),
        ("give me a few days", "promise_to_pay"),
        ("leave it with me, you'll get paid", "promise_to_pay"),
        ("send me the link and i'll pay it when i get paid", "promise_to_pay"),
        ("what's the web address, i'll do it now", "pay_now"),
        ("give me half an hour and try again", "callback"),
        ("i'm in the hospital, call me next week", "callback"),
        ("hold on, is this about the 249", "question"),
        ("nice day for it isn't it", "other"),
        ("uh huh", "other"),
        ("yeah hang on a sec", "other"),
        # near misses that must keep their own reading
        ("is the payment still pending", "question"),
        ("i'll put a payment in on friday", "promise_to_pay"),
        ("my wages should be in by friday, i'll pay then", "promise_to_pay"),
        ("give me a minute i'll grab my card", "pay_now"),
        ("my rent went up so things are tight", "hardship"),
    ],
)
def test_families(text: str, expected: str) -> None:
    assert label(text) == expected


@pytest.mark.parametrize(
    ("text", "card"),
    [
        ("i'll have the card ready to read to you tomorrow", True),
        ("want me to read out my new card", True),
        ("i'll give your colleague the card number", True),
        ("it's a visa four one one one two two", True),
        ("my account number is 456789 and i pay by card", False),
        ("sort code 20 45 67, the card is fine", False),
        ("invoice 445566, i'll pay by card later", False),
    ],
)
def test_card_offers(text: str, card: bool) -> None:
    assert understand_rules(text, NOW, "UTC").card_data is card


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("no, not friday, the 9th", date(2026, 12, 9)),
        ("i never said the 4th, i said the 11th", date(2026, 12, 11)),
        ("i can't do monday, how about wednesday", date(2026, 12, 9)),
        ("on the twelve", date(2026, 12, 12)),
        ("in three or four days", None),
    ],
)
def test_dates(text: str, day: date | None) -> None:
    assert understand_rules(text, NOW, "UTC").promise_date == day
