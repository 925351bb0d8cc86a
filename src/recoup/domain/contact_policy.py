"""May we call this customer now? Calling windows, attempt caps, consent, value and sensitivity.

Pure: every input is passed in, so the rule can be tested at any instant and re-evaluated by a
recovered workflow with the same answer. The customer's local time comes from the account's own
zone, else from the phone number; a number that maps to several zones (toll-free, some mobile
ranges) must be inside the window in *every* one of them, since calling someone at 7 a.m. is
worse than calling a little later. No zone at all means no call: a person decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezone

from recoup.domain.models import Account, Invoice
from recoup.playbook import WEEKDAYS, CallingWindow, Playbook

_STEP = timedelta(minutes=15)
_HORIZON = timedelta(days=8)


@dataclass(frozen=True)
class PolicyDecision:
    """``action`` is ``call``, ``wait`` (until ``not_before``), ``review`` or ``stop``."""

    action: str
    reason: str
    not_before: datetime | None = None


def zones_for(account: Account) -> list[ZoneInfo]:
    """The zones the customer may be in: the account's own, else the phone number's."""
    if account.timezone:
        try:
            return [ZoneInfo(account.timezone)]
        except (ZoneInfoNotFoundError, ValueError):
            pass
    if not account.phone:
        return []
    try:
        number = phonenumbers.parse(account.phone, None)
    except phonenumbers.NumberParseException:
        return []
    names = [z for z in phone_timezone.time_zones_for_number(number) if z != "Etc/Unknown"]
    return [ZoneInfo(name) for name in names]


def callable_number(phone: str | None) -> bool:
    """True for a number phonenumbers considers valid (a zone alone does not make it callable)."""
    if not phone:
        return False
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(phone, None)))
    except phonenumbers.NumberParseException:
        return False


def in_window(moment: datetime, zones: list[ZoneInfo], window: CallingWindow) -> bool:
    """True when ``moment`` is inside the calling window in every zone."""
    for zone in zones:
        local = moment.astimezone(zone)
        if WEEKDAYS[local.weekday()] not in window.days:
            return False
        if not (window.start <= local.time().replace(tzinfo=None) < window.end):
            return False
    return True


def next_window(now: datetime, zones: list[ZoneInfo], window: CallingWindow) -> datetime | None:
    """The first quarter-hour at or after ``now`` inside the window, within eight days."""
    moment = now.replace(second=0, microsecond=0)
    if moment < now:
        moment += timedelta(minutes=1)
    moment += timedelta(minutes=(-moment.minute) % 15)
    end = now + _HORIZON
    while moment <= end:
        if in_window(moment, zones, window):
            return moment
        moment += _STEP
    return None


def screen(confidence: float, segment: str | None, playbook: Playbook) -> PolicyDecision | None:
    """Before the contact policy: is the match trustworthy, and is the customer in the launch?

    ``segment`` None means enrichment matched nothing. A ``review`` (unmatched, or a match
    weaker than the playbook's threshold) comes first, so nothing is written about a customer
    we may have wrong; then a ``stop`` for a segment the launch does not cover. None: go on
    to :func:`decide`. The case workflow and the console's dry run both ask this function.
    """
    if segment is None:
        return PolicyDecision("review", "unmatched")
    if confidence < playbook.match_confidence_threshold:
        return PolicyDecision("review", "low_confidence_match")
    if not playbook.segments.covers(segment):
        return PolicyDecision("stop", "segment_not_covered")
    return None


def decide(
    now: datetime, account: Account, invoice: Invoice, attempts_made: int, playbook: Playbook
) -> PolicyDecision:
    """The contact decision for the next call attempt, in priority order."""
    if account.opted_out or not account.consent_to_call:
        return PolicyDecision("stop", "do_not_contact")
    if invoice.amount >= playbook.high_value_threshold:
        return PolicyDecision("review", "high_value")
    if account.sensitive or account.tier in playbook.sensitive_tiers:
        return PolicyDecision("review", "sensitive_account")
    if attempts_made >= playbook.calling.max_attempts:
        return PolicyDecision("stop", "attempts_exhausted")
    zones = zones_for(account)
    if not callable_number(account.phone) or not zones:
        return PolicyDecision("review", "no_callable_number")
    if in_window(now, zones, playbook.calling.window):
        return PolicyDecision("call", "in_window")
    upcoming = next_window(now, zones, playbook.calling.window)
    if upcoming is None:
        return PolicyDecision("review", "no_calling_window")
    return PolicyDecision("wait", "outside_window", upcoming)
