"""ScriptedCustomer: lines per act in order, "*" for the rest, hang-up when a script runs out."""

from __future__ import annotations

from pathlib import Path

import recoup.adapters.simulator as simulator
from recoup.adapters.simulator import ScriptedCustomer, load_persona

EXAMPLES = Path(simulator.__file__).parent / "examples"


def test_lines_come_in_order_per_act() -> None:
    customer = ScriptedCustomer({"ask_date": ["friday", "ok monday"], "confirm": ["yes"]})
    assert customer.reply("ask_date", "When can you pay?") == "friday"
    assert customer.reply("confirm", "Friday, right?") == "yes"
    assert customer.reply("ask_date", "Any sooner?") == "ok monday"


def test_star_answers_unlisted_acts_with_a_shared_cursor() -> None:
    customer = ScriptedCustomer({"greet_verify": ["speaking"], "*": ["okay", "sure"]})
    assert customer.reply("disclose", "This call is recorded.") == "okay"
    assert customer.reply("some_new_act", "...") == "sure"
    assert customer.reply("greet_verify", "Is this Maya?") == "speaking"


def test_exhausted_act_hangs_up_even_when_star_has_lines() -> None:
    customer = ScriptedCustomer({"ask_resolution": ["no"], "*": ["okay"]})
    assert customer.reply("ask_resolution", "Can you pay?") == "no"
    assert customer.reply("ask_resolution", "Are you sure?") is None
    assert customer.hung_up


def test_exhausted_star_hangs_up() -> None:
    customer = ScriptedCustomer({"*": ["okay"]})
    assert customer.reply("anything", "hello") == "okay"
    assert customer.reply("else", "hello?") is None


def test_empty_list_hangs_up_at_once_and_no_script_means_no_answer() -> None:
    assert ScriptedCustomer({"voicemail": [], "*": ["hi"]}).reply("voicemail", "Hi...") is None
    assert ScriptedCustomer({}).reply("greet_verify", "Hello?") is None
    assert ScriptedCustomer({"confirm": ["yes"]}).reply("greet_verify", "Hello?") is None


def test_hang_up_is_final() -> None:
    customer = ScriptedCustomer({"greet_verify": [], "*": ["okay"]})
    assert customer.reply("greet_verify", "Is this Maya?") is None
    assert customer.reply("close", "Goodbye.") is None


def test_heard_records_what_the_agent_said() -> None:
    customer = ScriptedCustomer({"*": ["ok"]})
    customer.reply("greet_verify", "Hi, is this Maya?")
    customer.reply("close", "Bye!")
    assert customer.heard == (("greet_verify", "Hi, is this Maya?"), ("close", "Bye!"))
    assert not ScriptedCustomer({"*": ["ok"]}).hung_up


def test_script_is_copied_not_shared() -> None:
    lines = ["first"]
    script = {"confirm": lines}
    customer = ScriptedCustomer(script)
    lines.append("second")
    script["other"] = ["x"]
    assert customer.reply("confirm", "?") == "first"
    assert customer.reply("confirm", "?") is None


def test_two_customers_from_one_script_keep_separate_cursors() -> None:
    script = {"confirm": ["yes"]}
    first, second = ScriptedCustomer(script), ScriptedCustomer(script)
    assert first.reply("confirm", "?") == "yes"
    assert second.reply("confirm", "?") == "yes"


def test_example_persona_plays_a_whole_pay_now_call() -> None:
    customer = ScriptedCustomer(load_persona(EXAMPLES / "pay_now.json").replies)
    said = [
        customer.reply(act, "...")
        for act in ("greet_verify", "disclose", "ask_resolution", "ask_channel", "confirm", "close")
    ]
    assert None not in said
    assert "link" in str(said[2])
    assert "WhatsApp" in str(said[3])
