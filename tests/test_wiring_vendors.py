"""Each vendor is switched on by its settings, and one switched on half-way is refused by name."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr

from recoup.adapters.hubspot import HubSpotCrm
from recoup.adapters.salesforce import SalesforceCrm
from recoup.adapters.slack.client import SlackAlerts
from recoup.adapters.stripe.client import StripeBilling
from recoup.domain.errors import ConfigError
from recoup.settings import Settings, load_settings
from recoup.wiring_vendors import build_alerts, build_billing, build_crm

WORLD: Any = SimpleNamespace(billing="fake-billing", crm="fake-crm", alerts="fake-alerts")


def test_nothing_configured_means_the_simulated_world() -> None:
    settings = Settings()
    assert build_billing(settings, WORLD) == "fake-billing"
    assert build_crm(settings, WORLD) == "fake-crm"
    assert build_alerts(settings, WORLD) == "fake-alerts"


def test_configured_vendors_get_their_real_adapters() -> None:
    settings = Settings(
        stripe_api_key=SecretStr("sk_test_x"), crm="hubspot",
        hubspot_access_token=SecretStr("pat-x"), slack_bot_token=SecretStr("xoxb-x"),
        slack_signing_secret=SecretStr("s"), slack_default_channel="C1",
    )  # fmt: skip
    assert isinstance(build_billing(settings, WORLD), StripeBilling)
    assert isinstance(build_crm(settings, WORLD), HubSpotCrm)
    assert isinstance(build_alerts(settings, WORLD), SlackAlerts)
    salesforce = Settings(crm="salesforce", salesforce_instance_url="https://x.my.salesforce.com",
                          salesforce_access_token=SecretStr("00D!x"))  # fmt: skip
    assert isinstance(build_crm(salesforce, WORLD), SalesforceCrm)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"crm": "hubspot"}, "RECOUP_HUBSPOT_ACCESS_TOKEN"),
        ({"crm": "salesforce", "salesforce_username": "u"}, "RECOUP_SALESFORCE_SECURITY_TOKEN"),
        ({"slack_bot_token": "xoxb-1", "slack_default_channel": "C1"},
         "RECOUP_SLACK_SIGNING_SECRET"),
        ({"slack_bot_token": "xoxb-1", "slack_signing_secret": "s"},
         "RECOUP_SLACK_DEFAULT_CHANNEL"),
    ],
)  # fmt: skip
def test_an_integration_half_configured_names_what_is_missing(
    overrides: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(**overrides)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"email": "smtp"}, "RECOUP_SMTP_HOST"),
        ({"email": "gmail", "email_from": "ar@example.com"}, "RECOUP_GMAIL_CREDENTIALS"),
        ({"whatsapp": "cloud", "whatsapp_access_token": "t"}, "RECOUP_WHATSAPP_PHONE_NUMBER_ID"),
        ({"whatsapp": "twilio", "twilio_account_sid": "AC1"}, "RECOUP_TWILIO_AUTH_TOKEN"),
    ],
)
def test_a_messaging_provider_half_configured_names_what_is_missing(
    overrides: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(**overrides)


def test_messaging_goes_by_channel_to_the_chosen_providers() -> None:
    from recoup.adapters.channels import ByChannel
    from recoup.wiring_vendors import build_messaging

    world: Any = SimpleNamespace(messaging="fake-messaging")
    assert build_messaging(Settings(), world) == "fake-messaging"
    settings = Settings(email="smtp", smtp_host="127.0.0.1", email_from="ar@example.com")
    assert isinstance(build_messaging(settings, world), ByChannel)


def test_an_undecodable_value_and_an_empty_webhook_secret_are_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RECOUP_SLACK_CHANNELS", "not json")
    with pytest.raises(ConfigError, match="RECOUP_SLACK_CHANNELS: not a valid value"):
        load_settings()
    monkeypatch.delenv("RECOUP_SLACK_CHANNELS")
    with pytest.raises(ConfigError, match="RECOUP_WHATSAPP_APP_SECRET is empty"):
        load_settings(whatsapp_app_secret="")
