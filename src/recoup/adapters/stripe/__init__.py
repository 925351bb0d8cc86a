"""Stripe adapter: verify webhooks, then map their events onto domain ``TriggerEvent``s.

Stripe's vocabulary (events, objects, minor units, API versions) stays inside this package.
"""

from recoup.adapters.stripe.mapping import event_to_trigger, to_major_units
from recoup.adapters.stripe.webhook import (
    DEFAULT_TOLERANCE,
    SIGNATURE_HEADER,
    sign,
    verify_and_parse,
)

__all__ = [
    "DEFAULT_TOLERANCE",
    "SIGNATURE_HEADER",
    "event_to_trigger",
    "sign",
    "to_major_units",
    "verify_and_parse",
]
