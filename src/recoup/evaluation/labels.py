"""The labels we score against, and how the rule engine's richer intents map onto them.

The engine has seventeen intents because the dialog needs them (a bare "yes" confirms whatever
was just asked; "hold on" and "hello" keep a call alive). Labelled data, ours and third-party,
uses twelve intents plus, for turns whose question is yes/no, the answer itself. Every report,
the ``recoup understand`` output included, goes through ``intent_label`` so the mapping lives in
exactly one place and a change to it shows up everywhere at once.
"""

from __future__ import annotations

from typing import Literal, get_args

from recoup.agent.understand import Intent, Understanding

Label = Literal[
    "pay_now", "promise_to_pay", "already_paid", "dispute", "cancel", "hardship", "callback",
    "wrong_party", "opt_out", "human", "question", "other",
]  # fmt: skip
Context = Literal["ask_resolution", "confirm", "greet_verify"]

LABELS: tuple[Label, ...] = get_args(Label)
CONTEXTS: tuple[Context, ...] = get_args(Context)
#: The answers a confirm turn ("shall I send the link by email?") is labelled with.
CONFIRM_LABELS = ("yes", "no", "human")
#: The answers to "may I speak with Dana?".
VERIFY_LABELS = ("yes", "wrong_party", "question", "callback")

_EXTRA: dict[Intent, Label] = {
    # Our sets ask "can you take care of it today?"; a bare yes to that is paying now.
    "yes": "pay_now",
    # A bare no to it decides nothing: the agent goes on to ask for a date.
    "no": "other",
    # The engine's change_plan ("switch us to the cheaper plan", "fewer seats") ends the call
    # exactly as cancel does: escalated to the account owner as a change of contract
    # (stages._CLOSES). Complaints about the plan billed ("wrong plan", "price went up")
    # already match dispute patterns, so what is left of change_plan is a contract request.
    "change_plan": "cancel",
    # Keeping the line open or saying hello says nothing about the debt.
    "hold": "other",
    "greeting": "other",
}
_LABEL_OF: dict[Intent, Label] = {label: label for label in LABELS} | _EXTRA


def intent_label(intent: Intent) -> Label:
    """The twelve-label name of an engine intent; the one mapping every report shares."""
    try:
        return _LABEL_OF[intent]
    except KeyError:
        raise ValueError(f"engine intent {intent!r} has no label") from None


def confirm_reading(u: Understanding) -> str:
    """A reply to a yes/no question, read the way the dialog reads it: asking for a person
    (or to stop) wins over the answer, then the yes/no, then whatever else was said."""
    if u.intent in ("human", "opt_out"):
        return u.intent
    if u.answer is not None:
        return u.answer
    return intent_label(u.intent)


def verify_reading(u: Understanding) -> str:
    """A reply to "may I speak with Dana?", in the order ``Stages._verify`` weighs it: the
    customer's rights, then someone else answering (a plain no is that too), a callback,
    a yes (even one that carries a question), then a question alone."""
    if u.intent in ("human", "opt_out"):
        return u.intent
    if u.intent in ("wrong_party", "no"):
        return "wrong_party"
    if u.intent == "callback":
        return "callback"
    if u.answer == "yes":
        return "yes"
    return intent_label(u.intent)


def reading(u: Understanding, context: Context) -> str:
    """The label an understood reply earns in the turn it answers. Asking us to say it again
    ("what?", "can you repeat that") is a question to the engine, so the dialog repeats its
    turn, but it says nothing about the debt: the labels file it under ``other``."""
    if context == "confirm":
        return confirm_reading(u)
    if context == "greet_verify":
        return verify_reading(u)
    if u.intent == "question" and u.question_topic == "repeat":
        return "other"
    return intent_label(u.intent)
