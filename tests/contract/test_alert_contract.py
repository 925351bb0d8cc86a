"""AlertPort contract: the ledger fake and the Slack adapter (aimed at the Slack stand-in
through the official SDK) post once per key and route to the right place; then the exact
requests the Slack adapter sends, and how it fails."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from recoup.adapters.fake.ledger import MemoryLedger
from recoup.adapters.fake.messaging import FakeAlerts
from recoup.adapters.retry import Backoff
from recoup.adapters.slack.client import SlackAlerts
from recoup.domain import models as m
from recoup.domain.errors import PermanentPortError, TransientPortError
from recoup.ports import AlertPort
from recoup.testing.slack_api import SlackApi
from recoup.testing.vendor_server import Reply

TOKEN = "xoxb-contract-test"
CHANNELS = {"finance": "C0FINANCE", "@dana": "C0DANA", "account_owner": "C0OWNERS"}
CASE_URL = "https://recoup.example.test/cases/"
TEMPLATE = "fixtures/slack/block_kit_approval_template.json"


def make_alert(key: str = "call_1:alert", **changes: Any) -> m.Alert:
    alert = m.Alert(
        key=key,
        case_id="case:stripe:in_1",
        team=m.Team.FINANCE,
        reason="dispute",
        target="#finance-collections",
        summary=(
            "Ana disputes the March charge. Call her back on +1 415 555 0100 or ana@example.com."
        ),
        details={
            "customer": "Ana Diaz (Acme Ltd)",
            "invoice": "INV-2026-000123 120.50 USD due 2026-01-31",
            "objection": "Says she cancelled in February; reach her at ana@example.com",
            "next_action": "finance to review the dispute",
            "call_id": "call_1",
            "urgency": "high",
        },
    )
    return alert.model_copy(update=changes)


@dataclass
class Harness:
    """One AlertPort and how to look into the system behind it."""

    port: AlertPort
    posted: Callable[[str], int]  # how many messages the system holds for an alert key
    where: Callable[[str], str]  # where the alert with that key went
    expected_place: Callable[[m.Alert], str]  # where it should have gone


def _fake() -> Iterator[Harness]:
    ledger = MemoryLedger()
    fake = FakeAlerts(ledger)

    def where(key: str) -> str:
        return next(a.target for a in fake.posted() if a.key == key)

    yield Harness(
        fake, lambda key: sum(a.key == key for a in fake.posted()), where, lambda a: a.target
    )


def _keys(api: SlackApi, channel: str) -> list[str]:
    return [msg["metadata"]["event_payload"]["key"] for msg in api.in_channel(channel)]


def _slack(api: SlackApi) -> Iterator[Harness]:
    adapter = slack(api)

    def posted(key: str) -> int:
        return sum(_keys(api, ch).count(key) for ch in list(api.messages))

    def where(key: str) -> str:
        return next(ch for ch in list(api.messages) if key in _keys(api, ch))

    yield Harness(adapter, posted, where, adapter.channel_for)


@pytest.fixture(scope="module")
def running_api() -> Iterator[SlackApi]:
    """One stand-in for the module (a server takes half a second to stop), reset per test."""
    with SlackApi(token=TOKEN) as api:
        yield api


@pytest.fixture
def api(running_api: SlackApi) -> SlackApi:
    running_api.reset()
    return running_api


@pytest.fixture(params=["fake", "slack"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        yield from _fake()
    else:
        yield from _slack(request.getfixturevalue("api"))


# -- the contract, on both -------------------------------------------------------------------


def test_an_alert_is_posted_once_per_key(harness: Harness) -> None:
    alert = make_alert()
    first = harness.port.alert(alert)
    again = harness.port.alert(alert.model_copy(update={"summary": "Changed since"}))
    assert isinstance(harness.port, AlertPort)
    assert (first.key, first.duplicate) == (alert.key, False)
    assert first.provider_id
    assert (again.key, again.provider_id, again.duplicate) == (alert.key, first.provider_id, True)
    assert harness.posted(alert.key) == 1
    other = harness.port.alert(make_alert("call_2:alert"))
    assert other.duplicate is False
    assert other.provider_id != first.provider_id
    assert harness.posted("call_2:alert") == 1


def test_alerts_go_where_their_team_or_owner_is_routed(harness: Harness) -> None:
    finance = make_alert("call_1:alert")
    owner = make_alert("call_2:alert", team=m.Team.ACCOUNT_OWNER, target="@dana")
    fallback = make_alert("call_3:alert", team=m.Team.ACCOUNT_OWNER, target="#account-owners")
    for alert in (finance, owner, fallback):
        harness.port.alert(alert)
        assert harness.where(alert.key) == harness.expected_place(alert)
    assert len({harness.where(a.key) for a in (finance, owner, fallback)}) == 3


# -- the Slack adapter only: exact requests ----------------------------------------------------


def methods(api: SlackApi) -> list[str]:
    """The Web API methods called, in order (the SDK POSTs every one of them)."""
    return [r.path.removeprefix("/api/") for r in api.server.calls()]


def slack(api: SlackApi, token: str = TOKEN, **extra: Any) -> SlackAlerts:
    options: dict[str, Any] = {
        "channels": CHANNELS,
        "case_url_base": CASE_URL,
        "backoff": Backoff(base=0.001),
    }
    options.update(extra)
    return SlackAlerts(SecretStr(token), base_url=api.base_url, **options)


def test_routing_prefers_the_owner_then_the_team_then_the_default(api: SlackApi) -> None:
    adapter = slack(api, default_channel="C0DEFAULT")
    owner = make_alert(team=m.Team.ACCOUNT_OWNER, target="@dana")
    assert adapter.channel_for(owner) == "C0DANA"
    assert adapter.channel_for(owner.model_copy(update={"target": "dana"})) == "C0DANA"
    assert adapter.channel_for(owner.model_copy(update={"target": "@lee"})) == "C0OWNERS"
    assert adapter.channel_for(make_alert()) == "C0FINANCE"
    assert slack(api, channels={}, default_channel="C0DEFAULT").channel_for(owner) == "C0DEFAULT"
    with pytest.raises(PermanentPortError, match="no Slack channel routed"):
        slack(api, channels={}).alert(owner)
    assert api.server.calls() == []


def test_the_post_is_the_alert_people_can_act_on(api: SlackApi) -> None:
    alert = make_alert()
    receipt = slack(api).alert(alert)
    lookups, posts = api.calls("conversations.history"), api.calls("chat.postMessage")
    assert methods(api) == ["conversations.history", "chat.postMessage"]  # look, then post
    assert lookups[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert lookups[0].form_value("channel") == "C0FINANCE"
    assert lookups[0].form_value("include_all_metadata") == "1"
    assert float(lookups[0].form_value("oldest") or 0) > time.time() - 8 * 86_400
    post = posts[0]
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.headers["content-type"].startswith("application/json")
    body = post.json()
    assert body["channel"] == "C0FINANCE"
    assert body["metadata"] == {"event_type": "recoup_alert", "event_payload": {"key": alert.key}}
    stored = api.in_channel("C0FINANCE")
    assert receipt.provider_id == f"C0FINANCE:{stored[0]['ts']}"
    text = json.dumps(body["blocks"])
    for shown in ("Ana Diaz (Acme Ltd)", "INV-2026-000123 120.50 USD", "Dispute",
                  "Ana disputes the March charge.", "Says she cancelled in February",
                  "finance to review the dispute", "call_1"):  # fmt: skip
        assert shown in text, shown
    buttons = {b["action_id"]: b for blk in body["blocks"] if blk["type"] == "actions"
               for b in blk["elements"]}  # fmt: skip
    assert set(buttons) == {"recoup_take", "recoup_resolve", "recoup_open"}
    assert json.loads(buttons["recoup_take"]["value"]) == {
        "case": alert.case_id,
        "alert": alert.key,
    }
    assert buttons["recoup_resolve"]["value"] == buttons["recoup_take"]["value"]
    assert buttons["recoup_open"]["url"] == CASE_URL + "case:stripe:in_1"
    assert body["text"].startswith("Recoup alert for Finance: Dispute")


def test_no_phone_number_or_email_reaches_slack(api: SlackApi) -> None:
    slack(api).alert(make_alert())
    raw = api.calls("chat.postMessage")[0].body.decode()
    assert "ana@example.com" not in raw
    assert not re.search(r"415.?555.?0100", raw)
    assert "[phone]" in raw
    assert "[email]" in raw


def test_slack_markup_in_customer_text_is_shown_not_obeyed(api: SlackApi) -> None:
    sneaky = make_alert(details={"customer": "<!channel> Bob & Co <https://x.test|pay>"})
    slack(api).alert(sneaky.model_copy(update={"summary": "Says <!here> pay now"}))
    body = api.calls("chat.postMessage")[0].json()
    raw = json.dumps(body["blocks"]) + body["text"]
    assert "<!channel>" not in raw
    assert "<!here>" not in raw
    assert "<https://x.test" not in raw
    assert "&lt;!channel&gt; Bob &amp; Co" in raw


def test_the_blocks_keep_to_the_template_shape(api: SlackApi, shared_dir: Path) -> None:
    """Slack's own Approval template (../shared, by path) is the reference for block shapes."""
    template = json.loads((shared_dir / TEMPLATE).read_text())
    limits = template["constraints_from_block_kit_reference"]
    shape: dict[str, set[str]] = {}
    for blk in template["blocks"]:
        shape.setdefault(blk["type"], set()).update(blk)
    long = make_alert(summary="x" * 5_000, details={"objection": "y" * 5_000})
    slack(api).alert(long)
    blocks = api.calls("chat.postMessage")[0].json()["blocks"]
    assert len(blocks) <= 50
    for blk in blocks:
        if blk["type"] in shape:
            assert set(blk) <= shape[blk["type"]] | {"block_id"}
        for field in blk.get("fields", []):
            assert len(field["text"]) <= 2_000
        if blk["type"] == "section" and "text" in blk:
            assert len(blk["text"]["text"]) <= 3_000
    actions = next(b for b in blocks if b["type"] == "actions")
    assert len(actions["elements"]) <= 25
    for button in actions["elements"]:
        assert button["text"]["type"] == "plain_text"
        assert len(button["text"]["text"]) <= 75
        assert button.get("style", "primary") in limits["button.style"]
        assert len(button.get("value", "")) <= 2_000


