"""The LLM back end against a local OpenAI-compatible fake: the request it sends, the replies it
accepts, and every failure (5xx, 429, timeouts, malformed or off-schema replies) typed so the
call falls back to the rules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from pydantic import SecretStr

from recoup.agent.backends import labels_for, understand_with
from recoup.agent.backends.fake_llm import FakeChatServer, Step, check_request
from recoup.agent.backends.llm import LlmClassifier, build_request, reply_schema
from recoup.agent.understand import understand_rules as understand
from recoup.domain.errors import PermanentPortError, PortError, TransientPortError

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday
TZ = "America/New_York"
KEY, MODEL = "sk-test-recoup", "fake-model-1"
CARD = "4242 4242 4242 4242"


def reply(intent: str, confidence: float = 0.9, **extra: object) -> str:
    return json.dumps(
        {"intent": intent, "confidence": confidence, "promise_date": None, "channel": None} | extra
    )


def llm(
    server: FakeChatServer, sleeps: list[float] | None = None, **options: float
) -> LlmClassifier:
    """The adapter aimed at ``server``; backoff sleeps are recorded in ``sleeps``, not slept."""
    return LlmClassifier(
        base_url=server.base_url, api_key=SecretStr(KEY), model=MODEL,
        timeout=options.get("timeout", 2.0), attempts=int(options.get("attempts", 3)),
        backoff=0.01, sleep=(sleeps if sleeps is not None else []).append,
    )  # fmt: skip


def fake(*steps: Step, api_key: str = KEY) -> FakeChatServer:
    return FakeChatServer(api_key=api_key, model=MODEL, steps=list(steps))


def test_llm_sends_an_openai_request_and_reads_the_reply() -> None:
    content = reply("promise_to_pay", 0.83, promise_date="2026-11-27", channel="email")
    with fake(Step(content)) as server, llm(server) as client:
        result = client.read(f"Friday, by email. Card {CARD}", "ask_resolution")
    assert (result.intent, result.confidence) == ("promise_to_pay", 0.83)
    assert (result.promise_date, result.channel) == (date(2026, 11, 27), "email")
    assert server.problems == []
    (request,) = server.requests
    assert (request["method"], request["path"]) == ("POST", "/v1/chat/completions")
    assert request["auth"] == f"Bearer {KEY}"
    body = request["body"]
    assert body["model"] == MODEL
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "Friday, by email" in body["messages"][1]["content"]
    assert CARD not in json.dumps(body)  # redacted before it leaves the process
    spec = body["response_format"]
    assert spec["type"] == "json_schema"
    assert spec["json_schema"]["strict"] is True
    assert spec["json_schema"]["schema"] == reply_schema("ask_resolution")
    intents = spec["json_schema"]["schema"]["properties"]["intent"]["enum"]
    assert intents == list(labels_for("ask_resolution"))


def test_the_fake_rejects_what_the_real_service_would() -> None:
    good = build_request(MODEL, "hi", "confirm")
    assert check_request(good, MODEL) is None
    assert check_request(good | {"model": "other"}, MODEL) == "unknown model 'other'"
    assert "json_schema" in str(check_request(good | {"response_format": {"type": "text"}}, MODEL))
    with (
        fake(api_key="sk-other") as server,
        llm(server) as client,
        pytest.raises(PermanentPortError, match="HTTP 401"),
    ):
        client.classify("hi", "confirm")
    assert server.problems == ["invalid API key"]
    assert len(server.requests) == 1  # a 4xx is not retried


def test_llm_retries_a_500_then_succeeds() -> None:
    sleeps: list[float] = []
    with fake(Step(status=500), Step(reply("yes", 0.95))) as server, llm(server, sleeps) as client:
        assert client.classify("yes please", "confirm") == ("yes", 0.95)
    assert len(server.requests) == 2
    assert sleeps == [0.01]


def test_llm_gives_up_on_429_after_bounded_attempts_honouring_retry_after() -> None:
    sleeps: list[float] = []
    limited = Step(status=429, headers={"Retry-After": "0.05"})
    with (
        fake(limited, limited, limited) as server,
        llm(server, sleeps) as client,
        pytest.raises(TransientPortError, match="HTTP 429"),
    ):
        client.classify("yes", "confirm")
    assert len(server.requests) == 3
    assert sleeps == [0.05, 0.05]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (Step("{'intent': 'yes'"), "schema"),  # malformed JSON content
        (Step(raw="<html>Bad gateway</html>"), "not a chat completion"),
        (Step(raw='{"choices": []}'), "not a chat completion"),
        (Step(reply("yes", 0.9, mood="happy")), "mood"),  # an extra key
        (Step(reply("yes", 1.5)), "confidence"),
        (Step(reply("yes", "high")), "confidence"),  # type: ignore[arg-type]
        (Step(json.dumps({"intent": "yes", "confidence": 0.9})), "promise_date"),
        (Step(reply("pay_now", 0.9)), "outside the confirm labels"),
        (Step(reply("yes", 0.9, promise_date="next friday")), "promise_date"),
    ],
)
def test_llm_malformed_or_off_schema_replies_are_permanent_errors(step: Step, message: str) -> None:
    with (
        fake(step) as server,
        llm(server) as client,
        pytest.raises(PermanentPortError, match=message),
    ):
        client.classify("yes", "confirm")
    assert len(server.requests) == 1  # retrying a model that ignores the schema is no cure


def test_llm_timeouts_are_retried_then_transient() -> None:
    slow = Step(reply("yes"), delay=0.6)
    with fake(slow, Step(reply("no", 0.7))) as server, llm(server, timeout=0.2) as client:
        assert client.classify("no", "confirm") == ("no", 0.7)
    with (
        fake(slow, slow) as server,
        llm(server, timeout=0.2, attempts=2) as client,
        pytest.raises(TransientPortError, match="timed out"),
    ):
        client.classify("no", "confirm")


def test_a_dead_llm_leaves_the_call_on_the_rules_and_never_shows_the_key() -> None:
    text = "I can pay next friday"
    down = [Step(status=503)] * 4
    with fake(*down) as server, llm(server, attempts=2) as client:
        assert understand_with(client, text, NOW, TZ) == understand(text, NOW, TZ)
        with pytest.raises(PortError) as caught:
            client.classify(text, "ask_resolution")
    assert len(server.requests) == 4
    assert KEY not in str(caught.value)


def test_llm_understanding_end_to_end() -> None:
    text = "things are rough since the layoffs, friday maybe"
    content = reply("callback", 0.88, promise_date="2026-12-01")
    with fake(Step(content)) as server, llm(server) as client:
        u = understand_with(client, text, NOW, TZ)
    assert understand(text, NOW, TZ).intent != "callback"  # so the intent is the model's
    assert (u.intent, u.confidence) == ("callback", 0.88)
    assert u.promise_date == date(2026, 11, 27)  # the rules' date, not the model's
