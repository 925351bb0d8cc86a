"""The telephony port's contract, on Twilio (through the SDK, against the stand-in, with each
call played through the webhooks) and on the simulator; then Twilio's exact requests and its
failures: a retry or a re-run never dials a second time."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from recoup.adapters.fake.ledger import MemoryLedger
from recoup.adapters.simulator.persona import Persona
from recoup.adapters.simulator.telephony import SimulatedTelephony
from recoup.domain.errors import PermanentPortError, TransientPortError
from recoup.domain.models import CallRequest, Channel, Outcome
from recoup.ports import TelephonyPort
from recoup.store.db import Database
from recoup.store.migrate import upgrade
from recoup.store.tables import VoiceCallRow
from recoup.store.voice_calls import record_intent
from recoup.testing import calls
from recoup.testing.calls import CALL_ID, PHONE
from recoup.testing.twilio_stack import FROM_NUMBER, PUBLIC_URL, TwilioStack
from recoup.testing.vendor_server import Reply

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
PAYS = ["Yes, speaking.", "Send me a link and I'll pay it now.", "Email please.", "Yes."]
CALLS = r"/2010-04-01/Accounts/AC[0-9a-f]{32}/Calls\.json"


class FixedClock:
    def now(self) -> datetime:
        return NOW

    def real_seconds_until(self, moment: datetime) -> float:
        return 0.0


def call_request(call_id: str = CALL_ID, phone: str = PHONE) -> CallRequest:
    return calls.call_request(call_id, phone=phone, company="Reyes Design")


@dataclass
class Harness:
    """One telephony port, and how to tell it who answers and what they say."""

    port: TelephonyPort
    kind: str
    stack: TwilioStack | None = None
    ledger: MemoryLedger | None = None

    def customer(self, answers: str, replies: list[str]) -> None:
        if self.stack is not None:
            how: dict[str, Any] = {
                "human": {"answered_by": "human"},
                "voicemail": {"answered_by": "machine_end_beep"},
                "busy": {"status": "busy"},
                "no_answer": {"status": "no-answer"},
            }[answers]
            self.stack.answer(PHONE, replies, **how)
            return
        assert isinstance(self.port, SimulatedTelephony)
        persona = Persona.model_validate(
            {
                "account": {"name": "Dana Reyes", "phone": PHONE},
                "invoice": {"number": "INV-0042", "amount": "249.00", "due_date": "2026-11-20"},
                "now": NOW,
                "answers": answers,
                "replies": {"*": replies} if replies else {},
            }
        )
        self.port.add_customer("acct_1", persona)

    def dials(self, call_id: str) -> int:
        """How many times the customer's phone was made to ring for ``call_id``."""
        if self.stack is not None:
            return len(self.stack.api.calls())
        assert self.ledger is not None
        return sum(1 for key, value in self.ledger.items("call") if key == call_id and value)


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    upgrade(sqlite_url)
    database = Database(sqlite_url)
    yield database
    database.dispose()


@pytest.fixture
def stack(db: Database) -> Iterator[TwilioStack]:
    with TwilioStack.build(db, FixedClock(), sleep=lambda _: None) as built:
        yield built


@pytest.fixture(params=["twilio", "simulator"])
def harness(request: pytest.FixtureRequest) -> Harness:
    if request.param == "simulator":
        ledger = MemoryLedger()
        return Harness(SimulatedTelephony(ledger, FixedClock()), "simulator", ledger=ledger)
    stack: TwilioStack = request.getfixturevalue("stack")
    stack.carrier()
    return Harness(stack.telephony, "twilio", stack=stack)


# -- the contract, on both ---------------------------------------------------------------------


def test_the_call_ends_as_the_customer_decides(harness: Harness) -> None:
    harness.customer("human", PAYS)
    d = harness.port.place_call(call_request())
    assert (d.call_id, d.outcome, d.channel) == (
        "case:stripe:in_1:call-1",
        Outcome.LINK_SENT,
        Channel.EMAIL,
    )
    assert [t.speaker for t in d.transcript][:2] == ["agent", "customer"]
    assert d.transcript[1].text == "Yes, speaking."
    assert "secure payment link by email" in d.summary


def test_a_repeated_call_id_joins_the_first_call(harness: Harness) -> None:
    harness.customer("human", PAYS)
    first = harness.port.place_call(call_request())
    again = harness.port.place_call(call_request())
    assert again == first
    assert harness.dials("case:stripe:in_1:call-1") == 1


def test_a_machine_gets_the_voicemail_and_nothing_about_the_debt(harness: Harness) -> None:
    harness.customer("voicemail", [])
    d = harness.port.place_call(call_request())
    assert d.outcome is Outcome.VOICEMAIL_LEFT
    assert [t.act for t in d.transcript] == ["voicemail"]
    assert not re.search(r"invoice|payment|249|owe", d.transcript[0].text, re.IGNORECASE)


@pytest.mark.parametrize("answers", ["busy", "no_answer"])
def test_nobody_answering_is_no_answer(harness: Harness, answers: str) -> None:
    harness.customer(answers, [])
    d = harness.port.place_call(call_request())
    assert (d.outcome, d.transcript) == (Outcome.NO_ANSWER, ())
    assert d.next_action == "call again later"


def test_card_digits_never_reach_the_disposition(harness: Harness) -> None:
    harness.customer("human", ["Yes, speaking.", "my card is 4242 4242 4242 4242", *PAYS[1:]])
    d = harness.port.place_call(call_request())
    assert d.card_data_detected
    assert "4242" not in d.model_dump_json()
    assert "[card number]" in d.transcript[3].text


# -- Twilio only: the exact requests -----------------------------------------------------------


