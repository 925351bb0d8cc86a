"""Stripe and the CRM (HubSpot or Salesforce), each probed with one read through its adapter:
an invoice that cannot exist (Stripe answers 404, which proves the key), and a search for an
email no CRM holds (which proves the token and, on Salesforce, the configured fields)."""

from __future__ import annotations

from recoup.doctor.base import (
    ONE_TRY,
    PROBE_EMAIL,
    PROBE_TIMEOUT,
    Check,
    host_of,
    network,
    not_probed,
    probed,
    public,
)
from recoup.domain.errors import ConfigError
from recoup.settings import PLACEHOLDER_SECRETS, Settings

PROBE_INVOICE = "in_recoup_doctor_probe"
STRIPE_KEY = (
    "Stripe Dashboard > Developers > API keys > Create restricted key (rk_...), with the "
    "permissions in docs/integrations/stripe.md"
)
HUBSPOT_WHERE = "HubSpot > Settings > Integrations > Private apps > your app > Auth > Access token"


def check_stripe(s: Settings, probe: bool) -> list[Check]:
    """The API key (a probe read) and the webhook signing secret, as two rows."""
    webhooks = s.stripe_webhook_secret.get_secret_value() not in PLACEHOLDER_SECRETS
    if s.stripe_api_key is None and not webhooks:
        why = f"billing simulated: set RECOUP_STRIPE_API_KEY ({STRIPE_KEY})"
        return [Check("stripe", "off", f"{why} and RECOUP_STRIPE_WEBHOOK_SECRET")]
    if s.stripe_api_key is None:
        why = f"invoices, links and write-back simulated: set RECOUP_STRIPE_API_KEY ({STRIPE_KEY})"
        api = Check("stripe", "off", why)
    else:
        api = _stripe_key(s, s.stripe_api_key.get_secret_value()) or _stripe_probe(s, probe)
    return [api, _stripe_webhook(s, webhooks)]


def _stripe_key(s: Settings, key: str) -> Check | None:
    """A key of the wrong kind, found without asking Stripe."""
    if key.startswith("pk_"):
        why = "holds a publishable key (pk_...): Recoup needs a restricted or secret key"
    elif not key.startswith(("rk_", "sk_")):
        why = "does not look like a Stripe API key (rk_... or sk_...)"
    elif s.environment == "production" and "_test_" in key:
        why = "is a test-mode key but RECOUP_ENVIRONMENT=production: use the live one"
    else:
        return None
    return Check("stripe", "invalid", f"RECOUP_STRIPE_API_KEY {why}; {STRIPE_KEY}")


def _stripe_probe(s: Settings, probe: bool) -> Check:
    if not probe:
        return not_probed("stripe")

    def read() -> str:
        from recoup.adapters.stripe.client import StripeBilling

        assert s.stripe_api_key is not None
        billing = StripeBilling(
            s.stripe_api_key,
            base_url=s.stripe_api_base,
            link_mode=s.stripe_link_mode,
            return_url=s.stripe_return_url or s.public_base_url,
            backoff=ONE_TRY,
            timeout=PROBE_TIMEOUT,
        )
        billing.get_invoice(PROBE_INVOICE)
        mode = "test" if "_test_" in s.stripe_api_key.get_secret_value() else "live"
        return f"{host_of(s.stripe_api_base)} accepted the {mode}-mode API key (invoices readable)"

    refused = f"check RECOUP_STRIPE_API_KEY ({STRIPE_KEY})"
    return probed("stripe", read, refused, network("RECOUP_STRIPE_API_BASE", s.stripe_api_base))


def _stripe_webhook(s: Settings, real_secret: bool) -> Check:
    where = public(s, "/webhooks/stripe")
    console = "Stripe Dashboard > Developers > Webhooks"
    secret = f"{console} > the endpoint {where} > Signing secret"
    if not real_secret:
        why = f"is a placeholder, so Stripe's events are refused: copy it from {secret}"
        return Check("stripe webhooks", "missing", f"RECOUP_STRIPE_WEBHOOK_SECRET {why}")
    if not s.stripe_webhook_secret.get_secret_value().startswith("whsec_"):
        why = f"does not start with whsec_: is it the endpoint's signing secret? ({secret})"
        return Check("stripe webhooks", "warn", f"RECOUP_STRIPE_WEBHOOK_SECRET {why}")
    return Check("stripe webhooks", "ok", f"signing secret set; Stripe sends events to {where} "
                 f"(registered in {console})")  # fmt: skip


def check_crm(s: Settings, probe: bool) -> list[Check]:
    """A search for an impossible email through the chosen CRM's adapter."""
    if s.crm == "fake":
        why = (
            f"CRM simulated: set RECOUP_CRM=hubspot with RECOUP_HUBSPOT_ACCESS_TOKEN "
            f"({HUBSPOT_WHERE}), or RECOUP_CRM=salesforce (docs/integrations/salesforce.md)"
        )
        return [Check("crm", "off", why)]
    name = f"crm: {s.crm}"
    if not probe:
        return [not_probed(name)]
    if s.crm == "hubspot":
        refused = f"check RECOUP_HUBSPOT_ACCESS_TOKEN ({HUBSPOT_WHERE})"
        reach = network("RECOUP_HUBSPOT_BASE_URL", s.hubspot_base_url)
        return [probed(name, lambda: _hubspot(s), refused, reach)]
    refused = "check the RECOUP_SALESFORCE_* settings (docs/integrations/salesforce.md)"
    where = s.salesforce_instance_url or f"{s.salesforce_domain}.salesforce.com"
    reach = network("RECOUP_SALESFORCE_INSTANCE_URL or RECOUP_SALESFORCE_DOMAIN", where)
    return [probed(name, lambda: _salesforce(s), refused, reach)]


def _hubspot(s: Settings) -> str:
    from recoup.adapters.hubspot import HubSpotCrm, Properties

    if s.hubspot_access_token is None:
        raise ConfigError("RECOUP_HUBSPOT_ACCESS_TOKEN is not set")
    names = Properties(
        billing_ref=s.hubspot_billing_ref_property,
        tier=s.hubspot_tier_property,
        segment=s.hubspot_segment_property,
        call_id=s.hubspot_call_id_property,
    )
    crm = HubSpotCrm(
        s.hubspot_access_token,
        base_url=s.hubspot_base_url,
        backoff=ONE_TRY,
        properties=names,
        phone_region=s.crm_phone_region,
        timeout=PROBE_TIMEOUT,
    )
    crm.match_account(None, PROBE_EMAIL, None, None)
    return f"{host_of(s.hubspot_base_url)} accepted the private app token (contacts searchable)"


def _salesforce(s: Settings) -> str:
    from recoup.adapters.salesforce import Fields, SalesforceCrm

    fields = Fields(
        billing_ref=s.salesforce_billing_ref_field,
        call_id=s.salesforce_call_id_field,
        tier=s.salesforce_tier_field,
        segment=s.salesforce_segment_field,
    )
    crm = SalesforceCrm(
        s.salesforce_instance_url,
        s.salesforce_access_token,
        s.salesforce_username,
        s.salesforce_password,
        s.salesforce_security_token,
        version=s.salesforce_api_version,
        backoff=ONE_TRY,
        domain=s.salesforce_domain,
        fields=fields,
        phone_region=s.crm_phone_region,
        timeout=PROBE_TIMEOUT,
    )
    crm.match_account(None, PROBE_EMAIL, None, None)
    return "the integration user can query Contacts with the configured fields"
