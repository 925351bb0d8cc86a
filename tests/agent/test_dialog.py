"""The dialog's guardrails, driven through ``converse`` with a scripted customer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from recoup.agent import lines
from recoup.agent.call import MAX_TURNS, converse
from recoup.agent.dialog import AgentTurn, Dialog
from recoup.agent.lines import Lines, format_amount, format_date
from recoup.agent.redact import find_card_numbers
from recoup.domain.errors import PolicyViolationError
from recoup.domain.models import (
    Account,
    CallRequest,
    CaseContext,
    Channel,
    Disposition,
    Escalation,
    EscalationReason,
    Invoice,
    Outcome,
    ReviewReason,
    Team,
    TriggerKind,
    Urgency,
)

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wednesday, 10:00 in New York
DEBT = re.compile(r"payment|balance|owe|invoice|amount|\$|249|INV-0042|debt|overdue", re.I)


def request(**changes: Any) -> CallRequest:
    """A call about invoice INV-0042 for $249.00 to Dana Reyes; ``changes`` go anywhere."""
    account = {
        "account_id": "acct_1",
        "name": "Dana Reyes",
        "company": "Reyes Design",
        "phone": "+14155550132",
        "email": "dana@example.com",
        "whatsapp": "+14155550132",
        "timezone": "America/New_York",
    } | changes.pop("account", {})
    invoice = Invoice(
        invoice_ref="in_1",
        number="INV-0042",
        customer_ref="cus_1",
        amount=Decimal("249.00"),
        currency="usd",
        due_date=date(2026, 11, 20),
        failure_reason="expired_card",
    )
    case = CaseContext(
        case_id="case_1",
        account=Account(**account),
        invoice=invoice,
        trigger_kind=changes.pop("trigger_kind", TriggerKind.PAYMENT_FAILED),
        match_confidence=1.0,
    )
    base = {
        "call_id": "call_1",
        "case": case,
        "attempt_no": 1,
        "recording_notice": True,
        "callback_number": "+1 800 555 0100",
        "company_name": "Acme Cloud",
    }
    return CallRequest(**(base | changes))


class Script:
    """Replies in order whatever the agent says; ``None`` (or running out) hangs up."""

    def __init__(self, *replies: str | None) -> None:
        self.replies = list(replies)
        self.heard: list[tuple[str, str]] = []

    def reply(self, act: str, text: str) -> str | None:
        self.heard.append((act, text))
        return self.replies.pop(0) if self.replies else None

    @property
    def acts(self) -> list[str]:
        return [act for act, _ in self.heard]


def call(*replies: str | None, **changes: Any) -> tuple[Disposition, Script]:
    script = Script(*replies)
    return converse(request(**changes), "human", script, NOW), script


def agent_lines(d: Disposition) -> list[str]:
    return [t.text for t in d.transcript if t.speaker == "agent"]


def test_disclosure_and_recording_notice_come_first() -> None:
    _, script = call(None)
    act, text = script.heard[0]
    assert act == "greet_verify"
    assert re.match(
        r"(Hi|Hello), (this is|I'm) an automated assistant calling on behalf of "
        r"Acme Cloud\.",
        text,
    )
    assert "recorded" in text
    assert text.endswith(("May I speak with Dana Reyes?", "Could I speak with Dana Reyes, please?"))
    _, script = call(None, recording_notice=False)
    assert "recorded" not in script.heard[0][1]


@pytest.mark.parametrize(
    "replies",
    [
        ("who's calling?", "is this a scam?", "is this recorded?", "what's it about?", "no"),
        ("hello?", "hold on, let me get her", "", "", ""),
        ("No, this is her husband. She's at work.",),
        ("stop calling this number",),
        ("Hola, no hablo inglés",),
        ("my card is 4242 4242 4242 4242", "mmm", "pardon?"),
    ],
)
def test_nothing_about_the_debt_before_verification(replies: Sequence[str]) -> None:
    d, _ = call(*replies)
    assert d.transcript[0].speaker == "agent"
    for text in agent_lines(d):
        assert not DEBT.search(text), text


def test_a_third_party_hears_name_company_and_callback_only() -> None:
    d, _ = call("No, this is her husband. She's at work.")
    assert d.outcome is Outcome.WRONG_PARTY
    assert d.intent == "wrong_party"
    close = agent_lines(d)[-1]
    assert "Dana Reyes" in close
    assert "Acme Cloud" in close
    assert "+1 800 555 0100" in close
    assert not DEBT.search(close)
    assert "nothing was disclosed" in d.summary


def test_the_guardrail_refuses_a_line_that_would_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        lines.TEMPLATES, "greet_verify", ("Is {name} there about invoice {invoice}?",)
    )
    with pytest.raises(PolicyViolationError):
        Dialog(request(), NOW).open("human")


def test_pay_now_by_whatsapp() -> None:
    d, script = call("yes, speaking", "sure, send me a link", "WhatsApp please", "yes")
    assert script.acts == ["greet_verify", "ask_resolution", "ask_channel", "confirm", "close"]
    reminder = script.heard[1][1]
    assert "INV-0042" in reminder
    assert "$249.00" in reminder
    assert "Friday, November 20" in reminder
    assert "didn't go through" in reminder
    assert d.outcome is Outcome.LINK_SENT
    assert d.channel is Channel.WHATSAPP
    assert (d.intent, d.objection) == ("pay_now", None)
    assert d.next_action == "send payment link by whatsapp"
    assert "INV-0042" in d.summary
    assert "$249.00" in d.summary
    assert "WhatsApp" not in d.summary


def test_email_is_the_default_when_the_customer_has_no_preference() -> None:
    d, _ = call("this is Dana", "send me the link", "either is fine", "yes")
    assert (d.outcome, d.channel) == (Outcome.LINK_SENT, Channel.EMAIL)


def test_with_email_only_there_is_no_channel_question() -> None:
    d, script = call("yes", "I'll pay it now", "yes", account={"whatsapp": None, "phone": None})
    assert "ask_channel" not in script.acts
    assert (d.outcome, d.channel) == (Outcome.LINK_SENT, Channel.EMAIL)


def test_a_promise_within_the_limit_is_confirmed_and_recorded() -> None:
    d, script = call("yes", "I can pay next friday", "yes that's right")
    assert script.acts[-2:] == ["confirm", "close"]
    assert "Friday, December 4" in script.heard[-2][1]
    assert d.outcome is Outcome.PROMISE_RECORDED
    assert d.promise_date == date(2026, 12, 4)
    assert d.next_action == "remind on 2026-12-04"


def test_a_promise_without_a_date_asks_for_one() -> None:
    d, script = call("yes", "not today, I need a few days", "um, friday", "yes")
    assert script.acts == ["greet_verify", "ask_resolution", "ask_date", "confirm", "close"]
    assert (d.outcome, d.promise_date) == (Outcome.PROMISE_RECORDED, date(2026, 11, 27))


def test_a_promise_beyond_the_limit_is_not_accepted_on_the_call() -> None:
    d, script = call("yes", "I can pay at the end of next month", "yes")
    assert "confirm" not in script.acts
    assert d.outcome is Outcome.REVIEW
    assert d.review_reason is ReviewReason.PROMISE_OUT_OF_POLICY
    assert d.promise_date == date(2026, 12, 31)
    assert "can't agree" in agent_lines(d)[-1]


def test_dispute_asks_for_detail_then_escalates_to_finance() -> None:
    d, script = call("yes", "we were charged twice for this", "once on the 3rd, once on the 4th")
    assert script.acts[-2:] == ["ask_dispute_detail", "close"]
    assert d.outcome is Outcome.ESCALATED
    assert d.escalation == Escalation(team=Team.FINANCE, reason=EscalationReason.DISPUTE)
    assert d.intent == "dispute"
    assert d.objection == "once on the 3rd, once on the 4th"
    assert d.next_action == "finance to review dispute"


@pytest.mark.parametrize(
    ("said", "team", "reason"),
    [
        ("please cancel our account", Team.ACCOUNT_OWNER, EscalationReason.CANCELLATION),
        (
            "we want to switch to a cheaper plan",
            Team.ACCOUNT_OWNER,
            EscalationReason.CONTRACT_CHANGE,
        ),
        ("I'd rather talk to a person", Team.FINANCE, EscalationReason.HUMAN_REQUESTED),
    ],
)
def test_escalations(said: str, team: Team, reason: EscalationReason) -> None:
    d, _ = call("yes", said)
    assert d.outcome is Outcome.ESCALATED
    assert d.escalation == Escalation(team=team, reason=reason)


@pytest.mark.parametrize(
    ("said", "outcome", "reason"),
    [
        ("I already paid that last week", Outcome.REVIEW, ReviewReason.CLAIMED_PAID),
        ("I lost my job, I can't afford it", Outcome.REVIEW, ReviewReason.HARDSHIP),
        ("I'm driving, call me back tomorrow", Outcome.CALLBACK_SCHEDULED, None),
    ],
)
def test_outcomes_a_person_follows_up(
    said: str, outcome: Outcome, reason: ReviewReason | None
) -> None:
    d, _ = call("yes", said)
    assert (d.outcome, d.review_reason) == (outcome, reason)
    assert d.objection == said


def test_a_callback_keeps_its_day_out_of_the_promise() -> None:
    d, _ = call("yes", "I'm driving, call me back tomorrow")
    assert d.promise_date is None
    assert d.next_action == "call back on 2026-11-26"


@pytest.mark.parametrize(
    ("replies", "outcome"),
    [
        (("yes", "send me the link", "actually, just stop calling me"), Outcome.DO_NOT_CONTACT),
        (
            ("yes", "send me the link", "whatsapp", "no, I want to speak to someone"),
            Outcome.ESCALATED,
        ),
        (("yes", "friday", "don't ever call me again"), Outcome.DO_NOT_CONTACT),
    ],
)
def test_opt_out_and_human_are_honoured_at_once_mid_call(
    replies: Sequence[str], outcome: Outcome
) -> None:
    d, script = call(*replies, "never acted on")
    assert d.outcome is outcome
    assert script.acts[-1] == "close"  # ended on that turn
    assert d.transcript[-1].speaker == "agent"
    assert len([t for t in d.transcript if t.speaker == "customer"]) == len(replies)


def test_a_question_is_answered_from_the_case_and_the_call_goes_back() -> None:
    d, script = call(
        "yes", "how much is it again?", "is this legit?", "ok send me the link", "email", "yes"
    )
    assert script.acts[2:4] == ["answer_question", "answer_question"]
    amount_answer, legit_answer = script.heard[2][1], script.heard[3][1]
    assert "$249.00" in amount_answer
    assert "INV-0042" in amount_answer
    assert "number on your invoice" in legit_answer
    for answer in (amount_answer, legit_answer):  # and the question it was at, asked again
        assert answer.endswith(
            ("or is there a date that works better for you?", "What would you prefer?")
        )
    assert d.outcome is Outcome.LINK_SENT


def test_a_question_while_confirming_identity_is_answered_with_the_reminder() -> None:
    _, script = call("yes it's me, who's calling?", None)
    act, text = script.heard[1]
    assert act == "ask_resolution"
    assert "INV-0042" in text
    assert "automated assistant calling on behalf of Acme Cloud" in text


def test_card_details_are_interrupted_redacted_and_flagged() -> None:
    d, script = call(
        "yes",
        "let me read you the card: 4242 4242 4242 4242, exp 12/28",
        "oh, ok, email then",
        "yes",
    )
    act, text = script.heard[2]
    assert act == "warn_card_data"
    assert "don't" in text
    assert "card details" in text
    assert "secure link" in text
    assert d.card_data_detected
    assert (d.outcome, d.channel) == (Outcome.LINK_SENT, Channel.EMAIL)
    stored = " ".join(t.text for t in d.transcript)
    assert "4242" not in stored
    assert "12/28" not in stored
    assert find_card_numbers(stored) == []
    assert "[card number]" in stored


def test_card_details_before_verification_are_stopped_too() -> None:
    d, script = call(
        "four two four two four two four two four two four two four two four two",
        "yes this is Dana",
        None,
    )
    assert script.acts[1] == "warn_card_data"
    assert not DEBT.search(script.heard[1][1])
    assert d.card_data_detected
    assert "four two" not in " ".join(t.text for t in d.transcript)


def test_two_silences_in_a_row_end_in_review() -> None:
    d, script = call("yes", "", "")
    assert script.acts == ["greet_verify", "ask_resolution", "ask_resolution", "close"]
    assert (d.outcome, d.review_reason) == (Outcome.REVIEW, ReviewReason.LOW_CONFIDENCE)
    assert d.confidence < 0.6
    assert [t.act for t in d.transcript if t.speaker == "customer"][-1] == "silence"


def test_three_unclear_replies_in_all_end_in_review() -> None:
    d, script = call(
        "yes", "the weather is lovely", "how much is it", "blue bananas", "what?", "friday"
    )
    assert script.acts.count("ask_resolution") == 3
    assert (d.outcome, d.review_reason) == (Outcome.REVIEW, ReviewReason.LOW_CONFIDENCE)


def test_a_self_contradicting_reply_is_asked_again_not_guessed() -> None:
    d, script = call("yes", "I already paid it but I'll pay it friday", "")
    assert script.acts[2] == "ask_resolution"
    assert (d.outcome, d.review_reason) == (Outcome.REVIEW, ReviewReason.LOW_CONFIDENCE)
    assert d.promise_date is None


def test_a_reply_in_another_language_goes_to_review() -> None:
    d, _ = call("Bonjour, je ne parle pas anglais")
    assert (d.outcome, d.review_reason) == (Outcome.REVIEW, ReviewReason.LANGUAGE)
    assert "only speak English" in agent_lines(d)[-1]


def test_voicemail_leaves_a_limited_message() -> None:
    script = Script()
    d = converse(request(), "voicemail", script, NOW)
    assert d.outcome is Outcome.VOICEMAIL_LEFT
    (turn,) = d.transcript  # the message is the whole call
    assert script.heard == [("voicemail", turn.text)]
    assert turn.act == "voicemail"
    assert "Dana Reyes" in turn.text
    assert "Acme Cloud" in turn.text
    assert "+1 800 555 0100" in turn.text
    assert not DEBT.search(turn.text)


@pytest.mark.parametrize("pickup", ["no_answer", "busy"])
def test_no_answer_and_busy(pickup: str) -> None:
    d = converse(request(), pickup, Script("never heard"), NOW)
    assert (d.outcome, d.transcript, d.call_id) == (Outcome.NO_ANSWER, (), "call_1")
    assert d.next_action == "call again later"


def test_a_hang_up_before_verification_is_no_answer_and_after_it_review() -> None:
    d, _ = call(None)
    assert d.outcome is Outcome.NO_ANSWER
    d, _ = call("yes", None)
    assert (d.outcome, d.review_reason) == (Outcome.REVIEW, ReviewReason.LOW_CONFIDENCE)
    assert "hung up" in d.summary
    d, _ = call("yes", "this charge is wrong", None)
    assert d.escalation == Escalation(team=Team.FINANCE, reason=EscalationReason.DISPUTE)


def test_urgency() -> None:
    assert call("yes", None)[0].urgency is Urgency.NORMAL
    suspended = call("yes", None, trigger_kind=TriggerKind.UPCOMING_SUSPENSION)[0]
    assert suspended.urgency is Urgency.HIGH
    assert call("yes", "this is ridiculous, I'm fed up", None)[0].urgency is Urgency.HIGH


def test_a_customer_who_never_gets_anywhere_cannot_hold_the_line() -> None:
    d, script = call(*(["pardon?"] * 100))
    assert len(script.heard) < MAX_TURNS
    assert d.outcome is Outcome.REVIEW


def test_the_dialog_api() -> None:
    dialog = Dialog(request(), NOW)
    with pytest.raises(RuntimeError):
        dialog.hear("yes")
    first = dialog.open("human")
    assert isinstance(first, AgentTurn)
    assert not first.done
    with pytest.raises(RuntimeError):
        dialog.disposition()
    last = dialog.hear("please take me off your list")
    assert last.done
    assert last.act == "close"
    assert dialog.hear("hello?") == last  # nothing more is said once the call is over
    dialog.hang_up()
    assert dialog.disposition().outcome is Outcome.DO_NOT_CONTACT
    hung_up = Dialog(request(), NOW)
    hung_up.open("human")
    hung_up.hang_up()
    assert hung_up.hear("hello?").done  # a call the customer ended stays ended
    assert hung_up.disposition().outcome is Outcome.NO_ANSWER
    with pytest.raises(ValueError, match="pickup"):
        Dialog(request(), NOW).open("fax")


def test_lines_are_deterministic_per_call_and_vary_between_calls() -> None:
    assert Lines("call_1").say("not_heard") == Lines("call_1").say("not_heard")
    openings = {Lines(f"call_{i}").say("disclose", company="X") for i in range(20)}
    assert len(openings) > 1
    book = Lines("call_1")
    assert book.say("not_heard") != book.say("not_heard")  # a repeat is reworded


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "said"),
    [
        ("249", "usd", "en_US", "$249.00"),
        ("1249.5", "usd", "", "$1,249.50"),
        ("249", "eur", "de_DE", "249,00\u00a0€"),
        ("1249.5", "eur", "en_DE", "1.249,50\u00a0€"),
        ("249", "eur", "en_IE", "€249.00"),
        ("249", "gbp", "en_GB", "£249.00"),
        ("249", "cad", "", "CA$249.00"),
        ("249", "aud", "", "A$249.00"),
        ("249", "chf", "", "CHF249.00"),
        ("249", "jpy", "en_US", "¥249"),
        ("249", "usd", "xx_NOPE", "$249.00"),
    ],
)
def test_format_amount(amount: str, currency: str, locale: str, said: str) -> None:
    assert format_amount(Decimal(amount), currency, locale) == said


def test_format_date() -> None:
    assert format_date(date(2026, 12, 4)) == "Friday, December 4"
    assert format_date(date(2026, 12, 4) + timedelta(days=1)) == "Saturday, December 5"
    assert format_date(date(2026, 12, 4), "en_GB") == "Friday, 4 December"
    assert format_date(date(2026, 12, 4), "de_DE") == "Freitag, 4. Dezember"
