"""The TwiML shapes, the ``AnsweredBy`` and ``Confidence`` readings, and Twilio's field names
as documented (../shared's webhook reference)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recoup.adapters.twilio import twiml
from recoup.adapters.twilio.mapping import TERMINAL, UNANSWERED, pickup_for, stt_confidence
from recoup.adapters.twilio.urls import status_url, voice_url

SPEECH = twiml.Speech(voice="Polly.Matthew", language="en-GB", dial_timeout=20)
HEAD = '<?xml version="1.0" encoding="UTF-8"?><Response>'


def test_a_turn_says_its_line_inside_a_speech_gather() -> None:
    xml = twiml.gather("Is that <okay> & fine?", "https://r.test/v/c?turn=2", SPEECH)
    assert xml == (
        f'{HEAD}<Gather action="https://r.test/v/c?turn=2" actionOnEmptyResult="true" '
        'input="speech" language="en-GB" method="POST" speechTimeout="auto">'
        '<Say voice="Polly.Matthew">Is that &lt;okay&gt; &amp; fine?</Say></Gather>'
        '<Redirect method="POST">https://r.test/v/c?turn=2</Redirect></Response>'
    )


def test_closing_voicemail_and_transfer() -> None:
    assert twiml.hang_up("Goodbye.", SPEECH) == (
        f'{HEAD}<Say voice="Polly.Matthew">Goodbye.</Say><Hangup /></Response>'
    )
    assert twiml.hang_up(None, SPEECH) == f"{HEAD}<Hangup /></Response>"
    assert twiml.transfer("Someone will call.", "+14155550199", None, SPEECH) == (
        f'{HEAD}<Say voice="Polly.Matthew">{twiml.TRANSFER_LINE}</Say>'
        '<Dial timeout="20">+14155550199</Dial>'
        '<Say voice="Polly.Matthew">Someone will call.</Say><Hangup /></Response>'
    )


@pytest.mark.parametrize(
    ("locale", "language"), [("en_US", "en-US"), ("en_GB", "en-GB"), ("de_DE", "en-US")]
)
def test_the_recogniser_listens_in_english(locale: str, language: str) -> None:
    assert twiml.language_for(locale) == language


def test_urls_carry_the_call_id() -> None:
    assert voice_url("https://r.test/", "case:stripe:in 1:call-1", 3) == (
        "https://r.test/webhooks/twilio/voice/case:stripe:in%201:call-1?turn=3"
    )
    assert status_url("https://r.test", "c/1") == "https://r.test/webhooks/twilio/status/c%2F1"


def test_answered_by_and_confidence_readings() -> None:
    assert [pickup_for(v) for v in ("human", "unknown", None, "fax")] == [
        "human",
        "human",
        "human",
        "fax",
    ]
    assert stt_confidence("0.91243") == pytest.approx(0.91243)
    assert [stt_confidence(v) for v in (None, "", "0", "0.0", "abc", "1.5")] == [None] * 6


def test_the_documented_fields_and_values(shared_dir: Path) -> None:
    path = shared_dir / "fixtures/twilio/twilio_voice_webhook_reference.json"
    if not path.is_file():
        pytest.skip(f"Twilio webhook reference not found at {path}")
    ref = json.loads(path.read_text(encoding="utf-8"))
    assert set(ref["status_callback"]["terminal_statuses"]) == TERMINAL
    assert set(ref["status_callback"]["terminal_statuses"]) - {"completed"} <= set(UNANSWERED)
    machine = ref["answering_machine_detection"]["AnsweredBy_when_DetectMessageEnd"]
    assert {v: pickup_for(v) for v in machine} == {
        "human": "human",
        "machine_end_beep": "voicemail",
        "machine_end_silence": "voicemail",
        "machine_end_other": "voicemail",
        "fax": "fax",
        "unknown": "human",
    }
    for field in ("SpeechResult", "Confidence"):
        assert field in ref["gather_action_parameters"]
    for field in ("CallSid", "AccountSid", "From", "To", "CallStatus", "Direction"):
        assert field in ref["voice_request_parameters"]
