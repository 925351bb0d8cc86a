"""What every doctor check shares: the row it reports, and how a probe's failure reads.

A probe makes one read through the real adapter (or one GET where the adapter has no read),
with ``PROBE_TIMEOUT`` and a single attempt: a doctor reports a flaky vendor, it does not wait
it out. The adapters' errors already name the variable to fix where they can; ``probed`` adds
a hint where they do not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from recoup.adapters.retry import Backoff
from recoup.domain.errors import ConfigError, RecoupError, TransientPortError
from recoup.settings import Settings

Status = Literal["ok", "warn", "off", "missing", "invalid", "unreachable", "refused"]
#: Statuses that make ``recoup doctor`` exit 1; ``warn`` and ``off`` do not.
FAILING = frozenset({"missing", "invalid", "unreachable", "refused"})
#: Seconds each probe may take to connect and to read.
PROBE_TIMEOUT = 5.0
ONE_TRY = Backoff(attempts=1)
#: An address no CRM or mailbox can hold (``.invalid`` is reserved, RFC 2606).
PROBE_EMAIL = "recoup-doctor-probe@example.invalid"


@dataclass(frozen=True)
class Check:
    """One row of the report: which integration, how it stands, and what to do about it."""

    integration: str
    status: Status
    message: str


#: One integration's check: its rows, given the settings and whether to contact the vendor.
VendorCheck = Callable[[Settings, bool], list[Check]]


def probed(name: str, probe: Callable[[], str], refused: str, unreachable: str) -> Check:
    """Run ``probe`` (it returns what it found) and turn a failure into a row: a transient
    error means the vendor could not be reached, any other that it refused."""
    try:
        found = probe()
    except ConfigError as exc:
        return Check(name, "missing", f"{exc}; {refused}")
    except TransientPortError as exc:
        return Check(name, "unreachable", f"{exc}; {unreachable}")
    except RecoupError as exc:
        said = str(exc)
        return Check(name, "refused", said if "RECOUP_" in said else f"{said}; {refused}")
    return Check(name, "ok", found)


def not_probed(name: str) -> Check:
    return Check(name, "ok", "configured; not contacted (--no-probe)")


def network(variable: str, url: str) -> str:
    """The hint for an unreachable vendor: the base URL setting, and the network."""
    return f"check {variable} ({url}) and this host's network"


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url


def public(settings: Settings, path: str) -> str:
    """The URL a vendor calls back: ``RECOUP_PUBLIC_BASE_URL`` + ``path``."""
    return f"{settings.public_base_url.rstrip('/')}{path}"