# -- the Slack adapter only: failures ------------------------------------------------------------


def test_rate_limit_waits_for_retry_after_then_posts_once(api: SlackApi) -> None:
    waits: list[float] = []
    api.rate_limit_next(retry_after=2)
    receipt = slack(api, sleep=waits.append).alert(make_alert())
    assert receipt.duplicate is False
    assert len(waits) == 1
    assert waits[0] >= 2  # Slack's Retry-After, not our much shorter backoff
    assert methods(api) == ["conversations.history"] * 2 + ["chat.postMessage"]
    assert len(api.in_channel("C0FINANCE")) == 1


def test_invalid_auth_is_permanent_and_posts_nothing(api: SlackApi) -> None:
    with pytest.raises(PermanentPortError, match="invalid_auth") as failed:
        slack(api, token="xoxb-wrong").alert(make_alert())
    assert "xoxb-wrong" not in str(failed.value)
    assert len(api.server.calls()) == 1  # not retried
    assert api.messages == {}


def test_unknown_channel_is_permanent(api: SlackApi) -> None:
    api.known_channels = ("C0FINANCE",)
    alert = make_alert(team=m.Team.ACCOUNT_OWNER, target="@dana")
    with pytest.raises(PermanentPortError, match="channel_not_found"):
        slack(api).alert(alert)
    assert api.messages == {}


