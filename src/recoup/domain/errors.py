"""One exception tree for Recoup. Adapters translate vendor errors into it.

::

    RecoupError
    ├── ConfigError            settings or playbook invalid (names the key and line)
    ├── InputError             bad input from outside: changes nothing
    │   ├── SignatureError     webhook signature missing, wrong or stale
    │   ├── PayloadError       malformed JSON or an event we cannot read
    │   └── UnknownRecordError an account, invoice or case that does not exist
    ├── PortError              an outside system failed
    │   ├── TransientPortError worth retrying (timeouts, 5xx, rate limits)
    │   └── PermanentPortError retrying will not help (4xx, refused)
    └── PolicyViolationError   an action the contact policy forbids was attempted
"""

from __future__ import annotations


class RecoupError(Exception):
    """Root of every error Recoup raises on purpose."""


class ConfigError(RecoupError):
    """Settings or playbook are invalid; the message names the key (and line when known)."""


class InputError(RecoupError):
    """Input from outside is wrong; the operation changed nothing."""


class SignatureError(InputError):
    """A webhook's signature is missing, does not match, or is too old."""


class PayloadError(InputError):
    """A payload is not valid JSON or lacks what its type requires."""


class UnknownRecordError(InputError):
    """A referenced account, invoice or case does not exist."""


class PortError(RecoupError):
    """An outside system failed."""


class TransientPortError(PortError):
    """The outside system may succeed on a retry; ``retry_after`` is its own hint (seconds),
    from a 429's ``Retry-After`` header, when it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentPortError(PortError):
    """The outside system refused; retrying will not help."""


class PolicyViolationError(RecoupError):
    """Code tried to contact someone the contact policy forbids."""
