"""simple-salesforce failures -> Recoup's error tree, and the retry rule for writes.

simple-salesforce raises ``SalesforceError`` subclasses carrying ``status`` and the decoded
error array (``[{"errorCode", "message", "fields"}]``); the transport raises ``requests``
errors. What an admin must fix (an expired session, a missing custom field, a missing
permission) is named in words. Salesforce's own message is kept but masked: a malformed-query
message can quote the email or phone number we searched for, and the exception's URL holds the
whole query, so neither goes into our message as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import requests
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceError

from recoup.adapters.retry import Backoff, with_retries, write_once
from recoup.agent.redact import mask_contact
from recoup.domain.errors import PermanentPortError, RecoupError, TransientPortError

T = TypeVar("T")
#: Refusals that mean "not now" rather than "never": the org's API limits.
_BUSY = {"REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"}




def translate(
    exc: Exception, doing: str, custom_fields: tuple[str, ...] = ()
) -> RecoupError | None:
    """The Recoup error for a failed call, or None when ``exc`` is not Salesforce's (a bug)."""
    if isinstance(exc, requests.RequestException):
        return TransientPortError(f"Salesforce unreachable while {doing}: {type(exc).__name__}")
    if isinstance(exc, SalesforceAuthenticationFailed):
        return PermanentPortError(
            f"Salesforce login failed while {doing} ({exc.code}): check the integration user's "
            "username, password and security token (RECOUP_SALESFORCE_USERNAME, "
            "RECOUP_SALESFORCE_PASSWORD, RECOUP_SALESFORCE_SECURITY_TOKEN) and "
            "RECOUP_SALESFORCE_DOMAIN"
        )
    if not isinstance(exc, SalesforceError):
        return None
    code, said = _first_error(exc.content)
    status = exc.status
    if status == 401:
        return PermanentPortError(
            f"Salesforce refused the session while {doing} (401 {code}): the access token "
            "expired or was revoked; issue a new one for the integration user and set "
            "RECOUP_SALESFORCE_ACCESS_TOKEN, or configure username, password and security token "
            "so Recoup logs in by itself"
        )
    if status == 429 or status >= 500 or code in _BUSY:
        return TransientPortError(f"Salesforce busy while {doing} ({status} {code}): {said}")
    missing = [f for f in custom_fields if f.lower() in said.lower()]
    if code in ("INVALID_FIELD", "INVALID_FIELD_FOR_INSERT_UPDATE") and missing:
        return PermanentPortError(
            f"Salesforce has no field {missing[0]} ({doing}): an admin must create it "
            "(see docs/integrations/salesforce.md) and give the integration user access to it"
        )
    if status == 403 or code == "INSUFFICIENT_ACCESS_OR_READONLY":
        return PermanentPortError(
            f"Salesforce denied {doing} ({status} {code}): give the integration user's "
            f"permission set access to it. Salesforce said: {said}"
        )
    return PermanentPortError(f"Salesforce refused {doing} ({status} {code}): {said}")


def repeatable(exc: Exception) -> bool:
    """Whether a failed write certainly did not happen: refused for the org's limits."""
    if isinstance(exc, SalesforceError):
        return exc.status == 429 or _first_error(exc.content)[0] == "REQUEST_LIMIT_EXCEEDED"
    return isinstance(exc, requests.ConnectTimeout)


def read(
    call: Callable[[], T], doing: str, backoff: Backoff | None, custom_fields: tuple[str, ...] = ()
) -> T:
    """A query, retried on transient failures."""

    def once() -> T:
        try:
            return call()
        except Exception as exc:
            error = translate(exc, doing, custom_fields)
            if error is None:
                raise
            raise error from exc

    return with_retries(once, backoff)


def write(
    call: Callable[[], T], doing: str, backoff: Backoff | None, custom_fields: tuple[str, ...] = ()
) -> T:
    """An insert, retried only when Salesforce certainly did not apply it. After a 5xx or a
    timeout the error goes up, and the next attempt queries by call ID first."""
    return write_once(call, lambda exc: translate(exc, doing, custom_fields), repeatable, backoff)


def _first_error(content: Any) -> tuple[str, str]:
    """``(errorCode, masked message)`` from Salesforce's error array (or a bare string)."""
    first = content[0] if isinstance(content, list) and content else content
    if isinstance(first, dict):
        code = str(first.get("errorCode") or first.get("error") or "")
        message = str(first.get("message") or first.get("error_description") or "")
    else:
        code, message = "", str(first or "")
    return code, mask_contact(message)[:300]
