"""Settings from the environment and the playbook from YAML: every mistake names its key."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recoup.cli import app
from recoup.domain.errors import ConfigError
from recoup.domain.models import EscalationReason, Outcome, Team, TriggerKind
from recoup.playbook import load_playbook, parse_playbook
from recoup.settings import DEFAULT_DATABASE_URL, load_settings

DEFAULT_FILE = Path(str(resources.files("recoup").joinpath("playbook_default.yaml")))


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No .env from the checkout and no RECOUP_ variable from the shell (not even the test one)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RECOUP_TEST_PG", raising=False)


def test_defaults_load() -> None:
    settings = load_settings()
    assert settings.environment == "development"
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.stripe_webhook_secret.get_secret_value() == "whsec_dev"


def test_environment_and_overrides_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOUP_DATABASE_URL", "sqlite:///x.sqlite")
    monkeypatch.setenv("recoup_clock_speed", "2.5")
    settings = load_settings(company_name="Acme")
    assert (settings.database_url, settings.clock_speed) == ("sqlite:///x.sqlite", 2.5)
    assert settings.company_name == "Acme"


def test_unknown_variable_is_refused_with_a_suggestion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOUP_DATABSE_URL", "sqlite:///typo.sqlite")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value) == (
        "unknown setting RECOUP_DATABSE_URL (did you mean RECOUP_DATABASE_URL?)"
    )


def test_unknown_variable_without_a_near_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOUP_QQQQQQQQQQQQ", "1")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value) == "unknown setting RECOUP_QQQQQQQQQQQQ"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RECOUP_CLOCK_SPEED", "0", "RECOUP_CLOCK_SPEED: Input should be greater than 0"),
        ("RECOUP_CLOCK_SPEED", "fast", "RECOUP_CLOCK_SPEED: Input should be a valid number"),
        ("RECOUP_ENVIRONMENT", "prod", "RECOUP_ENVIRONMENT: Input should be 'development'"),
        ("RECOUP_WORKER_CONCURRENCY", "0", "RECOUP_WORKER_CONCURRENCY: Input should be greater"),
        ("RECOUP_SYS_DB_POOL_SIZE", "1", "RECOUP_SYS_DB_POOL_SIZE: Input should be greater"),
    ],
)
def test_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"invalid settings: {message}")


@pytest.mark.parametrize("secret", [None, "", "changeme", "whsec_dev", "secret"])
def test_production_refuses_placeholder_webhook_secret(
    monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("RECOUP_ENVIRONMENT", "production")
    if secret is not None:
        monkeypatch.setenv("RECOUP_STRIPE_WEBHOOK_SECRET", secret)
    with pytest.raises(ConfigError, match="stripe_webhook_secret is a placeholder"):
        load_settings()
    monkeypatch.setenv("RECOUP_ENVIRONMENT", "development")
    assert load_settings().environment == "development"


def test_secrets_never_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOUP_ENVIRONMENT", "production")
    monkeypatch.setenv("RECOUP_STRIPE_WEBHOOK_SECRET", "whsec_live_s3cr3t")
    settings = load_settings(api_token="tok_pr1vate")
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert "s3cr3t" not in shown
        assert "pr1vate" not in shown
        assert "**********" in shown
    assert settings.stripe_webhook_secret.get_secret_value() == "whsec_live_s3cr3t"
    assert settings.api_token is not None
    assert settings.api_token.get_secret_value() == "tok_pr1vate"


def test_dotenv_is_read_and_may_hold_other_tools_variables(tmp_path: Path) -> None:
    """A shared .env (docker compose, other services) must not break Recoup's settings."""
    (tmp_path / ".env").write_text("RECOUP_COMPANY_NAME=Acme\nPOSTGRES_PASSWORD=x\n")
    assert load_settings().company_name == "Acme"


