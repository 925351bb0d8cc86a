"""Where synthetic customers live: countries, timezones, currencies and *fictional* phone ranges.

Every number drawn here comes from a range regulators reserve for drama and documentation
(NANP 555-0100..0199, Ofcom's 020 7946 0xxx and friends, ARCEP's 01 99 00 xx xx, ACMA's
x 5550 xxxx, the German film ranges), and each passes ``phonenumbers.is_valid_number``. So a
demo pointed by mistake at a real telephony account still cannot ring a real person, while
the matcher and dialer see numbers shaped exactly like production ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Zone:
    """One timezone and the number prefixes (E.164, minus the last digits) local to it."""

    name: str
    prefixes: tuple[str, ...]
    tail: int


@dataclass(frozen=True)
class Region:
    """A country the synthetic book of business sells into."""

    country: str
    currency: str
    weight: float
    whatsapp_share: float
    tax_rates: tuple[Decimal, ...]
    company_suffixes: tuple[str, ...]
    zones: tuple[Zone, ...]


def _nanp(tz: str, areas: str) -> Zone:
    """A North American zone: 555-01xx in each area code, the range set aside for fiction."""
    return Zone(tz, tuple(f"+1{area}55501" for area in areas.split()), 2)


REGIONS: tuple[Region, ...] = (
    Region("US", "usd", 0.45, 0.2, (Decimal(0), Decimal(0), Decimal("0.0725")),
           ("Inc.", "LLC", "Co.", ""), (
        _nanp("America/New_York", "212 646 718 917 347 617 404 305 215 202"),
        _nanp("America/Chicago", "312 773 214 713 512 612 314"),
        _nanp("America/Denver", "303 720 801 505"),
        _nanp("America/Phoenix", "602 480 520"),
        _nanp("America/Los_Angeles", "213 310 415 206 503 408 650 702"),
    )),
    Region("CA", "cad", 0.05, 0.3, (Decimal("0.05"), Decimal("0.13")), ("Inc.", "Ltd.", ""), (
        _nanp("America/Toronto", "416 647 437 613 514"),
        _nanp("America/Vancouver", "604 778 250"),
    )),
    Region("GB", "gbp", 0.12, 0.6, (Decimal("0.2"),), ("Ltd", "LLP", ""), (
        Zone("Europe/London", ("+442079460", "+441614960", "+441214960", "+441134960",
                               "+441314960", "+441414960", "+441174960"), 3),
    )),
    Region("DE", "eur", 0.08, 0.7, (Decimal("0.19"),), ("GmbH", "AG", "UG"), (
        Zone("Europe/Berlin", ("+493023125", "+496990009", "+494066969", "+492214710",
                               "+498999998"), 3),
    )),
    Region("FR", "eur", 0.07, 0.6, (Decimal("0.2"),), ("SAS", "SARL", ""), (
        Zone("Europe/Paris", ("+3319900", "+3326191", "+3335301", "+3346571", "+3353649"), 4),
    )),
    Region("AU", "aud", 0.13, 0.4, (Decimal("0.1"),), ("Pty Ltd", ""), (
        Zone("Australia/Sydney", ("+6125550",), 4),
        Zone("Australia/Melbourne", ("+6135550",), 4),
        Zone("Australia/Brisbane", ("+6175550",), 4),
        Zone("Australia/Adelaide", ("+6185550",), 4),
        Zone("Australia/Perth", ("+6185550",), 4),
    )),
)


def pick_region(rng: random.Random) -> Region:
    """A region weighted by share of the customer base (US-heavy, as most SaaS books are)."""
    return rng.choices(REGIONS, weights=[r.weight for r in REGIONS])[0]


class PhoneBook:
    """Hands out fictional numbers, unique within one population while the ranges last.

    Uniqueness matters because the CRM matcher looks accounts up by phone; two personas on one
    number would make every match ambiguous. Past ``_TRIES`` collisions (only in populations far
    larger than the reserved ranges) a duplicate is accepted rather than looping forever.
    """

    _TRIES = 50

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def draw(self, zone: Zone) -> str:
        """A fresh E.164 number local to ``zone``."""
        number = ""
        for _ in range(self._TRIES):
            prefix = self._rng.choice(zone.prefixes)
            number = prefix + "".join(self._rng.choice("0123456789") for _ in range(zone.tail))
            if number not in self._used:
                break
        self._used.add(number)
        return number
