"""What the agent says: a few variants per line, picked deterministically per call.

Each call starts at a variant picked from its call ID (crc32, not ``hash``, which changes per
process) and moves to the next one each time a line is said again: a replayed call says the
same words, different calls do not all sound the same, and a repeated prompt is reworded.

Lines that may be said before the person is verified (``disclose``, ``greet_verify``, the
``pre_*`` answers, ``voicemail`` and the neutral closes) never mention the debt; ``Dialog``
checks that again at run time. Amounts and dates follow the customer's locale through Babel
(CLDR data, offline), so a German customer hears "1.249,00 €" and a British one
"Friday, 4 December".
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from datetime import date
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency

DEFAULT_LOCALE = "en_US"
#: The year and the punctuation that joins it, removed from a locale's full date pattern.
_NO_YEAR = re.compile(r"[\s,.]*y+[\s.]*")

TEMPLATES: dict[str, tuple[str, ...]] = {
    "disclose": (
        "Hi, this is an automated assistant calling on behalf of {company}.",
        "Hello, I'm an automated assistant calling on behalf of {company}.",
    ),
    "recording": ("This call is recorded.", "Just so you know, this call is recorded."),
    "greet_verify": ("May I speak with {name}?", "Could I speak with {name}, please?"),
    "verify_again": ("Am I speaking with {name}?", "Just to check, am I speaking with {name}?"),
    "hold": ("Of course, I'll hold.", "Sure, I'll wait."),
    "reminder": (
        "Thanks, {first}. I'm calling because the payment for invoice {invoice} of {amount}, "
        "due {due}, didn't go through.",
        "Thank you, {first}. The payment for invoice {invoice} of {amount}, due {due}, didn't "
        "go through, so I'm calling to help sort it out.",
    ),
    "ask_resolution": (
        "Would you like me to send you a secure link to pay now, or is there a date that works "
        "better for you?",
        "I can send you a secure payment link right away, or we can agree on a date. What "
        "would you prefer?",
    ),
    "ask_channel": (
        "Shall I send the secure link by email or by WhatsApp?",
        "Would you like the link by email or on WhatsApp?",
    ),
    "confirm_link": (
        "I'll send a secure payment link by {channel} to the contact we have on file. Is that "
        "okay?",
        "Just to confirm, I'll send the secure link by {channel}. Shall I go ahead?",
    ),
    "no_such_channel": ("I don't have your {wanted} details, so it would come by {channel}.",),
    "ask_date": (
        "No problem. By what date could you make the payment?",
        "That's fine. What date would work for you to pay?",
    ),
    "clarify_date": (
        "I understand. Could you give me a specific date, for example next Friday?",
        "Thanks. Which exact date should I note down?",
    ),
    "confirm_promise": (
        "Just to confirm: you'll pay {amount} by {date}. Is that right?",
        "So I'll note that you'll pay {amount} by {date}. Is that correct?",
    ),
    "ask_dispute_detail": (
        "I'm sorry to hear that. Could you tell me briefly what's wrong, so I can pass it to "
        "our finance team?",
        "I understand. What seems to be wrong with it? I'll pass it on to our finance team.",
    ),
    "warn_card_data": (
        "Please don't read card details over the phone; I'll send you a secure link instead.",
        "For your safety, please don't share card details on this call; I'll send you a secure "
        "link instead.",
    ),
    "not_heard": ("Sorry, I didn't catch that.", "Sorry, I missed that."),
    "only_with_customer": ("I'm sorry, I can only discuss this with {name} directly.",),
    "answer_caller": ("I'm an automated assistant calling on behalf of {company}.",),
    "pre_legitimacy": (
        "That's a fair question. You can check by calling {company} on the number on their "
        "official website.",
    ),
    "answer_legitimacy": (
        "That's a fair question. You can check this call is genuine by calling the number on "
        "your invoice. I will never ask for card details on the phone.",
    ),
    "answer_recorded": ("Yes, this call is recorded.",),
    "answer_not_recorded": ("This call isn't recorded, but I keep written notes of it.",),
    "answer_amount": ("The amount is {amount}, for invoice {invoice}.",),
    "answer_invoice": ("It's invoice {invoice}, for {amount}, due {due}.",),
    "answer_due_date": ("It was due on {due}.",),
    "answer_reason": ("As far as I can see, {reason}.",),
    "answer_unknown": ("I'm sorry, I can't answer that, but our team can.",),
    "close_link": ("Thank you. The secure link is on its way by {channel}. Goodbye.",),
    "close_promise": ("Thank you, I've noted that you'll pay by {date}. Goodbye.",),
    "close_out_of_policy": (
        "Thank you. I can't agree to a date that far out myself, but I'll pass it to our team, "
        "who will get back to you. Goodbye.",
    ),
    "close_dispute": ("Thank you. Our finance team will look into it and contact you. Goodbye.",),
    "close_cancel": (
        "Understood. I'll pass your cancellation request to your account manager, who will "
        "contact you. Goodbye.",
    ),
    "close_contract_change": (
        "Understood. Your account manager will contact you about changing your plan. Goodbye.",
    ),
    "close_claimed_paid": (
        "Thank you for letting me know. Our team will check and only get back to you if "
        "anything is still needed. Goodbye.",
    ),
    "close_hardship": (
        "I'm sorry to hear that. I'll pass this to our team so they can look at options with "
        "you. Goodbye.",
    ),
    "close_no_channel": ("Thank you. Our team will send you a secure link. Goodbye.",),
    "close_human": ("Of course. Someone from our team will call you back soon. Goodbye.",),
    "close_opt_out": ("Understood. We won't call you again. Goodbye.",),
    "close_callback": ("Of course. We'll call you back {when}. Goodbye.",),
    "close_wrong_party": (
        "No problem. Could you please ask {name} to call {company} back{at}? Thank you, goodbye.",
        "Thanks. Please ask {name} to return a call from {company}{at}. Goodbye.",
    ),
    "close_low_confidence": (
        "I'm sorry, I'm having trouble understanding. Someone from our team will follow up. "
        "Goodbye.",
    ),
    "close_language": (
        "I'm sorry, I can only speak English on this call. Someone from our team will get in "
        "touch. Goodbye.",
    ),
    "voicemail": (
        "Hello, this is an automated assistant calling on behalf of {company} with a message "
        "for {name}. Please call us back{at}. Thank you.",
    ),
}

#: Card failure codes (Stripe's, the commonest) as a customer would say them.
REASONS = {
    "insufficient_funds": "the bank declined it for insufficient funds",
    "expired_card": "the card on file has expired",
    "card_declined": "the bank declined the card",
    "generic_decline": "the bank declined the card",
    "do_not_honor": "the bank declined the card",
    "incorrect_cvc": "the card details on file didn't match",
    "incorrect_number": "the card details on file didn't match",
    "authentication_required": "the bank asked for an extra security check",
    "processing_error": "there was a processing error at the bank",
}


def failure_reason(code: str | None) -> str:
    """A failure code in words; an unknown code is admitted rather than guessed at."""
    default = "the bank didn't approve the charge, and I don't have more detail"
    return REASONS.get((code or "").lower(), default)


def _locale(name: str) -> Locale:
    """The Babel locale for ``name`` (``en_GB``), or US English when it is empty or unknown."""
    try:
        return Locale.parse(name or DEFAULT_LOCALE)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


def format_amount(amount: Decimal, currency: str, locale: str = "") -> str:
    """The amount as the customer's locale writes it: $1,249.00, 1.249,00 €, £249.00."""
    return format_currency(amount, currency.upper(), locale=_locale(locale))


def format_date(day: date, locale: str = "") -> str:
    """The date as said, without the year: "Friday, December 4" in en_US."""
    loc = _locale(locale)
    pattern = _NO_YEAR.sub("", loc.date_formats["full"].pattern).strip(" ,")
    return babel_format_date(day, pattern, locale=loc)


class Lines:
    """The line book of one call."""

    def __init__(self, seed: str) -> None:
        self._seed = seed
        self._said: Counter[str] = Counter()

    def say(self, key: str, **slots: str) -> str:
        """The text of line ``key`` with its slots filled, in this call's variant."""
        variants = TEMPLATES[key]
        start = zlib.crc32(f"{self._seed}:{key}".encode())
        index = (start + self._said[key]) % len(variants)
        self._said[key] += 1
        return variants[index].format(**slots)
