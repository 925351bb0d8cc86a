"""Who the synthetic customers are: names, companies, emails and the account owners.

Names are drawn from a deliberately mixed pool so transcripts and alerts are not all "John
Smith". Emails use the reserved ``.example`` top-level domain (RFC 2606), so like the phone
numbers they look real to every validator and can never reach a real inbox.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from recoup.adapters.simulator.regions import Region

FIRST_NAMES = (
    "Maya", "James", "Priya", "Lucas", "Aisha", "Tom", "Sofia", "Kenji", "Olivia", "Mateo",
    "Chloe", "Daniel", "Fatima", "Ethan", "Hannah", "Jonas", "Amara", "Liam", "Mei", "Noah",
    "Grace", "Omar", "Isabel", "Ravi", "Zoe", "Felix", "Nadia", "Samuel", "Elena", "Kwame",
    "Claire", "Diego", "Ingrid", "Yusuf", "Rosa", "Ben", "Anika", "Marcus", "Léa", "Patrick",
)
LAST_NAMES = (
    "Chen", "Okafor", "Patel", "Müller", "Garcia", "Nguyen", "Smith", "Kowalski", "Dubois",
    "Rossi", "Tanaka", "Johnson", "Haddad", "Martin", "O'Brien", "Schmidt", "Silva", "Kim",
    "Andersen", "Moreau", "Williams", "Ibrahim", "Fischer", "Brown", "Lopez", "Walsh", "Singh",
    "Novak", "Taylor", "Bernard", "Murphy", "Costa", "Wright", "Yilmaz", "Clarke", "Hughes",
)
COMPANY_FIRST = (
    "Bluebird", "Northwind", "Cedar", "Harbor", "Copper", "Juniper", "Lantern", "Maple",
    "Orbit", "Pinecone", "Quarry", "Riverstone", "Saffron", "Tidewater", "Vantage", "Willow",
    "Granite", "Meridian", "Foxglove", "Brightline", "Kestrel", "Summit", "Atlas", "Ember",
)
COMPANY_SECOND = (
    "Analytics", "Labs", "Studio", "Logistics", "Dental", "Bakery", "Consulting", "Fitness",
    "Design", "Software", "Health", "Legal", "Supply", "Media", "Robotics", "Coffee",
    "Architects", "Events", "Clinic", "Systems", "Partners", "Foods",
)
#: The handful of account owners an alert for a growth or enterprise account goes to.
OWNERS = ("Dana Whitfield", "Marcus Oyelaran", "Priya Raman", "Tomás Herrera",
          "Ingrid Solberg", "Kenji Watanabe")


@dataclass(frozen=True)
class Identity:
    """A person, their company (possibly none, for sole traders) and their email."""

    first: str
    last: str
    company: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def _slug(text: str) -> str:
    """ASCII lowercase letters only, for email local parts and domains."""
    folded = text.lower().translate(str.maketrans("üéáóö", "ueaoo"))
    return re.sub(r"[^a-z]", "", folded)


def _email(first: str, last: str, domain: str, rng: random.Random) -> str:
    """One of the usual corporate address shapes, e.g. ``maya.chen@...`` or ``mchen@...``."""
    f, last_slug = _slug(first), _slug(last)
    local = rng.choice((f"{f}.{last_slug}", f, f"{f[0]}{last_slug}", f"{f}{last_slug[0]}",
                        f"{f}_{last_slug}"))
    return f"{local}@{domain}"


def draw_identity(region: Region, tier: str, rng: random.Random) -> Identity:
    """A contact at a company in ``region``; some starter accounts are sole traders."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if tier == "starter" and rng.random() < 0.2:
        email = _email(first, last, "mail.example", rng).replace("@", f"{rng.randint(1, 99)}@")
        return Identity(first, last, "", email)
    words = f"{rng.choice(COMPANY_FIRST)} {rng.choice(COMPANY_SECOND)}"
    suffix = rng.choice(region.company_suffixes)
    company = f"{words} {suffix}".strip()
    return Identity(first, last, company, _email(first, last, f"{_slug(words)}.example", rng))


def draw_owner(tier: str, rng: random.Random) -> str | None:
    """An account owner; half of self-serve starter accounts have none, as in most CRMs."""
    if tier == "starter" and rng.random() < 0.5:
        return None
    return rng.choice(OWNERS)


def draw_colleague(identity: Identity, rng: random.Random) -> str:
    """Someone else who might pick up the phone: never the account holder's own first name."""
    names = [name for name in FIRST_NAMES if name != identity.first]
    return rng.choice(names)
