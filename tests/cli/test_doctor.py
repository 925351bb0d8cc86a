"""``recoup doctor`` against the vendors' local stand-ins: every enabled integration answering
exits 0; a refused key, an unreachable vendor or a half-configured integration is named by its
variable and exits 1; and no secret value ever reaches the output."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner, Result

from recoup.cli import app
from recoup.doctor import Check
from recoup.doctor.local import check_public_url, redact
from recoup.settings import Settings
from recoup.testing.gmail_api import GmailApi
from recoup.testing.hubspot_api import STAND_IN_TOKEN, HubSpotApi
from recoup.testing.salesforce_api import STAND_IN_TOKEN as SALESFORCE_TOKEN
from recoup.testing.salesforce_api import SalesforceApi
from recoup.testing.slack_api import SlackApi
from recoup.testing.smtp_server import SmtpServer
from recoup.testing.stripe_api import StripeApi
from recoup.testing.twilio_api import TwilioApi
from recoup.testing.twilio_messaging_api import TwilioMessagingApi
from recoup.testing.vendor_server import Recorded, Reply
from recoup.testing.whatsapp_cloud_api import WhatsAppCloudApi

STRIPE_KEY = "sk_test_doctor_stand_in_key"
SMTP_LOGIN = ("recoup", "smtp-doctor-password")
SLACK_TOKEN = "xoxb-doctor-slack-token"
TWILIO_SID, TWILIO_TOKEN = "AC" + "d0" * 16, "twilio-doctor-token"
SECRETS = {
    "RECOUP_STRIPE_API_KEY": STRIPE_KEY,
    "RECOUP_STRIPE_WEBHOOK_SECRET": "whsec_doctor_webhook_secret",
    "RECOUP_HUBSPOT_ACCESS_TOKEN": STAND_IN_TOKEN,
    "RECOUP_SMTP_PASSWORD": SMTP_LOGIN[1],
    "RECOUP_WHATSAPP_ACCESS_TOKEN": "EAAG-doctor-whatsapp-token",
    "RECOUP_WHATSAPP_APP_SECRET": "meta-doctor-app-secret",
    "RECOUP_WHATSAPP_VERIFY_TOKEN": "meta-doctor-verify-token",
    "RECOUP_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
    "RECOUP_SLACK_BOT_TOKEN": SLACK_TOKEN,
    "RECOUP_SLACK_SIGNING_SECRET": "slack-doctor-signing-secret",
}


class Vendors:
    """Every stand-in, running for the module; ``env()`` points Recoup at all of them."""

    def __init__(self, stack: list[Any]) -> None:
        self.stripe, self.hubspot, self.slack, self.smtp, self.twilio, self.whatsapp = stack

    def env(self, db: Path) -> dict[str, str]:
        return {
            **SECRETS,
            "RECOUP_DATABASE_URL": f"sqlite:///{db}",
            "RECOUP_PUBLIC_BASE_URL": "https://recoup.example.com",
            "RECOUP_STRIPE_API_BASE": self.stripe.url,
            "RECOUP_CRM": "hubspot",
            "RECOUP_HUBSPOT_BASE_URL": self.hubspot.url,
            "RECOUP_EMAIL": "smtp",
            "RECOUP_EMAIL_FROM": "billing@example.com",
            "RECOUP_SMTP_HOST": "127.0.0.1",
            "RECOUP_SMTP_PORT": str(self.smtp.port),
            "RECOUP_SMTP_SECURITY": "none",
            "RECOUP_SMTP_USERNAME": SMTP_LOGIN[0],
            "RECOUP_WHATSAPP": "cloud",
            "RECOUP_WHATSAPP_API_BASE": self.whatsapp.url,
            "RECOUP_WHATSAPP_PHONE_NUMBER_ID": self.whatsapp.phone_number_id,
            "RECOUP_TWILIO_ACCOUNT_SID": TWILIO_SID,
            "RECOUP_TWILIO_FROM_NUMBER": "+14155550100",
            "RECOUP_TWILIO_API_BASE": self.twilio.url,
            "RECOUP_SLACK_API_BASE": self.slack.base_url,
            "RECOUP_SLACK_DEFAULT_CHANNEL": "C0DOCTOR1",
        }

    def requests(self) -> list[Recorded]:
        servers = [self.stripe.server, self.hubspot.server, self.slack.server,
                   self.twilio.server, self.whatsapp.server]  # fmt: skip
        return [r for server in servers for r in server.requests]


def readable_phone_number(api: WhatsAppCloudApi) -> WhatsAppCloudApi:
    """The Cloud stand-in serves sends only; add the read Meta documents for a phone number
    (``GET /{version}/{phone-number-id}``), which the doctor probes."""

    def read(request: Recorded, match: re.Match[str]) -> Reply:
        if request.headers.get("authorization") != f"Bearer {api.access_token}":
            return Reply(401, {"error": {"message": "Invalid OAuth access token",
                                         "type": "OAuthException", "code": 190}})  # fmt: skip
        if match["pnid"] != api.phone_number_id:
            return Reply(400, {"error": {"message": "Unsupported get request.",
                                         "type": "GraphMethodException", "code": 100}})  # fmt: skip
        return Reply(200, {"verified_name": "Recoup Test", "id": api.phone_number_id})

    api.server.route("GET", r"/v\d+\.\d+/(?P<pnid>\d+)")(read)
    return api


@pytest.fixture(scope="module")
def vendors() -> Iterator[Vendors]:
    stack = [
        StripeApi(STRIPE_KEY),
        HubSpotApi(),
        SlackApi(token=SLACK_TOKEN),
        SmtpServer(login=SMTP_LOGIN),
        TwilioApi(TWILIO_SID, TWILIO_TOKEN),
        readable_phone_number(WhatsAppCloudApi(SECRETS["RECOUP_WHATSAPP_ACCESS_TOKEN"])),
    ]
    for server in stack:
        server.__enter__()
    try:
        yield Vendors(stack)
    finally:
        for server in reversed(stack):
            server.__exit__(None, None, None)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no ``.env``) and a wide terminal for the table."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "400")
    return tmp_path


@pytest.fixture
def database(workdir: Path) -> Path:
    path = workdir / "recoup.sqlite"
    sqlite3.connect(path).close()
    return path


def setenv(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def doctor(*args: str) -> Result:
    return CliRunner().invoke(app, ["doctor", *args])


def report(*args: str) -> tuple[Result, dict[str, list[Check]]]:
    """A ``--json`` run: the result, and the rows by integration."""
    result = doctor("--json", *args)
    rows: dict[str, list[Check]] = {}
    for row in json.loads(result.stdout)["checks"]:
        rows.setdefault(row["integration"], []).append(Check(**row))
    return result, rows


def assert_no_secret(output: str, *extra: str) -> None:
    for secret in [*SECRETS.values(), *extra]:
        assert secret not in output


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the whole report -----------------------------------------------------------------------


def test_every_integration_answering_exits_0_without_writing_anything(
    vendors: Vendors, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setenv(monkeypatch, vendors.env(database))
    result, rows = report()
    assert result.exit_code == 0, result.output
    statuses = {name: [c.status for c in checks] for name, checks in rows.items()}
    assert statuses == {
        "settings": ["ok"], "database": ["ok"], "public URL": ["ok"], "stripe": ["ok"],
        "stripe webhooks": ["ok"], "crm: hubspot": ["ok"], "twilio voice": ["ok"],
        "email: smtp": ["ok"], "whatsapp: cloud": ["ok"], "whatsapp: cloud webhook": ["ok"],
        "slack": ["ok"],
    }  # fmt: skip
    assert "workspace Recoup Test" in rows["slack"][0].message
    assert "EHLO, login" in rows["email: smtp"][0].message
    assert "https://recoup.example.com/webhooks/stripe" in rows["stripe webhooks"][0].message
    assert_no_secret(result.output)
    table = doctor()
    assert table.exit_code == 0
    assert "every enabled integration is ok" in table.output
    assert_no_secret(table.output)
    writes = [r for r in vendors.requests() if r.method == "POST" and "search" not in r.path]
    assert [r.path for r in writes if "auth.test" not in r.path] == []
    assert vendors.smtp.messages == []
    assert vendors.stripe.server.calls("GET", "/v1/invoices/in_recoup_doctor_probe")


def test_no_probe_reads_the_settings_and_contacts_nothing(
    vendors: Vendors, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setenv(monkeypatch, vendors.env(database))
    before = len(vendors.requests())
    result, rows = report("--no-probe")
    assert result.exit_code == 0, result.output
    assert len(vendors.requests()) == before
    assert "not contacted" in rows["stripe"][0].message


def test_nothing_configured_lists_each_integration_as_simulated(workdir: Path) -> None:
    result, rows = report()
    assert result.exit_code == 0, result.output
    switches = {
        "stripe": "RECOUP_STRIPE_API_KEY", "crm": "RECOUP_CRM=hubspot",
        "twilio voice": "RECOUP_TWILIO_FROM_NUMBER", "email": "RECOUP_EMAIL=smtp",
        "whatsapp": "RECOUP_WHATSAPP=cloud", "slack": "RECOUP_SLACK_BOT_TOKEN",
    }  # fmt: skip
    for name, variable in switches.items():
        assert [c.status for c in rows[name]] == ["off"]
        assert variable in rows[name][0].message
    assert "off (simulated)" in doctor().output
    assert not (workdir / ".recoup").exists()  # the default SQLite file is not created


# -- what a user must fix -------------------------------------------------------------------


def test_a_wrong_stripe_key_is_refused_by_name(
    vendors: Vendors, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "sk_test_doctor_wrong_key_9876"
    setenv(monkeypatch, {**vendors.env(database), "RECOUP_STRIPE_API_KEY": wrong})
    result, rows = report()
    assert result.exit_code == 1
    (stripe,) = rows["stripe"]
    assert stripe.status == "refused"
    assert "RECOUP_STRIPE_API_KEY" in stripe.message
    assert_no_secret(result.output, wrong, "9876")
    assert all(c.status == "ok" for c in rows["crm: hubspot"] + rows["slack"])


def test_each_vendor_refusing_its_credential_names_the_variable(
    vendors: Vendors, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = {
        "RECOUP_HUBSPOT_ACCESS_TOKEN": "pat-na1-wrong-doctor",
        "RECOUP_SMTP_PASSWORD": "smtp-wrong-doctor",
        "RECOUP_WHATSAPP_ACCESS_TOKEN": "EAAG-wrong-doctor",
        "RECOUP_TWILIO_AUTH_TOKEN": "twilio-wrong-doctor",
        "RECOUP_SLACK_BOT_TOKEN": "xoxb-wrong-doctor",
    }
    setenv(monkeypatch, {**vendors.env(database), **wrong})
    result, rows = report()
    assert result.exit_code == 1
    named = {
        "crm: hubspot": "RECOUP_HUBSPOT_ACCESS_TOKEN", "email: smtp": "RECOUP_SMTP_PASSWORD",
        "whatsapp: cloud": "RECOUP_WHATSAPP_ACCESS_TOKEN",
        "twilio voice": "RECOUP_TWILIO_AUTH_TOKEN", "slack": "RECOUP_SLACK_BOT_TOKEN",
    }  # fmt: skip
    for name, variable in named.items():
        check = rows[name][0]
        assert (check.status, variable in check.message) == ("refused", True), check
    assert rows["stripe"][0].status == "ok"
    assert_no_secret(result.output, *wrong.values())


def test_a_vendor_that_does_not_answer_is_unreachable(
    vendors: Vendors, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nowhere = f"http://127.0.0.1:{closed_port()}"
    setenv(monkeypatch, {**vendors.env(database), "RECOUP_STRIPE_API_BASE": nowhere,
                         "RECOUP_HUBSPOT_BASE_URL": nowhere, "RECOUP_SLACK_API_BASE": nowhere,
                         "RECOUP_SMTP_PORT": nowhere.rsplit(":", 1)[1]})  # fmt: skip
    result, rows = report()
    assert result.exit_code == 1
    for name, variable in [("stripe", "RECOUP_STRIPE_API_BASE"),
                           ("crm: hubspot", "RECOUP_HUBSPOT_BASE_URL"),
                           ("slack", "RECOUP_SLACK_API_BASE"),
                           ("email: smtp", "RECOUP_SMTP_PORT")]:  # fmt: skip
        check = rows[name][0]
        assert (check.status, variable in check.message) == ("unreachable", True), check
    assert_no_secret(result.output)


def test_a_half_configured_integration_names_what_is_missing(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECOUP_CRM", "hubspot")
    result = doctor()
    assert result.exit_code == 1
    assert "RECOUP_HUBSPOT_ACCESS_TOKEN" in result.output
    assert "Private apps" in result.output
    monkeypatch.setenv("RECOUP_EMAIL", "smtp")
    monkeypatch.setenv("RECOUP_SLACK_BOT_TOKEN", SLACK_TOKEN)
    result, rows = report()
    assert result.exit_code == 1
    assert [c.status for c in rows["crm: hubspot"]] == ["missing"]
    missing = " ".join(c.message for c in rows["email"] + rows["slack"])
    for variable in ("RECOUP_SMTP_HOST", "RECOUP_EMAIL_FROM", "RECOUP_SLACK_SIGNING_SECRET",
                     "RECOUP_SLACK_DEFAULT_CHANNEL"):  # fmt: skip
        assert variable in missing
    assert_no_secret(result.output)


def test_a_misspelt_or_undecodable_setting_is_named(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECOUP_HUBSPOT_TOKEN", STAND_IN_TOKEN)
    result, rows = report()
    assert result.exit_code == 1
    assert "did you mean RECOUP_HUBSPOT_ACCESS_TOKEN?" in rows["crm: hubspot"][0].message
    assert STAND_IN_TOKEN not in result.output
    monkeypatch.delenv("RECOUP_HUBSPOT_TOKEN")
    monkeypatch.setenv("RECOUP_SLACK_CHANNELS", "finance=C0FIN")  # not JSON: decoding fails
    result, rows = report()
    assert result.exit_code == 1
    assert rows["slack"] == [Check("slack", "invalid", "RECOUP_SLACK_CHANNELS: not a valid "
                                   "value (a mapping must be JSON)")]  # fmt: skip


def test_an_unreachable_database_is_named_without_its_password(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"postgresql://recoup:pg-doctor-password@127.0.0.1:{closed_port()}/recoup"
    monkeypatch.setenv("RECOUP_DATABASE_URL", url)
    result, rows = report()
    assert result.exit_code == 1
    (database,) = rows["database"]
    assert database.status == "unreachable"
    assert "RECOUP_DATABASE_URL" in database.message
    assert "pg-doctor-password" not in result.output


def test_the_other_senders_twilio_whatsapp_and_gmail(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TwilioMessagingApi(TWILIO_SID, TWILIO_TOKEN) as twilio, GmailApi() as gmail:
        setenv(monkeypatch, {
            "RECOUP_DATABASE_URL": f"sqlite:///{database}", "RECOUP_WHATSAPP": "twilio",
            "RECOUP_TWILIO_ACCOUNT_SID": TWILIO_SID, "RECOUP_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "RECOUP_TWILIO_WHATSAPP_FROM": "+14155238886", "RECOUP_TWILIO_API_BASE": twilio.url,
            "RECOUP_EMAIL": "gmail", "RECOUP_EMAIL_FROM": "billing@example.com",
            "RECOUP_GMAIL_CREDENTIALS": gmail.access_token, "RECOUP_GMAIL_API_BASE": gmail.url,
        })  # fmt: skip
        result, rows = report()
        assert result.exit_code == 0, result.output
        assert [c.status for c in rows["whatsapp: twilio"]] == ["ok"]
        assert [c.status for c in rows["email: gmail"]] == ["ok"]
        assert twilio.messages == []
        assert gmail.mailbox == []
        assert "/webhooks/whatsapp/twilio" in rows["whatsapp: twilio webhook"][0].message
        monkeypatch.setenv("RECOUP_GMAIL_CREDENTIALS", "ya29.wrong-doctor-token")
        result, rows = report()
        assert result.exit_code == 1
        assert rows["email: gmail"][0].status == "refused"
        assert "RECOUP_GMAIL_CREDENTIALS" in rows["email: gmail"][0].message
        assert_no_secret(result.output, "ya29.wrong-doctor-token", gmail.access_token)


def test_smtp_with_starttls_and_a_server_that_requires_it(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SmtpServer(starttls=True, login=SMTP_LOGIN) as server:
        assert server.ca_path is not None
        monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_path))  # trust its throwaway CA
        setenv(monkeypatch, {
            "RECOUP_DATABASE_URL": f"sqlite:///{database}", "RECOUP_EMAIL": "smtp",
            "RECOUP_EMAIL_FROM": "billing@example.com", "RECOUP_SMTP_HOST": "127.0.0.1",
            "RECOUP_SMTP_PORT": str(server.port), "RECOUP_SMTP_SECURITY": "starttls",
            "RECOUP_SMTP_USERNAME": SMTP_LOGIN[0], "RECOUP_SMTP_PASSWORD": SMTP_LOGIN[1],
        })  # fmt: skip
        result, rows = report()
        assert result.exit_code == 0, result.output
        assert "EHLO, STARTTLS, login" in rows["email: smtp"][0].message
        monkeypatch.setenv("RECOUP_SMTP_SECURITY", "none")
        result, rows = report()
        (smtp,) = rows["email: smtp"]
        assert (result.exit_code, smtp.status) == (1, "refused")
        assert "does not offer AUTH" in smtp.message
        assert "RECOUP_SMTP_SECURITY" in smtp.message
        assert server.messages == []


def test_salesforce_answers_and_names_a_missing_custom_field(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SalesforceApi(custom_fields={"Task": {"Recoup_Call_Id__c"}}) as api:
        assert api.server.ca_path is not None
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(api.server.ca_path))  # trust the stand-in
        setenv(monkeypatch, {
            "RECOUP_DATABASE_URL": f"sqlite:///{database}", "RECOUP_CRM": "salesforce",
            "RECOUP_SALESFORCE_INSTANCE_URL": api.url,
            "RECOUP_SALESFORCE_ACCESS_TOKEN": SALESFORCE_TOKEN,
        })  # fmt: skip
        result, rows = report()
        (crm,) = rows["crm: salesforce"]
        assert (result.exit_code, crm.status) == (1, "refused"), crm
        assert "Recoup_Billing_Ref__c" in crm.message
        api.fields["Account"].add("Recoup_Billing_Ref__c")
        result, rows = report()
        assert result.exit_code == 0, result.output
        assert "query Contacts" in rows["crm: salesforce"][0].message
        monkeypatch.setenv("RECOUP_SALESFORCE_ACCESS_TOKEN", "00Dwrong!doctor")
        result, rows = report()
        assert rows["crm: salesforce"][0].status == "refused"
        assert "RECOUP_SALESFORCE_ACCESS_TOKEN" in rows["crm: salesforce"][0].message
        assert_no_secret(result.output, SALESFORCE_TOKEN, "00Dwrong!doctor")


# -- pieces ---------------------------------------------------------------------------------


def test_the_public_url_must_be_public_https_once_vendors_call_it() -> None:
    live = {"stripe_webhook_secret": SecretStr("whsec_live"), "environment": "production"}
    local = check_public_url(Settings(public_base_url="http://127.0.0.1:8000", **live))
    assert local.status == "missing"
    assert "RECOUP_PUBLIC_BASE_URL" in local.message
    assert "not https" in local.message
    assert "not a public host" in local.message
    private = check_public_url(Settings(public_base_url="https://10.0.0.5", **live))
    assert private.status == "missing"
    slack = {"slack_bot_token": SecretStr("x"), "slack_signing_secret": SecretStr("y")}
    dev = Settings(public_base_url="http://localhost:8000", slack_default_channel="C1", **slack)
    assert check_public_url(dev).status == "warn"
    assert check_public_url(Settings()).status == "ok"  # nothing calls back: no complaint
    public = check_public_url(Settings(public_base_url="https://recoup.acme.com", **live))
    assert public.status == "ok"


def test_a_secret_quoted_by_a_vendor_is_redacted() -> None:
    said = [Check("slack", "refused", "token xoxb-quoted-secret is not allowed")]
    assert redact(said, ["xoxb-quoted-secret"])[0].message == "token [secret] is not allowed"
