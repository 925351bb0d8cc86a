"""The checks that are not a vendor's: the settings, the database and the public URL; and
the redaction that keeps every secret out of the report, whatever a vendor's error says."""

from __future__ import annotations

import ipaddress
import re
import sqlite3
from collections.abc import Iterable
from urllib.parse import urlsplit

from pydantic import SecretStr
from pydantic_settings import SettingsError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

from recoup.doctor.base import PROBE_TIMEOUT, Check, Status
from recoup.domain.errors import ConfigError
from recoup.settings import PLACEHOLDER_SECRETS, Settings
from recoup.store.db import normalise_url, sqlite_path

_AREAS = (  # the integration a settings problem belongs to, by the words in its message
    ("WHATSAPP", "whatsapp"), ("GMAIL", "email"), ("SMTP", "email"), ("EMAIL", "email"),
    ("HUBSPOT", "crm: hubspot"), ("SALESFORCE", "crm: salesforce"), ("RECOUP_CRM", "crm"),
    ("SLACK", "slack"), ("STRIPE", "stripe"), ("TWILIO", "twilio voice"),
    ("HUMAN_TRANSFER", "twilio voice"), ("DATABASE", "database"), ("PUBLIC_BASE", "public URL"),
)  # fmt: skip
_NOT_PUBLIC = ("localhost", ".localhost", ".local", ".internal")
#: Where each value is found, for settings messages that do not say it themselves.
WHERE = {
    "RECOUP_STRIPE_API_KEY": "from Stripe Dashboard > Developers > API keys",
    "RECOUP_STRIPE_WEBHOOK_SECRET": "from Stripe Dashboard > Developers > Webhooks",
    "RECOUP_HUBSPOT_ACCESS_TOKEN": "from HubSpot > Settings > Integrations > Private apps",
    "RECOUP_SALESFORCE_INSTANCE_URL": "from Salesforce Setup > My Domain",
    "RECOUP_GMAIL_CREDENTIALS": "from Google Cloud console > IAM > Service accounts > Keys",
    "RECOUP_EMAIL_FROM": "the sending address, e.g. Acme Billing <billing@acme.com>",
    "RECOUP_SMTP_HOST": "your provider's SMTP relay, e.g. smtp.postmarkapp.com",
    "RECOUP_WHATSAPP_ACCESS_TOKEN": "from Meta Business settings > Users > System users",
    "RECOUP_WHATSAPP_PHONE_NUMBER_ID": "from Meta App Dashboard > WhatsApp > API Setup",
    "RECOUP_WHATSAPP_APP_SECRET": "from Meta App Dashboard > App settings > Basic",
    "RECOUP_WHATSAPP_VERIFY_TOKEN": "any random string, also typed in WhatsApp > Configuration",
    "RECOUP_TWILIO_ACCOUNT_SID": "from Twilio Console > Account Info",
    "RECOUP_TWILIO_AUTH_TOKEN": "from Twilio Console > Account Info",
    "RECOUP_TWILIO_WHATSAPP_FROM": "from Twilio Console > Messaging > Senders > WhatsApp senders",
}


def settings_failure(exc: ConfigError | SettingsError) -> list[Check]:
    """What ``load_settings`` raised, one row per problem, each under the integration it
    belongs to, naming the variable and where its value is found. A ``SettingsError`` is
    pydantic-settings failing to decode a value (a mapping that is not JSON) before any
    validation, which names the field but not the variable."""
    if isinstance(exc, SettingsError):
        field = re.search(r'field "(\w+)"', str(exc))
        variable = f"RECOUP_{field.group(1).upper()}" if field else "a RECOUP_ variable"
        return [_settings_row(f"{variable}: not a valid value (a mapping must be JSON)")]
    parts = str(exc).removeprefix("invalid settings: ").split("; ")
    return [_settings_row(p) for p in parts if p.strip()]


def _settings_row(problem: str) -> Check:
    text = re.sub(r"^(RECOUP_\w+: )?Value error, ", r"\1", problem.strip())
    area = next((name for word, name in _AREAS if word in text.upper()), "settings")
    named = re.search(r"RECOUP_[A-Z0-9_]+", text)
    where = WHERE.get(named.group(0), "") if named else ""
    if where and text.endswith(")"):
        text = f"{text[:-1]}; {where})"
    elif where:
        text = f"{text} ({where})"
    needed = "required" in text or " needs " in text
    return Check(area, "missing" if needed else "invalid", text)


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in ``settings`` and the database password, longest first."""
    found = [
        value.get_secret_value()
        for name in Settings.model_fields
        if isinstance(value := getattr(settings, name), SecretStr)
    ]
    url = _db_url(settings.database_url)
    if url is not None and url.password:
        found.append(str(url.password))
    return sorted({s for s in found if len(s) >= 4}, key=len, reverse=True)


def redact(checks: Iterable[Check], secrets: list[str]) -> list[Check]:
    """The checks with any secret value replaced: a vendor's error text may quote one."""
    cleaned = []
    for check in checks:
        message = check.message
        for secret in secrets:
            message = message.replace(secret, "[secret]")
        cleaned.append(Check(check.integration, check.status, message))
    return cleaned


