"""One validated Settings object, read from the environment and ``.env``.

Only :mod:`recoup.wiring` and the CLI read settings; adapters receive what they need through
their constructors. Secrets are ``SecretStr`` so they never print, and a placeholder secret is
refused outside development, because a forgotten ``changeme`` in production means anyone can
forge a Stripe webhook.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from recoup.domain.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///.recoup/recoup.sqlite"
PLACEHOLDER_SECRETS = {"", "changeme", "whsec_dev", "secret"}


class Settings(BaseSettings):
    """Process configuration. Unknown ``RECOUP_`` variables are refused, to catch typos
    (by :func:`load_settings`, which reads the environment and ``.env``; other tools' keys in a
    shared ``.env`` are left alone)."""

    model_config = SettingsConfigDict(
        env_prefix="RECOUP_", env_file=".env", extra="ignore", case_sensitive=False
    )

    environment: Literal["development", "test", "production"] = "development"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    database_url: str = DEFAULT_DATABASE_URL
    playbook: Path | None = None
    stripe_webhook_secret: SecretStr = SecretStr("whsec_dev")
    api_token: SecretStr | None = None
    executor_id: str = "local"
    #: Cases one worker runs at once; None = no limit. A waiting case holds its slot, so a
    #: limit caps open cases per worker: set it only to spread cases across workers.
    worker_concurrency: int | None = Field(default=None, ge=1, le=100_000)
    sys_db_pool_size: int = Field(default=10, ge=2, le=100)
    clock_speed: float = Field(default=1.0, gt=0.0)
    clock_origin: str | None = None
    sim_call_seconds: float = Field(default=0.0, ge=0.0)
    public_base_url: str = "http://127.0.0.1:8000"
    company_name: str = "Recoup Demo Co"
    callback_number: str = "+1 415 555 0100"

    # -- Stripe (billing); no API key = the simulated billing system -----------------------
    stripe_api_key: SecretStr | None = None
    stripe_api_base: str = "https://api.stripe.com"
    stripe_link_mode: Literal["hosted_invoice", "checkout", "billing_portal"] = "hosted_invoice"
    stripe_return_url: str | None = None

    # -- CRM: the simulated one, HubSpot or Salesforce --------------------------------------
    crm: Literal["fake", "hubspot", "salesforce"] = "fake"
    crm_phone_region: str = "US"
    hubspot_access_token: SecretStr | None = None
    hubspot_base_url: str = "https://api.hubapi.com"
    hubspot_portal_url: str = ""
    hubspot_billing_ref_property: str = "recoup_billing_ref"
    hubspot_tier_property: str = "recoup_tier"
    hubspot_segment_property: str = "recoup_segment"
    hubspot_call_id_property: str | None = None
    salesforce_instance_url: str = ""
    salesforce_access_token: SecretStr | None = None
    salesforce_username: str | None = None
    salesforce_password: SecretStr | None = None
    salesforce_security_token: SecretStr | None = None
    salesforce_domain: str = "login"
    salesforce_api_version: str = "59.0"
    salesforce_billing_ref_field: str = "Recoup_Billing_Ref__c"
    salesforce_call_id_field: str = "Recoup_Call_Id__c"
    salesforce_tier_field: str | None = None
    salesforce_segment_field: str | None = None

    # -- Email: the simulated channel, the Gmail API or SMTP --------------------------------
    email: Literal["fake", "gmail", "smtp"] = "fake"
    email_from: str = ""
    gmail_credentials: SecretStr | None = None
    gmail_delegated_user: str | None = None
    gmail_api_base: str | None = None
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_timeout: float = Field(default=10.0, gt=0)

    # -- WhatsApp: the simulated channel, Meta's Cloud API or Twilio ------------------------
    whatsapp: Literal["fake", "cloud", "twilio"] = "fake"
    whatsapp_access_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_template: str = "recoup_payment_message"
    whatsapp_template_language: str = "en_US"
    whatsapp_api_base: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "v21.0"
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    twilio_whatsapp_from: str | None = None
    twilio_whatsapp_content_sid: str | None = None

    # -- Twilio (voice, and WhatsApp's second sender) ----------------------------------------
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_api_base: str | None = None
    #: The caller ID for outbound calls; set with the SID and token, calls go out by Twilio.
    twilio_from_number: str | None = None
    twilio_voice: str = "Polly.Joanna"
    human_transfer_number: str | None = None

    # -- Slack (alerts); no bot token = the simulated channel -------------------------------
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_channels: dict[str, str] = Field(default_factory=dict)
    slack_default_channel: str | None = None
    slack_api_base: str = "https://slack.com/api/"

    @model_validator(mode="after")
    def _integrations_complete(self) -> Settings:
        """An integration switched on must have what it needs: name the missing setting."""
        missing = integration_gaps(self)
        if missing:
            raise ValueError("; ".join(missing))
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        secret = self.stripe_webhook_secret.get_secret_value()
        if self.environment == "production" and secret in PLACEHOLDER_SECRETS:
            raise ValueError(
                "RECOUP_STRIPE_WEBHOOK_SECRET: stripe_webhook_secret is a placeholder; "
                "set the endpoint's signing secret"
            )
        return self


def integration_gaps(s: Settings) -> list[str]:
    """Settings an enabled integration lacks, each named as its environment variable."""
    gaps = []
    if s.crm == "hubspot" and s.hubspot_access_token is None:
        gaps.append("RECOUP_HUBSPOT_ACCESS_TOKEN is required when RECOUP_CRM=hubspot "
                     "(a private app's access token)")  # fmt: skip
    if s.crm == "salesforce":
        by_token = bool(s.salesforce_instance_url) and s.salesforce_access_token is not None
        by_login = None not in (s.salesforce_username, s.salesforce_password,
                                s.salesforce_security_token)  # fmt: skip
        if not (by_token or by_login):
            gaps.append(
                "RECOUP_CRM=salesforce needs RECOUP_SALESFORCE_INSTANCE_URL and "
                "RECOUP_SALESFORCE_ACCESS_TOKEN, or RECOUP_SALESFORCE_USERNAME, "
                "RECOUP_SALESFORCE_PASSWORD and RECOUP_SALESFORCE_SECURITY_TOKEN"
            )
    gaps += _messaging_gaps(s)
    for name in ("slack_signing_secret", "whatsapp_app_secret", "whatsapp_verify_token",
                 "twilio_auth_token"):  # fmt: skip
        value = getattr(s, name)
        if value is not None and not value.get_secret_value().strip():
            gaps.append(f"RECOUP_{name.upper()} is empty: a webhook signed with an empty "
                        "secret proves nothing; unset it or set the real one")  # fmt: skip
    if s.twilio_from_number and not (s.twilio_account_sid and s.twilio_auth_token):
        gaps.append("RECOUP_TWILIO_FROM_NUMBER is set (calls by Twilio) but "
                    "RECOUP_TWILIO_ACCOUNT_SID and RECOUP_TWILIO_AUTH_TOKEN are not")  # fmt: skip
    if s.slack_bot_token is not None and s.slack_signing_secret is None:
        gaps.append("RECOUP_SLACK_SIGNING_SECRET is required with RECOUP_SLACK_BOT_TOKEN "
                    "(Slack app > Basic Information > Signing Secret)")  # fmt: skip
    if s.slack_bot_token is not None and not (s.slack_channels or s.slack_default_channel):
        gaps.append("RECOUP_SLACK_DEFAULT_CHANNEL or RECOUP_SLACK_CHANNELS is required with "
                    "RECOUP_SLACK_BOT_TOKEN (a channel ID such as C0123ABCD)")  # fmt: skip
    return gaps


def _messaging_gaps(s: Settings) -> list[str]:
    """What the chosen email and WhatsApp providers lack."""
    email, chat = f"RECOUP_EMAIL={s.email}", f"RECOUP_WHATSAPP={s.whatsapp}"
    need: list[tuple[bool, str, str]] = []
    if s.email in ("gmail", "smtp"):
        need.append((bool(s.email_from), "RECOUP_EMAIL_FROM", email))
    if s.email == "gmail":
        need.append((s.gmail_credentials is not None, "RECOUP_GMAIL_CREDENTIALS", email))
    if s.email == "smtp":
        need.append((bool(s.smtp_host), "RECOUP_SMTP_HOST", email))
    if s.whatsapp == "cloud":
        need.append((s.whatsapp_access_token is not None, "RECOUP_WHATSAPP_ACCESS_TOKEN", chat))
        need.append((bool(s.whatsapp_phone_number_id), "RECOUP_WHATSAPP_PHONE_NUMBER_ID", chat))
        if s.environment == "production":  # without them the inbound STOP webhook refuses all
            need.append((s.whatsapp_app_secret is not None, "RECOUP_WHATSAPP_APP_SECRET", chat))
            need.append(
                (s.whatsapp_verify_token is not None, "RECOUP_WHATSAPP_VERIFY_TOKEN", chat)
            )
    if s.whatsapp == "twilio":
        need += [(bool(s.twilio_account_sid), "RECOUP_TWILIO_ACCOUNT_SID", chat),
                 (s.twilio_auth_token is not None, "RECOUP_TWILIO_AUTH_TOKEN", chat),
                 (bool(s.twilio_whatsapp_from), "RECOUP_TWILIO_WHATSAPP_FROM", chat)]  # fmt: skip
    return [f"{name} is required with {why}" for ok, name, why in need if not ok]


def _check_unknown_variables(env_file: Path = Path(".env")) -> None:
    """Refuse ``RECOUP_*`` variables that name no setting: a typo must not pass silently."""
    known = {f"RECOUP_{name.upper()}" for name in Settings.model_fields}
    names = list(os.environ)
    if env_file.is_file():
        names += [k for k in dotenv_values(env_file) if k]
    for key in names:
        upper = key.upper()
        if upper.startswith("RECOUP_") and upper not in known:
            near = difflib.get_close_matches(upper, sorted(known), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise ConfigError(f"unknown setting {key}{hint}")


def _describe(loc: tuple[int | str, ...], message: str) -> str:
    if not loc:
        return message
    return f"RECOUP_{'_'.join(str(p) for p in loc).upper()}: {message}"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, ``.env`` and ``overrides``; ConfigError names the key."""
    _check_unknown_variables()
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except SettingsError as exc:  # a value the source cannot decode (bad JSON for a dict)
        field = re.search(r'field "(\w+)"', str(exc))
        variable = f"RECOUP_{field.group(1).upper()}" if field else "a RECOUP_ variable"
        raise ConfigError(
            f"invalid settings: {variable}: not a valid value (a mapping must be JSON)"
        ) from exc
    except ValidationError as exc:
        problems = "; ".join(_describe(err["loc"], err["msg"]) for err in exc.errors())
        raise ConfigError(f"invalid settings: {problems}") from exc
