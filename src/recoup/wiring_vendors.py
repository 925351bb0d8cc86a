"""The real vendor adapters, each built from Settings when it is switched on (part of wiring).

An integration with no credentials falls back to the simulated world's working fake, so a
fresh checkout runs the demo with nothing configured and a team can switch vendors on one at
a time. Only this module and :mod:`recoup.wiring` read settings; adapters receive values.
Vendor SDKs are imported lazily, inside each builder: a process pays for the SDKs it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from recoup.ports import AlertPort, BillingPort, CrmPort, MessagingPort
from recoup.settings import Settings

if TYPE_CHECKING:
    from recoup.wiring import World

__all__ = ["build_alerts", "build_billing", "build_crm", "build_messaging", "case_url_base"]


def case_url_base(settings: Settings) -> str:
    """Where a person opens a case from an alert or a CRM note."""
    return f"{settings.public_base_url.rstrip('/')}/api/cases/"


def build_billing(settings: Settings, world: World) -> BillingPort:
    """Stripe when an API key is set, else the simulated billing system."""
    if settings.stripe_api_key is None:
        return world.billing
    from recoup.adapters.stripe.client import StripeBilling

    return StripeBilling(
        settings.stripe_api_key,
        base_url=settings.stripe_api_base,
        link_mode=settings.stripe_link_mode,
        return_url=settings.stripe_return_url or settings.public_base_url,
    )


def build_crm(settings: Settings, world: World) -> CrmPort:
    """HubSpot or Salesforce as ``RECOUP_CRM`` says, else the simulated CRM."""
    if settings.crm == "hubspot" and settings.hubspot_access_token is not None:
        from recoup.adapters.hubspot import HubSpotCrm, Properties

        return HubSpotCrm(
            settings.hubspot_access_token, base_url=settings.hubspot_base_url,
            portal_url=settings.hubspot_portal_url, case_url_base=case_url_base(settings),
            properties=Properties(
                billing_ref=settings.hubspot_billing_ref_property,
                tier=settings.hubspot_tier_property, segment=settings.hubspot_segment_property,
                call_id=settings.hubspot_call_id_property,
            ),
            phone_region=settings.crm_phone_region,
        )  # fmt: skip
    if settings.crm == "salesforce":
        from recoup.adapters.salesforce import Fields, SalesforceCrm

        return SalesforceCrm(
            settings.salesforce_instance_url, settings.salesforce_access_token,
            settings.salesforce_username, settings.salesforce_password,
            settings.salesforce_security_token, version=settings.salesforce_api_version,
            case_url_base=case_url_base(settings), domain=settings.salesforce_domain,
            fields=Fields(
                billing_ref=settings.salesforce_billing_ref_field,
                call_id=settings.salesforce_call_id_field,
                tier=settings.salesforce_tier_field, segment=settings.salesforce_segment_field,
            ),
            phone_region=settings.crm_phone_region,
        )  # fmt: skip
    return world.crm


def build_alerts(settings: Settings, world: World) -> AlertPort:
    """Slack when a bot token is set, else the simulated channel."""
    if settings.slack_bot_token is None:
        return world.alerts
    from recoup.adapters.slack.client import SlackAlerts

    return SlackAlerts(
        settings.slack_bot_token, base_url=settings.slack_api_base,
        channels=settings.slack_channels, default_channel=settings.slack_default_channel,
        case_url_base=case_url_base(settings),
    )  # fmt: skip


def build_messaging(settings: Settings, world: World) -> MessagingPort:
    """Email and WhatsApp: the simulated channels until a provider is configured."""
    return world.messaging
