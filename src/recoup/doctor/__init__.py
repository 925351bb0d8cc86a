"""``recoup doctor``: is every enabled integration configured, and does it answer?

Why a command of its own: a half-configured vendor otherwise shows up hours later as a failed
workflow step deep in a case. The doctor reads the Settings the server would, probes each
enabled vendor with one cheap read through its adapter (nothing is written, sent or dialled),
and says per integration what to do, naming the ``RECOUP_...`` variable and where its value
lives in the vendor's console. Probes run in parallel, ``PROBE_TIMEOUT`` each, so a run takes
a few seconds even when a vendor hangs. Every secret value is redacted from the report.

``base`` (the row and the probe helper), ``local`` (settings, database, public URL),
``billing`` (Stripe, CRM), ``calls`` (Twilio Voice, Slack), ``mail`` and ``whatsapp``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

from rich.console import Console
from rich.table import Table
from rich.text import Text

from recoup.doctor.base import FAILING, PROBE_TIMEOUT, Check, Status, VendorCheck
from recoup.doctor.billing import check_crm, check_stripe
from recoup.doctor.calls import check_slack, check_twilio_voice
from recoup.doctor.local import (
    check_database,
    check_public_url,
    redact,
    secrets_of,
    settings_failure,
)
from recoup.doctor.mail import check_email
from recoup.doctor.whatsapp import check_whatsapp
from recoup.settings import Settings

__all__ = [
    "FAILING", "PROBE_TIMEOUT", "VENDOR_CHECKS", "Check", "Status", "exit_code", "run_checks",
    "settings_failure", "show",
]  # fmt: skip

VENDOR_CHECKS: tuple[VendorCheck, ...] = (
    check_stripe, check_crm, check_twilio_voice, check_email, check_whatsapp, check_slack,
)  # fmt: skip
_STYLE = {"ok": "green", "warn": "yellow", "off": "dim"}


def run_checks(settings: Settings, probe: bool = True) -> list[Check]:
    """Every check, in report order. With ``probe`` the database and each enabled vendor are
    contacted; without it only the settings are read."""
    checks = [
        Check("settings", "ok", f"loaded (RECOUP_ENVIRONMENT={settings.environment})"),
        check_database(settings, probe),
        check_public_url(settings),
    ]
    with ThreadPoolExecutor(max_workers=len(VENDOR_CHECKS)) as pool:
        for rows in pool.map(lambda job: _guarded(job, settings, probe), VENDOR_CHECKS):
            checks.extend(rows)
    return redact(checks, secrets_of(settings))


def _guarded(job: VendorCheck, settings: Settings, probe: bool) -> list[Check]:
    try:
        return job(settings, probe)
    except Exception as exc:  # one vendor's bug must not hide the other rows
        return [Check(job.__name__.removeprefix("check_"), "refused",
                      f"the check failed: {type(exc).__name__}: {exc}")]  # fmt: skip


def exit_code(checks: Iterable[Check]) -> int:
    """0 when every enabled integration is ok (warnings allowed), 1 otherwise."""
    return 1 if any(c.status in FAILING for c in checks) else 0


def show(checks: list[Check], as_json: bool = False) -> None:
    """The report on stdout: a table, or one JSON object with ``--json``."""
    if as_json:
        body = {"ok": exit_code(checks) == 0, "checks": [asdict(c) for c in checks]}
        sys.stdout.write(json.dumps(body) + "\n")
        return
    table = Table(title="recoup doctor")
    table.add_column("integration", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("what to do")
    for check in checks:
        label = "off (simulated)" if check.status == "off" else check.status
        style = _STYLE.get(check.status, "bold red")
        table.add_row(check.integration, Text(label, style=style), Text(check.message))
    console = Console()
    console.print(table)
    failing = sum(1 for c in checks if c.status in FAILING)
    if failing:
        console.print(f"[bold red]{failing} problem(s)[/]: fix the rows in red, then run "
                      "`recoup doctor` again")  # fmt: skip
    else:
        console.print("[green]every enabled integration is ok[/]")
