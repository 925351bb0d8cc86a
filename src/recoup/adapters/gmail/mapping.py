"""Gmail's shapes and errors, translated: credentials from one secret, errors into ports' terms.

Credentials come as one ``SecretStr`` so settings hold one value whatever the kind:

* a service-account key (JSON with ``"type": "service_account"``), used with domain-wide
  delegation to act as ``delegated_user`` (the sending mailbox);
* an authorized-user token (JSON with ``"type": "authorized_user"``: client ID, secret and
  refresh token), as written by Google's installed-app OAuth flow;
* a bare OAuth access token (``ya29....``): short-lived, for tests and one-off runs.
"""

from __future__ import annotations

import base64
import json
import socket
from email.message import EmailMessage
from typing import Any

import google.auth.exceptions
import httplib2  # type: ignore[import-untyped]
from google.auth.credentials import Credentials as BaseCredentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from googleapiclient.errors import HttpError  # type: ignore[import-untyped]
from pydantic import SecretStr

from recoup.domain.errors import ConfigError, PermanentPortError, PortError, TransientPortError

__all__ = ["GMAIL_ERRORS", "SCOPES", "credentials_from", "lookup_query", "raw_message", "translate"]

#: Send, and search what was sent (``q`` needs gmail.readonly: gmail.metadata refuses it).
SCOPES = (
    "https://www.googleapis.com/auth/gmail.send",
    "https://www.googleapis.com/auth/gmail.readonly",
)


#: What a Gmail call can raise that is the vendor's doing, not ours.
GMAIL_ERRORS: tuple[type[Exception], ...] = (
    HttpError,
    google.auth.exceptions.GoogleAuthError,
    httplib2.HttpLib2Error,
    OSError,
)


def credentials_from(
    secret: SecretStr, delegated_user: str | None, token_uri: str | None = None
) -> BaseCredentials:
    """Google credentials for the secret's kind (see the module docstring)."""
    value = secret.get_secret_value().strip()
    if not value.startswith("{"):
        return user_credentials.Credentials(token=value)  # type: ignore[no-untyped-call]
    try:
        info: dict[str, Any] = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ConfigError("the Gmail credentials look like JSON but do not parse") from exc
    if token_uri:
        info["token_uri"] = token_uri
    kind = info.get("type")
    try:
        if kind == "service_account":
            if not delegated_user:
                raise ConfigError("a Gmail service account needs the mailbox to act as")
            return service_account.Credentials.from_service_account_info(  # type: ignore[no-any-return, no-untyped-call]
                info, scopes=list(SCOPES), subject=delegated_user
            )
        if kind == "authorized_user":
            return user_credentials.Credentials.from_authorized_user_info(  # type: ignore[no-untyped-call, no-any-return]
                info, scopes=list(SCOPES)
            )
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"the Gmail {kind} credentials are incomplete") from exc
    raise ConfigError(f"unsupported Gmail credentials type {kind!r}")


def raw_message(email: EmailMessage) -> str:
    """The email as Gmail's ``raw`` field wants it: base64url of the RFC 5322 bytes."""
    return base64.urlsafe_b64encode(email.as_bytes()).decode("ascii")


def lookup_query(message_id: str, ref: str) -> str:
    """A search for an earlier send: by our ``Message-ID``, or by the reference code in the
    body, in case Gmail replaced the Message-ID on the way out."""
    return f'{{rfc822msgid:{message_id.strip("<>")} "{ref}"}}'


def _retry_after(resp: Any) -> float | None:
    value = resp.get("retry-after") if resp is not None else None
    try:
        return float(value) if value else None
    except ValueError:
        return None


def translate(exc: Exception) -> PortError:
    """A Gmail API, auth or transport error as a transient or permanent port error."""
    if isinstance(exc, HttpError):
        status = int(exc.resp.status)
        if status == 429 or status >= 500:
            return TransientPortError(f"Gmail API {status}", _retry_after(exc.resp))
        if status == 403 and "rate" in str(exc.reason).lower():  # userRateLimitExceeded
            return TransientPortError("Gmail API rate limit (403)", _retry_after(exc.resp))
        return PermanentPortError(f"Gmail API refused the request ({status}: {exc.reason})")
    if isinstance(exc, google.auth.exceptions.RefreshError):
        return PermanentPortError("Google refused the Gmail credentials (refresh failed)")
    if isinstance(exc, google.auth.exceptions.TransportError):
        return TransientPortError("Google's token endpoint is unreachable")
    if isinstance(exc, (httplib2.HttpLib2Error, socket.timeout, OSError)):
        return TransientPortError(f"Gmail API unreachable: {type(exc).__name__}")
    return PermanentPortError(f"Gmail error: {type(exc).__name__}")
