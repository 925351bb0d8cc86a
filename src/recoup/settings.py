"""One validated Settings object, read from the environment and ``.env``.

Only :mod:`recoup.wiring` and the CLI read settings; adapters receive what they need through
their constructors. Secrets are ``SecretStr`` so they never print, and a placeholder secret is
refused outside development, because a forgotten ``changeme`` in production means anyone can
forge a Stripe webhook.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from recoup.domain.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///.recoup/recoup.sqlite"
_PLACEHOLDERS = {"", "changeme", "whsec_dev", "secret"}


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

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        secret = self.stripe_webhook_secret.get_secret_value()
        if self.environment == "production" and secret in _PLACEHOLDERS:
            raise ValueError(
                "RECOUP_STRIPE_WEBHOOK_SECRET: stripe_webhook_secret is a placeholder; "
                "set the endpoint's signing secret"
            )
        return self


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
    except ValidationError as exc:
        problems = "; ".join(_describe(err["loc"], err["msg"]) for err in exc.errors())
        raise ConfigError(f"invalid settings: {problems}") from exc
