"""The launch rules as data: a YAML playbook validated by Pydantic.

Finance teams change these rules, not engineers, so a mistake must be reported the way a person
can fix it: the key path and the line in the file (``calling.window.start (line 12): ...``).
Unknown keys are errors too; a misspelt ``max_attemps`` silently ignored would let the service
call more often than the team decided.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from recoup.domain.errors import ConfigError
from recoup.domain.models import EscalationReason, Outcome, Team, TriggerKind

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallingWindow(_Strict):
    """Local hours in which the customer may be called, ``[start, end)``."""

    start: time = time(9, 0)
    end: time = time(20, 0)
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _sexagesimal(cls, value: object) -> object:
        """YAML 1.1 reads an unquoted ``20:00`` as 1200 (minutes, base 60): read it back."""
        if isinstance(value, int) and not isinstance(value, bool):
            if not 0 <= value < 24 * 60:
                raise ValueError('write times as "HH:MM" in quotes')
            return time(value // 60, value % 60)
        return value

    @model_validator(mode="after")
    def _non_empty(self) -> CallingWindow:
        if self.start >= self.end:
            raise ValueError("the window must start before it ends")
        if not self.days:
            raise ValueError("the window needs at least one day")
        return self

    @field_validator("days")
    @classmethod
    def _known_days(cls, days: tuple[str, ...]) -> tuple[str, ...]:
        bad = [d for d in days if d not in WEEKDAYS]
        if bad:
            raise ValueError(f"unknown weekday {bad[0]!r}; use {', '.join(WEEKDAYS)}")
        return days


class Calling(_Strict):
    window: CallingWindow = CallingWindow()
    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_after_hours: float = Field(default=24.0, gt=0)
    recording_notice: bool = True


class Outcomes(_Strict):
    """Which call outcomes the service acts on alone and which wait for a person."""

    automatic: tuple[Outcome, ...] = (
        Outcome.LINK_SENT,
        Outcome.PROMISE_RECORDED,
        Outcome.ESCALATED,
        Outcome.CALLBACK_SCHEDULED,
        Outcome.DO_NOT_CONTACT,
        Outcome.WRONG_PARTY,
        Outcome.VOICEMAIL_LEFT,
        Outcome.NO_ANSWER,
    )
    review: tuple[Outcome, ...] = (Outcome.REVIEW,)


class Segments(_Strict):
    """Which customer segments the launch covers: ``include`` empty means every segment."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def covers(self, segment: str) -> bool:
        return segment not in self.exclude and (not self.include or segment in self.include)


DEFAULT_ROUTES = {
    EscalationReason.DISPUTE: Team.FINANCE,
    EscalationReason.CANCELLATION: Team.ACCOUNT_OWNER,
    EscalationReason.CONTRACT_CHANGE: Team.ACCOUNT_OWNER,
    EscalationReason.HUMAN_REQUESTED: Team.FINANCE,
    EscalationReason.HIGH_VALUE: Team.FINANCE,
}


class Escalations(_Strict):
    """Where alerts go: a Slack channel for finance, the owner's handle for account owners."""

    finance_channel: str = "#finance-collections"
    owner_fallback_channel: str = "#account-owners"
    routes: dict[EscalationReason, Team] = DEFAULT_ROUTES

    @field_validator("routes")
    @classmethod
    def _complete(cls, routes: dict[EscalationReason, Team]) -> dict[EscalationReason, Team]:
        """Routes not listed keep their default team, so every escalation has somewhere to go."""
        return {**DEFAULT_ROUTES, **routes}


class Templates(_Strict):
    email_subject: str = "Your {company} invoice {invoice_number}"
    email_body: str = (
        "Hi {name},\n\nAs we discussed, here is a secure link to settle invoice "
        "{invoice_number} ({amount}): {link}\n\nThank you,\n{company}"
    )
    whatsapp_body: str = "Hi {name}, here is the secure link for invoice {invoice_number}: {link}"
    reminder_body: str = (
        "Hi {name}, a reminder that you planned to settle invoice {invoice_number} "
        "({amount}) by {promise_date}. Secure link: {link}"
    )


class Playbook(_Strict):
    """Every launch rule in one validated object."""

    version: int = 1
    triggers: tuple[TriggerKind, ...] = (
        TriggerKind.PAYMENT_FAILED,
        TriggerKind.INVOICE_UNPAID,
        TriggerKind.SUBSCRIPTION_PAST_DUE,
        TriggerKind.SUBSCRIPTION_UNPAID,
    )
    segments: Segments = Segments()
    outcomes: Outcomes = Outcomes()
    match_confidence_threshold: float = Field(default=0.8, ge=0.0, le=1.0)
    high_value_threshold: Decimal = Field(default=Decimal("5000"), ge=0)
    sensitive_tiers: tuple[str, ...] = ()
    longest_promise_days: int = Field(default=14, ge=1, le=120)
    promise_grace_days: float = Field(default=2.0, ge=0)
    give_up_after_days: float = Field(default=30.0, gt=0)
    calling: Calling = Calling()
    channel_preference: tuple[str, ...] = ("email", "whatsapp")
    escalation: Escalations = Escalations()
    templates: Templates = Templates()
    review_first_runs: int = Field(default=0, ge=0)
    review_timeout_days: float = Field(default=3.0, gt=0)

    @field_validator("channel_preference")
    @classmethod
    def _known_channels(cls, channels: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in channels if c not in ("email", "whatsapp")]
        if bad:
            raise ValueError(f"unknown channel {bad[0]!r}; use email or whatsapp")
        return channels


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc``, or of its deepest existing parent."""
    line = None if node is None else node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if getattr(k, "value", None) == str(part)]
            key = [k for k, _ in node.value if getattr(k, "value", None) == str(part)]
            if not match:
                return line
            node, line = match[0], key[0].start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _describe(exc: ValidationError, root: yaml.Node | None, origin: str) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = ".".join(str(p) for p in loc) or "(top level)"
        line = _line_of(root, loc)
        where = f" (line {line})" if line else ""
        lines.append(f"{origin}: {path}{where}: {err['msg']}")
    return "\n".join(lines)


def parse_playbook(text: str, origin: str = "<playbook>") -> Playbook:
    """Validate playbook YAML, raising ConfigError that names each bad key and its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: the playbook must be a mapping of keys to values")
    try:
        return Playbook.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, root, origin)) from exc


def load_playbook(path: Path | None = None) -> Playbook:
    """The playbook at ``path``, or the default one shipped in the package."""
    if path is None:
        text = resources.files("recoup").joinpath("playbook_default.yaml").read_text("utf-8")
        return parse_playbook(text, "playbook_default.yaml")
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the playbook: {exc.strerror}") from exc
    return parse_playbook(text, str(path))
