"""A call resumed from storage says what an uninterrupted one would: replaying the replies as
understood (through JSON, as the database keeps them) rebuilds the dialog exactly."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from recoup.agent.dialog import Dialog
from recoup.agent.resume import dump_understanding, load_understanding, replay
from recoup.agent.understand import Understanding
from recoup.domain.models import CallRequest
from recoup.testing import calls

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
SCRIPTS = {
    "link": ["Yes, speaking.", "Send me a link.", "WhatsApp please.", "Yes."],
    "promise": ["This is Dana.", "I can pay next Friday.", "Yes, that's right."],
    "card": [
        "Yes.",
        "my card is four two four two four two four two four two four two four two four two",
        "ok email then",
        "yes",
    ],
    "unclear": ["Yes, speaking.", "hmm", "what", "the thing"],
    "dispute": ["Yes it's me", "I never ordered this, it's a mistake", "wrong amount billed"],
    "amount_question": ["Speaking.", "How much is it again?", "I'll pay on the 1st", "correct"],
}


def call_request() -> CallRequest:
    return calls.call_request("call_7", account_id="a", case_id="c", company_name="Acme")


def stored(heard: list[Understanding]) -> list[Understanding]:
    """Through JSON text and back, as a JSON column would keep them."""
    return [
        load_understanding(d)
        for d in json.loads(json.dumps([dump_understanding(u) for u in heard]))
    ]


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_a_resumed_call_says_the_same_next_line(name: str) -> None:
    replies = SCRIPTS[name]
    whole = Dialog(call_request(), NOW)
    whole.open("human")
    heard: list[Understanding] = []
    for reply in replies:
        resumed, _ = replay(call_request(), "human", NOW, stored(heard))  # a fresh "process"
        u = resumed.read(reply)
        assert resumed.respond(u) == whole.hear(reply)
        assert resumed.transcript == whole.transcript
        heard.append(u)
        if whole.result is not None:
            assert resumed.disposition() == whole.disposition()
            break
    final, last = replay(call_request(), "human", NOW, stored(heard))
    assert last.text == whole.transcript[-1].text
    assert (final.stage, final.verified, final.result) == (
        whole.stage,
        whole.verified,
        whole.result,
    )


def test_voicemail_replays_to_the_ended_call() -> None:
    dialog, turn = replay(call_request(), "voicemail", NOW, [])
    assert turn.done
    assert dialog.disposition().outcome == "voicemail_left"


def test_a_stored_reading_keeps_dates_amounts_and_the_card_flag() -> None:
    u = Dialog(call_request(), NOW).read("I'll pay $249 on December 1st, card 4242424242424242")
    back = stored([u])[0]
    assert back == u
    assert (back.promise_date, back.amount, back.card_data) == (
        date(2026, 12, 1),
        Decimal("249"),
        True,
    )
    assert "4242" not in json.dumps(dump_understanding(u))
