"""The real vendor adapters, each built from Settings when it is switched on (part of wiring).

An integration with no credentials falls back to the simulated world's working fake, so a
fresh checkout runs the demo with nothing configured and a team can switch vendors on one at
a time. Only this module and :mod:`recoup.wiring` read settings; adapters receive values.
Vendor SDKs are imported lazily, inside each builder: a process pays for the SDKs it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from recoup.ports import AlertPort, BillingPort, ClockPort, CrmPort, MessagingPort, TelephonyPort
from recoup.settings import Settings

if TYPE_CHECKING:
    from recoup.store.db import Database
    from recoup.wiring import World

__all__ = [
    "build_alerts", "build_billing", "build_crm", "build_messaging", "build_telephony",
    "case_url_base",
]  # fmt: skip


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
    """Email and WhatsApp, each through its chosen provider or the simulated channel."""
    if settings.email == "fake" and settings.whatsapp == "fake":
        return world.messaging
    from recoup.adapters.channels import ByChannel

    return ByChannel(email=_email(settings) or world.messaging,
                     whatsapp=_whatsapp(settings) or world.messaging)  # fmt: skip


def _email(settings: Settings) -> MessagingPort | None:
    if settings.email == "gmail" and settings.gmail_credentials is not None:
        from recoup.adapters.gmail.client import GmailMessaging

        return GmailMessaging(settings.gmail_credentials, settings.email_from,
                              delegated_user=settings.gmail_delegated_user,
                              base_url=settings.gmail_api_base)  # fmt: skip
    if settings.email == "smtp":
        from recoup.adapters.smtp.client import SmtpMessaging

        return SmtpMessaging(
            settings.smtp_host, settings.smtp_port, settings.smtp_username,
            settings.smtp_password, settings.email_from,
            starttls=settings.smtp_security == "starttls",
            use_ssl=settings.smtp_security == "ssl", timeout=settings.smtp_timeout,
        )  # fmt: skip
    return None


def _whatsapp(settings: Settings) -> MessagingPort | None:
    if settings.whatsapp == "cloud" and settings.whatsapp_access_token is not None:
        from recoup.adapters.whatsapp.cloud import WhatsAppCloudMessaging

        return WhatsAppCloudMessaging(
            settings.whatsapp_access_token, settings.whatsapp_phone_number_id or "",
            settings.whatsapp_template, settings.whatsapp_template_language,
            base_url=settings.whatsapp_api_base, api_version=settings.whatsapp_api_version,
        )  # fmt: skip
    if (settings.whatsapp == "twilio" and settings.twilio_auth_token is not None
            and settings.twilio_account_sid and settings.twilio_whatsapp_from):  # fmt: skip
        from recoup.adapters.whatsapp.twilio_sender import TwilioWhatsAppMessaging

        return TwilioWhatsAppMessaging(
            settings.twilio_account_sid, settings.twilio_auth_token,
            settings.twilio_whatsapp_from, base_url=settings.twilio_api_base,
            content_sid=settings.twilio_whatsapp_content_sid,
        )  # fmt: skip
    return None


def build_telephony(
    settings: Settings, db: Database, clock: ClockPort, simulated: TelephonyPort
) -> TelephonyPort:
    """Twilio Voice when its account, token and caller ID are all set, else the simulated
    customers who answer the phone."""
    sid, token, caller = (settings.twilio_account_sid, settings.twilio_auth_token,
                          settings.twilio_from_number)  # fmt: skip
    if not (sid and token and caller):
        return simulated
    from recoup.adapters.twilio.client import TwilioVoice
    from recoup.adapters.twilio.conversation import VoiceConversations, VoiceScript
    from recoup.adapters.twilio.telephony import TwilioTelephony

    script = VoiceScript(voice=settings.twilio_voice, human_number=settings.human_transfer_number,
                         caller_id=caller)  # fmt: skip
    voice = TwilioVoice(
        sid, token, caller, public_base_url=settings.public_base_url,
        base_url=settings.twilio_api_base or "https://api.twilio.com",
    )  # fmt: skip
    return TwilioTelephony(voice, VoiceConversations(db, clock, settings.public_base_url, script))
