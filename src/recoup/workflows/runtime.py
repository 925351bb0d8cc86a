"""The ports and stores that workflow steps use, installed once per process by the wiring.

DBOS registers workflows and steps as module-level functions at import time, before any
configuration exists; the steps therefore look their collaborators up here. Only
:mod:`recoup.wiring` calls :func:`install`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


def vendor_trouble(exc: BaseException) -> bool:
    """Whether a failed step that talks to a vendor is worth running again: a transient
    vendor error (the adapter already retried it briefly) may pass in a minute; a refusal
    or a bug will not."""
    from recoup.domain.errors import TransientPortError

    return isinstance(exc, TransientPortError)


#: Step options for every step that talks to a vendor: after the adapter's own quick retries,
#: DBOS tries the step again 5, 10 and 20 s later (durably: a restart keeps the count). Safe
#: because each such step is idempotent by its key (the vendor dedupes, or the adapter looks
#: the earlier write up first).
VENDOR_STEP: dict[str, Any] = {
    "retries_allowed": True, "interval_seconds": 5.0, "max_attempts": 4, "backoff_rate": 2.0,
    "should_retry": vendor_trouble,
}  # fmt: skip
