"""Persona files: the examples load and map onto domain records; bad files say what is wrong."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import recoup.adapters.simulator as simulator
from recoup.adapters.simulator import (
    AnswerMode,
    BehaviourKind,
    Persona,
    load_persona,
    save_persona,
)
from recoup.domain.errors import InputError

EXAMPLES = Path(simulator.__file__).parent / "examples"
NAMES = ("pay_now.json", "promise.json", "dispute_card.json", "voicemail.json")


def _raw(name: str = "pay_now.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: object, name: str = "persona.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", NAMES)
def test_examples_load_and_round_trip(name: str, tmp_path: Path) -> None:
    persona = load_persona(EXAMPLES / name)
    assert persona.behaviour is not None
    assert Persona.model_validate(persona.model_dump(mode="json")) == persona
    save_persona(persona, tmp_path / name)
    assert load_persona(tmp_path / name) == persona


def test_examples_cover_the_cases_they_are_named_for() -> None:
    personas = {name: load_persona(EXAMPLES / name) for name in NAMES}
    kinds = {name: p.behaviour.kind for name, p in personas.items() if p.behaviour}
    assert kinds["pay_now.json"] is BehaviourKind.PAY_NOW
    assert kinds["dispute_card.json"] is BehaviourKind.DISPUTE
    promise = personas["promise.json"].behaviour
    assert promise is not None
    assert (promise.kind, promise.promise_date) == (BehaviourKind.PROMISE, date(2026, 11, 27))
    dispute = personas["dispute_card.json"]
    assert "4242 4242 4242 4242" in dispute.replies["ask_resolution"][0]
    assert dispute.invoice.amount > 5000
    assert personas["voicemail.json"].answers is AnswerMode.VOICEMAIL


def test_to_account_maps_every_field() -> None:
    persona = load_persona(EXAMPLES / "pay_now.json")
    account = persona.to_account("acc_42", billing_customer_ref="cus_9")
    assert account.account_id == "acc_42"
    assert (account.name, account.company) == ("Maya Chen", "Bluebird Analytics Inc.")
    assert (account.tier, account.segment) == ("growth", "mid_market")
    assert account.phone == account.whatsapp == "+14155550123"
    assert account.email == "maya.chen@bluebirdanalytics.example"
    assert (account.timezone, account.owner) == ("America/Los_Angeles", "Dana Whitfield")
    assert (account.language, account.locale) == ("en", "en_US")
    assert account.billing_customer_ref == "cus_9"


@pytest.mark.parametrize(
    ("tier", "segment"),
    [("starter", "smb"), ("growth", "mid_market"), ("enterprise", "enterprise"), ("odd", "smb")],
)
def test_segment_follows_tier(tier: str, segment: str) -> None:
    raw = _raw()
    raw["account"]["tier"] = tier
    assert Persona.model_validate(raw).to_account("a").segment == segment


def test_locale_follows_phone_country() -> None:
    assert load_persona(EXAMPLES / "dispute_card.json").to_account("a").locale == "en_GB"
    assert load_persona(EXAMPLES / "voicemail.json").to_account("a").locale == "en_AU"


def test_to_invoice_maps_every_field() -> None:
    invoice = load_persona(EXAMPLES / "promise.json").to_invoice("in_7", "cus_7")
    assert (invoice.invoice_ref, invoice.customer_ref, invoice.number) == (
        "in_7",
        "cus_7",
        "INV-2611-00102",
    )
    assert invoice.amount == Decimal("49.00")
    assert (invoice.currency, invoice.due_date) == ("usd", date(2026, 11, 21))
    assert (invoice.failure_reason, invoice.prior_failures, invoice.status) == (
        "insufficient_funds",
        2,
        "open",
    )


def test_currency_is_normalised_to_lower_case() -> None:
    raw = _raw()
    raw["invoice"]["currency"] = "USD"
    assert Persona.model_validate(raw).invoice.currency == "usd"


def _break(raw: dict[str, Any], where: str, value: object) -> dict[str, Any]:
    """Set (or with ``...`` delete) a dotted field in a copy of ``raw``."""
    data = json.loads(json.dumps(raw))
    *parents, leaf = where.split(".")
    target = data
    for part in parents:
        target = target[part]
    if value is ...:
        del target[leaf]
    else:
        target[leaf] = value
    return data


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        ("invoice.amount", "-3", "invoice.amount"),
        ("invoice.amount", "lots", "invoice.amount"),
        ("invoice.due_date", "next week", "invoice.due_date"),
        ("invoice.number", ..., "invoice.number"),
        ("invoice.prior_failures", -1, "invoice.prior_failures"),
        ("account.phone", "555-0123", "account.phone"),
        ("account.phone", "+15555550123", "account.phone"),
        ("account.whatsapp", "+1415555012", "account.whatsapp"),
        ("account.email", "maya at example", "account.email"),
        ("account.timezone", "Mars/Olympus", "account.timezone"),
        ("now", "2026-11-24T15:00:00", "now"),
        ("answers", "maybe", "answers"),
        ("ansers", "human", "ansers"),
        ("replies.greet_verify", "Yes, speaking.", "replies.greet_verify"),
        ("replies.Greet Verify", ["hi"], "replies"),
        ("behaviour.kind", "haggle", "behaviour.kind"),
        ("behaviour.opens_link", False, "behaviour"),
        ("behaviour.pay_delay_hours", -1, "behaviour.pay_delay_hours"),
    ],
)
def test_bad_field_is_named_with_the_file(
    tmp_path: Path, where: str, value: object, expected: str
) -> None:
    path = _write(tmp_path, _break(_raw(), where, value), "broken_persona.json")
    with pytest.raises(InputError) as caught:
        load_persona(path)
    message = str(caught.value)
    assert "broken_persona.json" in message
    assert expected in message


def test_human_persona_without_replies_is_refused(tmp_path: Path) -> None:
    raw = _raw()
    raw["replies"] = {}
    with pytest.raises(InputError, match="at least one reply"):
        load_persona(_write(tmp_path, raw))
    raw["answers"] = "no_answer"
    assert load_persona(_write(tmp_path, raw)).replies == {}


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nowhere\.json"):
        load_persona(tmp_path / "nowhere.json")


def test_invalid_json_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "half.json"
    path.write_text('{"account": {', encoding="utf-8")
    with pytest.raises(InputError, match=r"half\.json: not valid JSON"):
        load_persona(path)


def test_top_level_must_be_an_object(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"list\.json"):
        load_persona(_write(tmp_path, [1, 2], "list.json"))
