"""The ports and stores that workflow steps use, installed once per process by the wiring.

DBOS registers workflows and steps as module-level functions at import time, before any
configuration exists; the steps therefore look their collaborators up here. Only
:mod:`recoup.wiring` calls :func:`install`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from recoup.playbook import Playbook
from recoup.ports import AlertPort, BillingPort, ClockPort, CrmPort, MessagingPort, TelephonyPort
from recoup.store.db import Database

if TYPE_CHECKING:
    from recoup.workflows.dispatch import Dispatcher


@dataclass(frozen=True)
class Runtime:
    """Everything a step may touch."""

    db: Database
    billing: BillingPort
    crm: CrmPort
    telephony: TelephonyPort
    messaging: MessagingPort
    alerts: AlertPort
    clock: ClockPort
    dispatcher: Dispatcher
    playbook: Playbook
    public_base_url: str
    company_name: str
    callback_number: str


_current: Runtime | None = None


def install(runtime: Runtime) -> None:
    """Make ``runtime`` the one steps use in this process."""
    global _current
    _current = runtime


def current() -> Runtime:
    """The installed runtime; a clear error when the wiring forgot to install one."""
    if _current is None:
        raise RuntimeError("no runtime installed: build one with recoup.wiring first")
    return _current
