"""Twilio's voice and status webhooks through the app: whole calls replayed turn by turn with
valid signatures, and every way a call can go wrong or be tampered with."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from recoup.adapters.twilio.conversation import VoiceConversations, VoiceScript
from recoup.adapters.twilio.signature import SIGNATURE_HEADER
from recoup.agent.dialog import Dialog
from recoup.domain.models import EscalationReason, Outcome, ReviewReason
from recoup.store.db import Database
from recoup.store.guard import card_numbers
from recoup.store.migrate import upgrade
from recoup.store.tables import VoiceCallRow
from recoup.testing.calls import CALL_ID as CALL
from recoup.testing.calls import call_request
from recoup.testing.twilio_replay import Heard, replay
from recoup.testing.twilio_stack import PUBLIC_URL, TwilioStack

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
HUMAN_LINE = "+14155550199"
PAYS = ["Yes, speaking.", "Send me a link and I'll pay it now.", "Email please.", "Yes."]


class FixedClock:
    def now(self) -> datetime:
        return NOW

    def real_seconds_until(self, moment: datetime) -> float:
        return 0.0


@pytest.fixture
def stack(db_url: str) -> Iterator[TwilioStack]:
    upgrade(db_url)
    db = Database(db_url)
    script = VoiceScript(human_number=HUMAN_LINE, caller_id="+14155550100")
    with TwilioStack.build(db, FixedClock(), script=script, sleep=lambda _: None) as built:
        yield built
    db.dispose()


def dial(stack: TwilioStack) -> str:
    return stack.telephony.start(call_request())


def row(stack: TwilioStack) -> VoiceCallRow:
    with stack.db.session() as s:
        found = s.get(VoiceCallRow, CALL)
        assert found is not None
        return found


def stored_text(stack: TwilioStack) -> str:
    with stack.db.session() as s:
        return " ".join(str(v) for v in s.execute(text("SELECT * FROM voice_calls")).one())


def test_a_whole_call_verify_resolve_and_send_a_link(stack: TwilioStack) -> None:
    played = replay(stack.client, stack.api, dial(stack), PAYS)
    assert played.statuses == [204] * 4  # initiated, ringing, answered, completed
    first = played.twiml[0]
    assert re.search(
        r'<Gather action="https://recoup\.example\.test/webhooks/twilio/voice/'
        r'case:stripe:in_1:call-1\?turn=1" actionOnEmptyResult="true" '
        r'input="speech" language="en-US" method="POST" speechTimeout="auto">'
        r'<Say voice="Polly\.Joanna">',
        first,
    )
    assert "Dana Reyes" in played.said[0]
    assert "INV-0042" not in played.said[0]  # nothing about the debt before verification
    assert "INV-0042" in played.said[1]
    assert played.twiml[-1].endswith("Goodbye.</Say><Hangup /></Response>")
    (call_id, d), *_ = stack.dispositions
    assert (call_id, d.outcome, d.channel) == (CALL, Outcome.LINK_SENT, "email")
    stored = row(stack)
    assert (stored.state, stored.turn, stored.provider_status) == ("ended", 4, "completed")
    assert stack.conversations.disposition(CALL) == d
    assert all(c == CALL and e == d for c, e in stack.dispositions)  # at least once, the same


def test_a_card_number_is_interrupted_and_never_stored(stack: TwilioStack) -> None:
    spoken = "sure, my card is 4242 4242 4242 4242 expiry oh four twenty nine"
    played = replay(stack.client, stack.api, dial(stack), [PAYS[0], spoken, *PAYS[1:]])
    assert "card details" in played.said[2]  # the agent stops the customer at once
    d = stack.dispositions[-1][1]
    assert (d.outcome, d.card_data_detected) == (Outcome.LINK_SENT, True)
    everything = stored_text(stack)
    assert card_numbers(everything) == []
    assert "4242" not in everything
    assert "[card number]" in everything


def test_a_machine_gets_the_voicemail_message(stack: TwilioStack) -> None:
    played = replay(stack.client, stack.api, dial(stack), answered_by="machine_end_beep")
    (voicemail,) = played.twiml
    assert "<Gather" not in voicemail
    assert voicemail.endswith("</Say><Hangup /></Response>")
    assert "call us back" in played.said[0]
    assert not re.search(r"invoice|payment|249|INV", played.said[0], re.IGNORECASE)
    d = stack.dispositions[-1][1]
    assert (d.outcome, row(stack).answered_by) == (Outcome.VOICEMAIL_LEFT, "machine_end_beep")


@pytest.mark.parametrize(
    ("status", "note"),
    [
        ("busy", "The line was busy."),
        ("no-answer", "It rang out unanswered."),
        ("failed", "the number may be wrong."),
        ("canceled", "cancelled before it connected."),
    ],
)
def test_unanswered_statuses_become_dispositions(
    stack: TwilioStack, status: str, note: str
) -> None:
    played = replay(stack.client, stack.api, dial(stack), status=status)
    assert played.twiml == []
    d = stack.dispositions[-1][1]
    assert (d.outcome, d.summary.endswith(note), d.transcript) == (Outcome.NO_ANSWER, True, ())
    assert row(stack).state == "ended"


def test_a_request_for_a_person_is_put_through(stack: TwilioStack) -> None:
    played = replay(stack.client, stack.api, dial(stack), ["Can I talk to a real person?"])
    assert played.dialed == HUMAN_LINE
    assert '<Dial callerId="+14155550100" timeout="25">+14155550199</Dial>' in played.twiml[-1]
    d = stack.dispositions[-1][1]
    assert d.outcome is Outcome.ESCALATED
    assert d.escalation is not None
    assert d.escalation.reason is EscalationReason.HUMAN_REQUESTED


def test_a_request_for_a_person_without_a_number_hangs_up(db_url: str) -> None:
    upgrade(db_url)
    db = Database(db_url)
    with TwilioStack.build(db, FixedClock(), sleep=lambda _: None) as stack:
        played = replay(stack.client, stack.api, dial(stack), ["I want to speak to a human"])
        assert played.dialed is None
        assert played.twiml[-1].endswith("<Hangup /></Response>")
    db.dispose()


def test_low_recognition_confidence_is_asked_again(stack: TwilioStack) -> None:
    played = replay(stack.client, stack.api, dial(stack), [Heard("Yes, speaking.", 0.2), None])
    assert "INV-0042" not in played.said[1]  # not taken as a yes: asked again
    assert "speaking with Dana Reyes" in played.said[1]
    sure = replay(
        stack.client,
        stack.api,
        stack.telephony.start(
            call_request().model_copy(update={"call_id": "case:stripe:in_1:call-2"})
        ),
        [Heard("Yes, speaking.", 0.55)],
    )
    assert "INV-0042" in sure.said[1]


def test_the_customer_hanging_up_mid_call(stack: TwilioStack) -> None:
    replay(stack.client, stack.api, dial(stack), ["Yes, speaking.", None])
    d = stack.dispositions[-1][1]
    assert (d.outcome, d.review_reason) == (Outcome.REVIEW, ReviewReason.LOW_CONFIDENCE)
    assert "hung up" in d.summary


def form(stack: TwilioStack, sid: str, **extra: str) -> dict[str, str]:
    return {
        "CallSid": sid,
        "AccountSid": stack.api.account_sid,
        "CallStatus": "in-progress",
        "From": "+14155550100",
        "To": "+14155550132",
        **extra,
    }


def post(stack: TwilioStack, url: str, params: dict[str, str], signature: str | None) -> Any:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    return stack.client.post(url, content=urlencode(params).encode(), headers=headers)


@pytest.mark.parametrize("endpoint", ["voice", "status"])
def test_a_bad_signature_gets_403_and_changes_nothing(stack: TwilioStack, endpoint: str) -> None:
    sid = dial(stack)
    url = f"{PUBLIC_URL}/webhooks/twilio/{endpoint}/{CALL}"
    params = form(stack, sid, CallStatus="busy", AnsweredBy="human")
    before = stored_text(stack)
    good = stack.signature.sign(url, list(params.items()))
    tampered = {**params, "CallStatus": "completed"}
    other_url = stack.signature.sign(url + "?turn=1", list(params.items()))
    for body, signature in [
        (params, None),
        (params, "bm90IGl0"),
        (tampered, good),
        (params, other_url),
    ]:
        assert post(stack, url, body, signature).status_code == 403
    assert stored_text(stack) == before
    assert stack.dispositions == []
    assert post(stack, url, params, good).status_code in (200, 204)


def test_a_redelivered_turn_is_answered_again_not_heard_twice(stack: TwilioStack) -> None:
    sid = dial(stack)
    voice = f"{PUBLIC_URL}/webhooks/twilio/voice/{CALL}"
    greet = form(stack, sid, AnsweredBy="human")
    post(stack, voice, greet, stack.signature.sign(voice, list(greet.items())))
    reply = form(stack, sid, SpeechResult="Yes, speaking.", Confidence="0.9")
    url = f"{voice}?turn=1"
    sign = stack.signature.sign(url, list(reply.items()))
    first, again = (post(stack, url, reply, sign).text for _ in range(2))
    assert first == again
    assert "INV-0042" in first
    assert row(stack).turn == 1


def test_unknown_calls(stack: TwilioStack) -> None:
    url = f"{PUBLIC_URL}/webhooks/twilio/voice/nobody"
    params = {"CallSid": "CA" + "0" * 32, "CallStatus": "in-progress"}
    answer = post(stack, url, params, stack.signature.sign(url, list(params.items())))
    assert (answer.status_code, answer.text.endswith("<Hangup /></Response>")) == (200, True)
    url = f"{PUBLIC_URL}/webhooks/twilio/status/nobody"
    assert (
        post(stack, url, params, stack.signature.sign(url, list(params.items()))).status_code == 404
    )


def test_any_replica_serves_the_next_turn(stack: TwilioStack) -> None:
    """Two webhook servers over one database take turns; the call goes as if one dialog had
    heard it all in memory."""
    other = VoiceConversations(stack.db, FixedClock(), PUBLIC_URL, stack.conversations.script)
    servers = [stack.conversations, other]
    sid = dial(stack)
    twiml = [servers[0].answer(CALL, form(stack, sid, AnsweredBy="human"), None).twiml]
    for n, reply in enumerate(PAYS, start=1):
        heard = form(stack, sid, SpeechResult=reply, Confidence="0.9")
        twiml.append(servers[n % 2].answer(CALL, heard, n).twiml)
    alone = Dialog(call_request(), NOW)
    lines = [alone.open("human").text] + [alone.hear(reply).text for reply in PAYS]
    assert [html.unescape(re.sub(r".*<Say[^>]*>(.*?)</Say>.*", r"\1", t)) for t in twiml] == lines
    assert other.disposition(CALL) == alone.disposition()
