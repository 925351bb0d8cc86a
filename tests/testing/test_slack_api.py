"""The Slack stand-in behaves like Slack where the adapter can tell: state, shapes, errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from recoup.testing.slack_api import SlackApi

TOKEN = "xoxb-stand-in-test"
META = {"event_type": "recoup_alert", "event_payload": {"key": "k1"}}


@pytest.fixture(scope="module")
def api() -> Iterator[SlackApi]:
    with SlackApi(token=TOKEN) as running:
        yield running


@pytest.fixture
def client(api: SlackApi) -> WebClient:
    api.reset()
    return WebClient(token=TOKEN, base_url=api.base_url, retry_handlers=[])


def error_of(call: object) -> str:
    assert callable(call)
    with pytest.raises(SlackApiError) as failed:
        call()
    assert failed.value.response.status_code == 200  # Slack refuses with 200 and ok: false
    return str(failed.value.response["error"])


def test_post_then_history_finds_it_with_metadata_only_when_asked(
    api: SlackApi, client: WebClient
) -> None:
    posted = client.chat_postMessage(channel="C1", text="hi", metadata=META)
    assert posted["ok"] is True
    assert posted["channel"] == "C1"
    plain = client.conversations_history(channel="C1")["messages"]
    assert [m["ts"] for m in plain] == [posted["ts"]]
    assert "metadata" not in plain[0]
    rich = client.conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert rich[0]["metadata"] == META
    assert client.conversations_history(channel="C2")["messages"] == []


def test_history_is_newest_first_windowed_and_paged(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=str(n))["ts"] for n in range(3)]
    first = client.conversations_history(channel="C1", limit=2)
    assert [m["ts"] for m in first["messages"]] == stamps[:0:-1]
    assert first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel="C1", limit=2, cursor=cursor)
    assert [m["ts"] for m in rest["messages"]] == [stamps[0]]
    assert rest["has_more"] is False
    after = client.conversations_history(channel="C1", oldest=stamps[1])
    assert [m["ts"] for m in after["messages"]] == [stamps[2]]


def test_update_rewrites_and_keeps_metadata(api: SlackApi, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="v1", metadata=META)["ts"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "v2"}}]
    updated = client.chat_update(channel="C1", ts=ts, text="v2", blocks=blocks)
    assert (updated["ts"], updated["text"]) == (ts, "v2")
    [stored] = api.in_channel("C1")
    assert (stored["text"], stored["blocks"], stored["metadata"]) == ("v2", blocks, META)
    assert error_of(lambda: client.chat_update(channel="C1", ts="1.2", text="x")) == (
        "message_not_found"
    )


def test_refusals_look_like_slacks(api: SlackApi, client: WebClient) -> None:
    with pytest.warns(UserWarning, match="text"):  # the SDK warns first, then Slack refuses
        assert error_of(lambda: client.chat_postMessage(channel="C1")) == "no_text"
    bad_blocks = [{"text": "no type"}]
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", blocks=bad_blocks)) == (
        "invalid_blocks"
    )
    wrong = WebClient(token="xoxb-wrong", base_url=api.base_url, retry_handlers=[])
    assert error_of(lambda: wrong.auth_test()) == "invalid_auth"
    anonymous = WebClient(base_url=api.base_url, retry_handlers=[])
    assert error_of(lambda: anonymous.auth_test()) == "not_authed"
    api.known_channels = ("C1",)
    assert error_of(lambda: client.chat_postMessage(channel="C9", text="x")) == (
        "channel_not_found"
    )
    assert api.messages == {}
    assert client.auth_test()["user_id"] == api.bot_user_id


def test_rate_limit_is_a_429_with_retry_after(api: SlackApi, client: WebClient) -> None:
    api.rate_limit_next(retry_after=7)
    with pytest.raises(SlackApiError) as failed:
        client.auth_test()
    assert failed.value.response.status_code == 429
    assert failed.value.response.headers["Retry-After"] == "7"
    assert failed.value.response["error"] == "ratelimited"