def test_the_create_request_is_exact(stack: TwilioStack) -> None:
    sid = stack.telephony.start(call_request())
    (post,) = stack.api.server.calls("POST", CALLS)
    token = f"{stack.api.account_sid}:{stack.api.auth_token}"
    assert post.headers["authorization"] == "Basic " + base64.b64encode(token.encode()).decode()
    assert post.headers["content-type"] == "application/x-www-form-urlencoded"
    form = post.form()
    base = f"{PUBLIC_URL}/webhooks/twilio"
    assert {k: v for k, v in form.items() if k != "StatusCallbackEvent"} == {
        "To": [PHONE],
        "From": [FROM_NUMBER],
        "Method": ["POST"],
        "Url": [f"{base}/voice/case:stripe:in_1:call-1"],
        "StatusCallback": [f"{base}/status/case:stripe:in_1:call-1"],
        "StatusCallbackMethod": ["POST"],
        "MachineDetection": ["DetectMessageEnd"],
        "Timeout": ["25"],
        "TimeLimit": ["900"],
    }
    assert form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    with stack.db.session() as s:
        row = s.get(VoiceCallRow, "case:stripe:in_1:call-1")
        assert row is not None
        assert (row.call_sid, row.state) == (sid, "dialed")
    assert stack.voice.status(sid) == "queued"


def test_a_crash_after_dialing_finds_the_call_instead_of_dialing_again(
    stack: TwilioStack,
) -> None:
    request = call_request()
    with stack.db.session() as s:  # the step recorded its intent...
        record_intent(s, request, datetime.now(UTC))
    placed = stack.voice.dial(request.call_id, PHONE)  # ...dialed, and died before storing
    assert stack.telephony.start(request) == placed  # the re-run finds it
    assert len(stack.api.server.calls("POST", CALLS)) == 1
    assert len(stack.api.server.calls("GET", CALLS)) == 1  # looked before dialing


def test_an_older_call_to_the_same_number_is_not_taken_for_this_one(stack: TwilioStack) -> None:
    earlier = stack.telephony.start(call_request("case:stripe:in_1:call-1"))
    second = call_request("case:stripe:in_1:call-2")
    with stack.db.session() as s:
        record_intent(s, second, datetime.now(UTC))  # intent recorded, then a crash
    placed = stack.telephony.start(second)
    assert placed != earlier
    assert len(stack.api.calls()) == 2


@pytest.mark.parametrize(
    "lost",
    [Reply(500, {"code": 20500, "message": "Internal"}), Reply(201, {}, delay=1.0)],
    ids=["500", "timeout"],
)
def test_a_create_whose_answer_was_lost_is_not_repeated(db: Database, lost: Reply) -> None:
    with TwilioStack.build(db, FixedClock(), sleep=lambda _: None, http_timeout=0.3) as stack:
        stack.api.lose_next_create(lost)
        sid = stack.telephony.start(call_request())
        assert [c.sid for c in stack.api.calls()] == [sid]
        assert len(stack.api.server.calls("POST", CALLS)) == 1


def test_429_is_retried_after_its_retry_after(db: Database) -> None:
    naps: list[float] = []
    with TwilioStack.build(db, FixedClock(), sleep=naps.append) as stack:
        stack.api.server.fail_next(
            Reply(
                429, {"code": 20429, "message": "Too Many Requests"}, headers={"Retry-After": "2"}
            )
        )
        sid = stack.telephony.start(call_request())
        assert [c.sid for c in stack.api.calls()] == [sid]
        assert naps
        assert naps[0] >= 2.0


def test_500s_exhausted_are_transient_and_dial_nothing(stack: TwilioStack) -> None:
    stack.api.server.fail_next(Reply(503, {"code": 20503, "message": "Unavailable"}), times=100)
    with pytest.raises(TransientPortError, match="503"):
        stack.telephony.start(call_request())
    assert stack.api.calls() == []


def test_a_bad_number_is_permanent_and_no_number_is_logged(
    stack: TwilioStack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(PermanentPortError, match="21211") as failure:
        stack.telephony.start(call_request(phone="+1415"))
    assert "+1415" not in str(failure.value)
    assert len(stack.api.server.calls("POST", CALLS)) == 1  # not retried
    assert PHONE not in caplog.text
    assert "+1415" not in caplog.text


def test_wrong_credentials_are_permanent(db: Database) -> None:
    with TwilioStack.build(db, FixedClock(), sleep=lambda _: None) as stack:
        stack.api.auth_token = "another-token"
        with pytest.raises(PermanentPortError, match="401"):
            stack.telephony.start(call_request())


def test_a_lost_status_callback_is_collected_from_twilio(stack: TwilioStack) -> None:
    sid = stack.telephony.start(call_request())
    assert stack.telephony.collect("case:stripe:in_1:call-1") is None  # still queued
    stack.api.set_status(sid, "busy")  # Twilio knows; our status webhook never came
    d = stack.telephony.collect("case:stripe:in_1:call-1")
    assert d is not None
    assert (d.outcome, d.summary.endswith("The line was busy.")) == (Outcome.NO_ANSWER, True)
    assert stack.conversations.disposition("case:stripe:in_1:call-1") == d


def test_twilio_reads_no_environment(monkeypatch: pytest.MonkeyPatch, db: Database) -> None:
    monkeypatch.setenv("TWILIO_EDGE", "sydney")  # the SDK would send requests to
    monkeypatch.setenv("TWILIO_REGION", "au1")  # api.sydney.au1.twilio.com if it read these
    with TwilioStack.build(db, FixedClock(), sleep=lambda _: None) as stack:
        assert stack.telephony.start(call_request())
        assert len(stack.api.calls()) == 1