def test_misspelt_dotenv_key_is_named_as_written(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("RECOUP_DATABSE_URL=sqlite:///typo.sqlite\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "RECOUP_DATABSE_URL" in str(caught.value)
    assert "RECOUP_RECOUP_" not in str(caught.value)


def test_default_playbook_loads() -> None:
    playbook = load_playbook()
    assert load_playbook(DEFAULT_FILE) == playbook
    assert playbook.triggers == (
        TriggerKind.PAYMENT_FAILED,
        TriggerKind.INVOICE_UNPAID,
        TriggerKind.SUBSCRIPTION_PAST_DUE,
        TriggerKind.SUBSCRIPTION_UNPAID,
    )
    assert playbook.calling.window.start == time(9)
    assert playbook.calling.window.end == time(20)
    assert playbook.calling.window.days == ("mon", "tue", "wed", "thu", "fri", "sat")
    assert playbook.calling.max_attempts == 3
    assert playbook.high_value_threshold == Decimal("5000.00")
    assert playbook.outcomes.review == (Outcome.REVIEW,)
    assert playbook.escalation.routes[EscalationReason.CANCELLATION] is Team.ACCOUNT_OWNER
    assert parse_playbook("") == parse_playbook("version: 1\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\ncalling:\n  max_attemps: 5\n", "calling.max_attemps (line 3): Extra inputs"),
        ("versoin: 2\n", "versoin (line 1): Extra inputs are not permitted"),
        (
            'calling:\n  window:\n    end: "20:00"\n    start: "25:00"\n',
            "calling.window.start (line 4): Input should be in a valid time format",
        ),
        (
            'calling:\n  window: {start: "09:00", end: "8pm"}\n',
            "calling.window.end (line 2): Input should be in a valid time format",
        ),
        (
            "# days\ncalling:\n  window:\n    days: [mon, funday]\n",
            "calling.window.days (line 4): Value error, unknown weekday 'funday'",
        ),
        (
            "triggers:\n  - payment_failed\n  - payment_exploded\n",
            "triggers.1 (line 3): Input should be 'payment_failed'",
        ),
        (
            "version: 1\nchannel_preference: [email, sms]\n",
            "channel_preference (line 2): Value error, unknown channel 'sms'",
        ),
        (
            "version: 1\n\nhigh_value_threshold: -5\n",
            "high_value_threshold (line 3): Input should be greater than or equal to 0",
        ),
        (
            "escalation:\n  routes:\n    dispute: legal\n",
            "escalation.routes.dispute (line 3): Input should be 'finance' or 'account_owner'",
        ),
    ],
)
def test_playbook_errors_name_key_path_and_line(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_playbook(text, "rules.yaml")
    assert str(caught.value).startswith(f"rules.yaml: {expected}")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("version: 1\ncalling: [unclosed\n", "line 3, column 1"),
        ("a: b\n c: d\n", "line 2, column 3"),
        ("version: 1\n\tcalling: {}\n", "line 2"),
    ],
)
def test_yaml_syntax_errors(text: str, where: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_playbook(text, "rules.yaml")
    assert str(caught.value).startswith("rules.yaml: not valid YAML:")
    assert where in str(caught.value)


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_non_mapping_document_is_refused(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_playbook(text, "rules.yaml")
    assert str(caught.value) == "rules.yaml: the playbook must be a mapping of keys to values"


def test_unquoted_hours_are_read_as_clock_times_or_refused() -> None:
    """YAML 1.1 reads ``20:00`` unquoted as the integer 1200 (base 60).

    Pydantic then turns it into 00:20 UTC, a tz-aware time that ``in_window`` cannot compare
    with a local time. The playbook must mean 20:00 or say that the value must be quoted.
    """
    text = "calling:\n  window:\n    start: 9:00\n    end: 20:00\n"
    try:
        hours = parse_playbook(text, "rules.yaml").calling.window
        refusal = ""
    except ConfigError as exc:  # refusing with the key and line is an acceptable answer
        hours, refusal = None, str(exc)
    if hours is None:
        assert "calling.window.start (line 3)" in refusal
        return
    assert (hours.start, hours.end) == (time(9), time(20))


def test_missing_playbook_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the playbook: No such file"):
        load_playbook(tmp_path / "absent.yaml")


def test_cli_playbook_check(tmp_path: Path) -> None:
    good = CliRunner().invoke(app, ["playbook", "check", str(DEFAULT_FILE)])
    assert good.exit_code == 0, good.output
    assert "ok (4 triggers, review first 0 runs)" in " ".join(good.output.split())
    (tmp_path / "bad.yaml").write_text("version: 1\ncalling:\n  max_attemps: 5\n")
    bad = CliRunner().invoke(app, ["playbook", "check", "bad.yaml"])
    assert bad.exit_code == 2
    assert " ".join(bad.output.split()) == (
        "error: bad.yaml: calling.max_attemps (line 3): Extra inputs are not permitted"
    )
    assert "Traceback" not in bad.output
