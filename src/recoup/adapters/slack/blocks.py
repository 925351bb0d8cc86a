"""Block Kit for a Recoup alert, and for the same message once someone has acted on it.

Why a module of its own: the message is the product here (a person must be able to act on it
without opening the transcript), and Slack's limits (3,000 characters a section, 2,000 a
field or button value, 150 a header) are easiest to respect in one place. Every piece of free
text goes through :func:`clean` first: card data and the customer's phone number or email
never reach a Slack channel, where far more people can read them than can read the case.

The message carries Slack *message metadata* (``event_type`` ``recoup_alert`` with the alert's
key) so the adapter can find an earlier post of the same alert instead of posting twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from recoup.agent.redact import mask_contact, redact
from recoup.domain.models import Alert, Team

__all__ = [
    "ACTIONS_BLOCK",
    "ACTION_OPEN",
    "ACTION_RESOLVE",
    "ACTION_TAKE",
    "METADATA_EVENT",
    "STATUS_BLOCK",
    "MessageRef",
    "alert_blocks",
    "case_url",
    "clean",
    "fallback_text",
    "metadata",
    "with_status",
]

ACTION_TAKE = "recoup_take"
ACTION_RESOLVE = "recoup_resolve"
ACTION_OPEN = "recoup_open"
ACTIONS_BLOCK = "recoup_actions"
STATUS_BLOCK = "recoup_status"
METADATA_EVENT = "recoup_alert"

Block = dict[str, Any]

_TEAM_LABEL = {Team.FINANCE: "Finance", Team.ACCOUNT_OWNER: "Account owner"}
#: Detail keys shown in the first section (who, how much) or in the context line; every other
#: non-empty detail is the promise or dispute detail and gets a field of its own.
_WHO = ("customer", "account", "company")
_HOW_MUCH = ("invoice", "amount")
_CONTEXT = {"call_id": "Call"}
_MAX_DETAIL_FIELDS = 10  # Slack's limit of fields in one section


@dataclass(frozen=True)
class MessageRef:
    """A posted alert as an interaction reports it: where it is and what it shows now.

    Opaque outside the Slack adapter: the API hands it back to ``SlackAlerts.show_action``.
    """

    channel: str
    ts: str
    blocks: tuple[Block, ...] = ()


def clean(text: str, limit: int = 2_000) -> str:
    """``text`` without card data, phone numbers or emails, cut to Slack's ``limit``."""
    safe = mask_contact(redact(text))
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def escape(text: str) -> str:
    """Slack's three control characters as entities: a customer name or a summary holding
    ``<!channel>`` or a ``<url|link>`` must show as typed, not ping or link anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _label(value: str) -> str:
    return value.replace("_", " ").strip().capitalize()


def _first(details: dict[str, str], keys: tuple[str, ...]) -> str:
    return next((details[k] for k in keys if details.get(k)), "—")


def case_url(base: str, case_id: str) -> str:
    """The operator's page for the case; the ID's colons stay readable."""
    return base + quote(case_id, safe=":")


def button_value(alert: Alert) -> str:
    """What a click sends back: the case and the alert, as compact JSON (under 2,000 chars)."""
    return json.dumps({"case": alert.case_id, "alert": alert.key}, separators=(",", ":"))


def metadata(key: str) -> dict[str, Any]:
    """Message metadata that lets the adapter find this alert's earlier post by its key."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}


def fallback_text(alert: Alert) -> str:
    """The notification text (and what screen readers read): team, reason, who, summary."""
    who = _first(alert.details, _WHO)
    line = f"Recoup alert for {_TEAM_LABEL[alert.team]}: {_label(alert.reason)}, {who}. "
    return clean(escape(line + alert.summary), limit=3_000)


def _field(title: str, value: str) -> Block:
    return {"type": "mrkdwn", "text": clean(f"*{title}*\n{escape(value)}")}


def _detail_fields(details: dict[str, str]) -> list[Block]:
    shown = {*_WHO, *_HOW_MUCH, *_CONTEXT}
    rest = [(k, v) for k, v in details.items() if v and k not in shown]
    return [_field(_label(k), v) for k, v in rest[:_MAX_DETAIL_FIELDS]]


def _buttons(alert: Alert, url: str) -> list[Block]:
    value = button_value(alert)

    def button(text: str, action_id: str, **extra: str) -> Block:
        return {
            "type": "button",
            "action_id": action_id,
            "text": {"type": "plain_text", "text": text, "emoji": True},
            **extra,
        }

    return [
        button("Take it", ACTION_TAKE, value=value, style="primary"),
        button("Mark resolved", ACTION_RESOLVE, value=value),
        button("Open case", ACTION_OPEN, url=url[:3_000]),
    ]


def alert_blocks(alert: Alert, url_base: str) -> list[Block]:
    """The alert: header, who and how much and why, summary, the detail, the three buttons."""
    header = f"{_TEAM_LABEL[alert.team]}: {_label(alert.reason)}"
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": clean(header, 150)}},
        {
            "type": "section",
            "fields": [
                _field("Who", _first(alert.details, _WHO)),
                _field("How much", _first(alert.details, _HOW_MUCH)),
                _field("Why", _label(alert.reason)),
                _field("For", alert.target),
            ],
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": clean(f"*Summary*\n{escape(alert.summary)}", 3_000)},
        },
    ]
    detail = _detail_fields(alert.details)
    if detail:
        blocks.append({"type": "section", "fields": detail})
    refs = [f"Case `{alert.case_id}`"] + [
        f"{label} `{alert.details[key]}`"
        for key, label in _CONTEXT.items()
        if alert.details.get(key)
    ]
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": clean(" · ".join(refs))}]}
    )
    blocks.append(
        {
            "type": "actions",
            "block_id": ACTIONS_BLOCK,
            "elements": _buttons(alert, case_url(url_base, alert.case_id)),
        }
    )
    return blocks


def with_status(blocks: tuple[Block, ...], status: str, done: bool) -> list[Block]:
    """The message's blocks with ``status`` shown above the buttons; once ``done``, only the
    "Open case" button stays, so nobody takes or resolves a finished alert again."""
    kept = [dict(b) for b in blocks if b.get("block_id") != STATUS_BLOCK]
    line: Block = {
        "type": "context",
        "block_id": STATUS_BLOCK,
        "elements": [{"type": "mrkdwn", "text": clean(status)}],
    }
    at = next((i for i, b in enumerate(kept) if b.get("block_id") == ACTIONS_BLOCK), len(kept))
    if done and at < len(kept):
        elements = kept[at].get("elements", [])
        left = [e for e in elements if e.get("action_id") not in (ACTION_TAKE, ACTION_RESOLVE)]
        kept[at] = {**kept[at], "elements": left}
        if not left:
            kept.pop(at)
    kept.insert(at, line)
    return kept
