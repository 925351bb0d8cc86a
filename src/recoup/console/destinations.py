"""Where a write-back landed: links to Stripe, HubSpot, Salesforce, or the simulated world.

Which vendor is real is decided once, by :mod:`recoup.wiring_vendors`: billing is Stripe when
an API key is set, the CRM is HubSpot or Salesforce when ``RECOUP_CRM`` says so, and the
simulated world stands in otherwise. The console asks the runtime which port it actually got
(rather than re-reading settings and risking a different answer), and reads settings only for
the base URLs of the vendors' own pages.

Simulated vendors keep what they were sent in the ``sim_ledger`` table (``billing_note`` and
``crm_note`` entries keyed by the write-back key, see :mod:`recoup.adapters.fake`), which
``/sim/<system>/<key>`` shows, so a demo's write-back link opens something real.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from recoup.adapters.fake.billing import FakeBilling
from recoup.adapters.fake.crm import FakeCrm
from recoup.adapters.fake.ledger import Ledger, SqlLedger
from recoup.agent.redact import mask_contact, redact
from recoup.settings import Settings
from recoup.store.timeline import Destinations
from recoup.workflows.runtime import Runtime

STRIPE_DASHBOARD = "https://dashboard.stripe.com"
#: The ledger kind each simulated system files its write-backs under.
NOTE_KINDS = {"billing": "billing_note", "crm": "crm_note"}


def stripe_dashboard_url(settings: Settings) -> str:
    """Stripe's dashboard; test-mode objects live under ``/test``, so a test key links there."""
    key = settings.stripe_api_key.get_secret_value() if settings.stripe_api_key else ""
    return STRIPE_DASHBOARD + ("/test" if key.startswith(("sk_test_", "rk_test_")) else "")


def destinations_for(settings: Settings, runtime: Runtime) -> Destinations:
    """The runtime's vendors and the URLs of their record pages."""
    billing = "sim" if isinstance(runtime.billing, FakeBilling) else "stripe"
    crm = "sim" if isinstance(runtime.crm, FakeCrm) else settings.crm
    return Destinations(
        billing=billing,
        crm=crm,
        stripe_dashboard_url=stripe_dashboard_url(settings),
        hubspot_portal_url=settings.hubspot_portal_url,
        salesforce_instance_url=settings.salesforce_instance_url,
        sim_base="/sim",
    )


@dataclass(frozen=True)
class SimRecords:
    """The destinations, and the simulated vendors' stored records for ``/sim`` pages."""

    destinations: Destinations
    ledger: Ledger | None

    @classmethod
    def build(cls, settings: Settings, runtime: Runtime) -> SimRecords:
        destinations = destinations_for(settings, runtime)
        simulated = "sim" in (destinations.billing, destinations.crm)
        return cls(destinations, SqlLedger(runtime.db.engine) if simulated else None)

    def simulated(self, system: str) -> bool:
        return system in NOTE_KINDS and getattr(self.destinations, system) == "sim"

    def record(self, system: str, key: str) -> dict[str, Any] | None:
        """What the simulated ``system`` stored under ``key``; None when that system is real
        (its records live at the vendor) or has no such record."""
        if self.ledger is None or not self.simulated(system):
            return None
        kind = NOTE_KINDS[system]
        stored = self.ledger.get(kind, key)
        if stored is None:
            return None
        shown = _safe(stored)
        pretty = json.dumps(shown, indent=2, sort_keys=True, ensure_ascii=False)
        return {"kind": kind, "record": shown, "pretty": pretty}


def _safe(stored: dict[str, Any]) -> dict[str, Any]:
    """The record with its free text fit for a page, as the case timeline makes it: card
    data redacted, phone numbers and emails masked (a transcript holds what the customer said
    aloud). Identifiers and dates are left as they are."""

    def clean(text: Any) -> Any:
        return mask_contact(redact(text)) if isinstance(text, str) else text

    shown = {k: clean(v) if k in ("summary", "next_action") else v for k, v in stored.items()}
    turns = stored.get("transcript")
    if isinstance(turns, list):
        shown["transcript"] = [
            {**t, "text": clean(t.get("text"))} if isinstance(t, dict) else t for t in turns
        ]
    return shown
