"""Understanding replies: intents by priority, slots, and a confidence that admits doubt."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from recoup.agent.dialog import Dialog  # noqa: F401  (the floor the dialog acts on)
from recoup.agent.flow import CONFIDENCE_FLOOR
from recoup.agent.understand import Understanding, normalise, understand_rules

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday


def hear(text: str | None) -> Understanding:
    return understand_rules(text, NOW, "America/New_York")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Please stop calling me.", "opt_out"),
        ("Take me off your list", "opt_out"),
        ("don't call this number again", "opt_out"),
        ("I want to speak to a real person", "human"),
        ("Put me through to your manager.", "human"),
        ("wrong number", "wrong_party"),
        ("No, this is his wife, he's not here", "wrong_party"),
        ("Dana's not around right now, can I take a message?", "wrong_party"),
        ("I never ordered this", "dispute"),
        ("we were charged twice for this", "dispute"),
        ("that's more than we agreed to pay", "dispute"),
        ("I want to cancel my subscription", "cancel"),
        ("we'd like to downgrade to a cheaper plan", "change_plan"),
        ("I lost my job and can't afford it", "hardship"),
        ("I already paid that", "already_paid"),
        ("My accountant paid it on Monday.", "already_paid"),
        ("I'm driving, can you call me back later?", "callback"),
        ("Yeah, I can pay now. Send me a link.", "pay_now"),
        ("um like just send it over and I'll pay it right away", "pay_now"),
        ("Ugh, that was the week before payday. Fine, I'll update the card.", "pay_now"),
        ("I can pay next friday", "promise_to_pay"),
        ("I can't pay right now", "promise_to_pay"),
        ("Not today, but soon.", "promise_to_pay"),
        ("the 15th", "promise_to_pay"),
        ("How much do I owe?", "question"),
        ("Is this a scam?", "question"),
        ("Yes, speaking", "yes"),
        ("Mm-hm, that's me.", "yes"),
        ("uh, yes?", "yes"),
        ("nope", "no"),
        ("definitely not", "no"),
        ("of course not!", "no"),
        ("get me your manager on the line", "human"),
        ("hold on, let me get her", "hold"),
        ("hello?", "greeting"),
    ],
)
def test_intents(text: str, intent: str) -> None:
    u = hear(text)
    assert u.intent == intent
    assert u.confidence >= CONFIDENCE_FLOOR


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("yes, and stop calling me", "opt_out"),  # the customer's right beats everything
        ("I already paid, let me talk to a human", "human"),
        ("yes this is Dana, I already paid", "already_paid"),
        ("I'll pay friday but the amount is wrong", "dispute"),
    ],
)
def test_priority(text: str, intent: str) -> None:
    assert hear(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "hmm",
        "the weather is lovely",
        "yes no",
        "I already paid it but I'll pay it friday",  # contradicts itself
        "right, that's the enterprise price, we're on starter plan",  # a long not-quite-yes
        "could you do something about it?",  # a question we cannot place
    ],
)
def test_the_rules_confidence_drops_below_the_floor(text: str | None) -> None:
    assert understand_rules(text, NOW, "America/New_York").confidence < CONFIDENCE_FLOOR


def test_silence_has_no_confidence_at_all() -> None:
    assert hear(None).confidence == 0.0
    assert hear("  ").intent == "other"


def test_slots() -> None:
    u = hear("I can pay 100 dollars next friday, email me the receipt")
    assert u.promise_date == date(2026, 12, 4)
    assert u.amount == Decimal("100")
    assert u.channel == "email"


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("$249.50 today", Decimal("249.50")),
        ("two hundred and fifty dollars", Decimal(250)),
        ("a hundred bucks", Decimal(100)),
        ("1,249 euros", Decimal(1249)),
    ],
)
def test_amounts(text: str, amount: Decimal) -> None:
    assert hear(text).amount == amount


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("email is fine", "email"),
        ("WhatsApp please", "whatsapp"),
        ("not email, whatsapp", "whatsapp"),
        ("text it to me", "whatsapp"),
        ("okay", None),
    ],
)
def test_channel(text: str, channel: str | None) -> None:
    assert hear(text).channel == channel


def test_question_topics() -> None:
    topics = {
        "how much is it": "amount",
        "which invoice is this?": "invoice",
        "when was it due": "due_date",
        "why did it fail?": "reason",
        "how do I know this is legit": "legitimacy",
        "is this call recorded?": "recording",
        "who's calling?": "caller",
        "sorry, what did you say?": "repeat",
    }
    for text, topic in topics.items():
        assert hear(text).question_topic == topic, text


def test_card_data_is_flagged_redacted_and_read_as_wanting_to_pay() -> None:
    u = hear("My card number is 4242 4242 4242 4242, expiry 12/28.")
    assert u.card_data
    assert u.intent == "pay_now"
    assert not re.search(r"\d", u.redacted_text)
    assert u.promise_date is None  # an expiry is not a promise date


@pytest.mark.parametrize(
    "text",
    [
        "Hola, no hablo inglés",
        "Bonjour, je ne parle pas anglais",
        "Ja, ich bin nicht da",
        "¿Quién es?",
        "bonjour",
    ],
)
def test_not_english(text: str) -> None:
    u = hear(text)
    assert not u.language_ok
    assert u.confidence < CONFIDENCE_FLOOR


@pytest.mark.parametrize(
    "text", ["This is José, yes", "Hi, it's Zoë", "yes please send the link", "no"]
)
def test_english_with_foreign_names_is_english(text: str) -> None:
    assert hear(text).language_ok


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("I can't make it on Saturday", None),  # Saturday is ruled out, not offered
        ("I can't pay on friday", None),
        ("I can't pay until Saturday", date(2026, 11, 28)),
        ("Not today. I can do friday though", date(2026, 11, 27)),
        ("I can't do it today, but I can pay friday", date(2026, 11, 27)),
    ],
)
def test_a_date_that_is_ruled_out_is_not_a_promise(text: str, day: date | None) -> None:
    assert hear(text).promise_date == day


def test_vague_promise_needs_a_date() -> None:
    u = hear("I'll pay after the holidays")
    assert u.intent == "promise_to_pay"
    assert u.promise_date is None
    assert u.needs_date_clarification


def test_upset() -> None:
    assert hear("this is ridiculous, I'm fed up").upset
    assert not hear("sure, that's fine").upset


def test_normalise_spoken_style() -> None:
    assert normalise("Um, I'll, like, pay it — you know — tomorrow!") == "i will pay it tomorrow"
    assert normalise("I'd like to pay") == "i would like to pay"
    assert normalise("dont cant wont") == "do not can not will not"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("can i pay it off in instalments", "hardship"),
        ("i can only do fifty a month", "hardship"),
        ("i cancelled months ago why am i still being charged", "dispute"),
        ("opt me out of the plan", "cancel"),
        ("i'm her flatmate, she's at work", "wrong_party"),
        ("i'm at the gym can you try me later", "callback"),
        ("i revoke my consent to these calls", "opt_out"),
        ("representative", "human"),
        ("it says paid on my statement", "already_paid"),
        ("how about monday", "promise_to_pay"),
    ],
)
def test_more_ways_of_saying_it(text: str, intent: str) -> None:
    assert hear(text).intent == intent


def test_a_date_with_not_now_is_still_offered() -> None:
    assert hear("not right now, maybe thursday").promise_date == date(2026, 11, 26)
    assert hear("i can't make it on saturday").promise_date is None


def test_small_talk_and_bare_what_are_not_questions_we_can_answer() -> None:
    assert hear("what's the weather like there").intent == "other"
    assert hear("what?").intent == "other"