def test_server_errors_until_attempts_run_out_are_transient(api: SlackApi) -> None:
    api.server.fail_next(Reply(503, raw=b"<html>down</html>"), times=3)
    with pytest.raises(TransientPortError, match="HTTP 503"):
        slack(api, backoff=Backoff(attempts=3, base=0.001)).alert(make_alert())
    assert len(api.server.calls()) == 3
    assert api.messages == {}


def test_a_post_whose_reply_was_lost_is_found_not_repeated(api: SlackApi) -> None:
    api.lose_reply("chat.postMessage")
    receipt = slack(api).alert(make_alert())
    lookup, post = "conversations.history", "chat.postMessage"
    assert methods(api) == [lookup, post, lookup]
    assert receipt.duplicate is True  # found the earlier post instead of writing again
    assert len(api.in_channel("C0FINANCE")) == 1


def test_a_timeout_is_transient(api: SlackApi) -> None:
    api.server.fail_next(Reply(200, {"ok": True, "messages": []}, delay=1.5))
    with pytest.raises(TransientPortError, match=r"TimeoutError|URLError"):
        slack(api, timeout=1, backoff=Backoff(attempts=1)).alert(make_alert())
    assert api.messages == {}


def test_old_messages_are_paged_through_to_find_the_key(api: SlackApi) -> None:
    adapter = slack(api)
    first = adapter.alert(make_alert("call_0:alert"))
    for n in range(1, 5):
        adapter.alert(make_alert(f"call_{n}:alert"))
    paging = slack(api, page_size=2, history_pages=5)  # 5 messages, 2 a page: 3 pages
    again = paging.alert(make_alert("call_0:alert"))
    assert (again.provider_id, again.duplicate) == (first.provider_id, True)
    cursors = [r.form_value("cursor") for r in api.calls("conversations.history")[-3:]]
    assert cursors[0] is None
    assert cursors[1]
    assert cursors[2]


def test_check_says_who_the_token_is(api: SlackApi) -> None:
    assert slack(api).check() == "workspace Recoup Test as recoup"
    assert api.calls("auth.test")[0].headers["authorization"] == f"Bearer {TOKEN}"
    with pytest.raises(PermanentPortError, match="invalid_auth"):
        slack(api, token="xoxb-nope").check()