# -- database -------------------------------------------------------------------------------


def check_database(settings: Settings, probe: bool) -> Check:
    """Can we open ``RECOUP_DATABASE_URL`` and run ``SELECT 1``? A SQLite file is opened
    read-only, so the doctor never creates one."""
    url = _db_url(settings.database_url)
    if url is None:
        why = "RECOUP_DATABASE_URL is not a database URL (sqlite:///path or postgresql://...)"
        return Check("database", "invalid", why)
    shown = url.render_as_string(hide_password=True)
    path = sqlite_path(settings.database_url)
    if not probe:
        return Check("database", "ok", f"{shown}: not contacted (--no-probe)")
    if path is not None and not path.exists():
        status: Status = "warn" if settings.environment == "production" else "ok"
        why = "no file yet; `recoup db upgrade` creates it (or is RECOUP_DATABASE_URL wrong?)"
        return Check("database", status, f"{shown}: {why}")
    try:
        if path is not None:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=PROBE_TIMEOUT) as db:
                db.execute("SELECT 1").fetchone()
        else:
            _select_one(url.render_as_string(hide_password=False))
    except Exception as exc:  # any driver's failure is a row of the report, never a crash
        first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
        status = "refused" if "password" in first or "authentication" in first else "unreachable"
        why = f"{type(exc).__name__}: {first[:200]}; check RECOUP_DATABASE_URL and the server"
        return Check("database", status, f"{shown}: {why}")
    return Check("database", "ok", f"{shown}: SELECT 1 answered")


def _select_one(url: str) -> None:
    args = {"connect_timeout": int(PROBE_TIMEOUT)} if url.startswith("postgresql") else {}
    engine = create_engine(url, poolclass=NullPool, connect_args=args)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()


def _db_url(database_url: str) -> URL | None:
    try:
        return make_url(normalise_url(database_url))
    except ArgumentError:
        return None


# -- public URL -----------------------------------------------------------------------------


def callers_of_public_url(s: Settings) -> list[str]:
    """What reaches Recoup at ``RECOUP_PUBLIC_BASE_URL`` with these settings."""
    stripe = s.stripe_api_key is not None
    stripe |= s.stripe_webhook_secret.get_secret_value() not in PLACEHOLDER_SECRETS
    uses = {
        "Stripe webhooks": stripe,
        "Twilio call webhooks": bool(s.twilio_from_number and s.twilio_account_sid),
        "WhatsApp webhooks": s.whatsapp != "fake",
        "Slack buttons": s.slack_bot_token is not None,
        "customers' payment links (/l/...)": s.email != "fake" or s.whatsapp != "fake",
    }
    return [name for name, used in uses.items() if used]


def check_public_url(settings: Settings) -> Check:
    """Vendors call ``RECOUP_PUBLIC_BASE_URL`` back and customers open links on it, so once
    any of them is on it must be https on a public host: a failure in production, a warning
    elsewhere (a developer may be trying things on one machine)."""
    url = settings.public_base_url.rstrip("/")
    users = callers_of_public_url(settings)
    if not users:
        return Check("public URL", "ok", f"{url}: no vendor calls it back yet")
    parts = urlsplit(url)
    problems = [] if parts.scheme == "https" else [f"not https ({parts.scheme or 'no scheme'})"]
    if not _is_public(parts.hostname or ""):
        problems.append(f"not a public host ({parts.hostname or 'none'})")
    if not problems:
        return Check("public URL", "ok", f"{url}: used by {', '.join(users)}")
    status: Status = "missing" if settings.environment == "production" else "warn"
    why = (
        f"RECOUP_PUBLIC_BASE_URL={url} is {' and '.join(problems)}, but {', '.join(users)} "
        "need it from the internet: set it to this deployment's public https address, the "
        "one registered in the vendors' consoles (docs/integrations/README.md)"
    )
    return Check("public URL", status, why)


def _is_public(host: str) -> bool:
    if not host or host.endswith(_NOT_PUBLIC) or host == "localhost":
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return True  # a name: whether it resolves publicly is the vendors' test, not ours
