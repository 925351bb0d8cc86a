"""Verify ``X-Twilio-Signature`` on every Twilio webhook before any of its fields is trusted.

Twilio signs the full URL it requested (scheme, host, path and query, exactly as we gave it)
followed by each POST parameter, sorted, with the account's auth token (HMAC-SHA1, base64).
The SDK's ``RequestValidator`` is the reference implementation: it compares in constant time
and accepts the URL with and without the default port, as Twilio's own signing varies there.

The URL must be the one Twilio used, not the one this process sees behind a proxy or a load
balancer, so it is rebuilt from the configured public base URL and the raw request path (the
percent-encoding intact: Starlette's ``request.url`` decodes it, which would break the match).

``sign`` exists for tests and the replay helper: it produces exactly what Twilio would send.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import SecretStr
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from recoup.domain.errors import ConfigError, SignatureError

__all__ = ["SIGNATURE_HEADER", "TwilioSignature"]

#: The request header Twilio signs with.
SIGNATURE_HEADER = "X-Twilio-Signature"

Params = Sequence[tuple[str, str]]


class _Form(dict[str, list[str]]):
    """POST parameters with repeated keys, shaped as the validator reads a Django QueryDict."""

    def getlist(self, name: str) -> list[str]:
        return self[name]


def _form(params: Params) -> _Form:
    form = _Form()
    for name, value in params:
        form.setdefault(name, []).append(value)
    return form


class TwilioSignature:
    """Signs and checks Twilio webhook requests for one account and one public URL."""

    def __init__(self, auth_token: SecretStr, public_base_url: str) -> None:
        token = auth_token.get_secret_value()
        if not token:
            raise ConfigError("RECOUP_TWILIO_AUTH_TOKEN: empty; no Twilio webhook could verify")
        self._validator = RequestValidator(token)
        self._base = public_base_url.rstrip("/")

    def public_url(self, raw_path: str, query: str = "") -> str:
        """The URL Twilio requested, from the path and query this process received."""
        return f"{self._base}{raw_path}" + (f"?{query}" if query else "")

    def sign(self, url: str, params: Params = ()) -> str:
        """The ``X-Twilio-Signature`` Twilio would send for a form POST to ``url``."""
        computed: str = self._validator.compute_signature(url, _form(params))
        return computed

    def verify(self, url: str, params: Params | str, signature: str | None) -> None:
        """Return quietly when ``signature`` matches; raise ``SignatureError`` otherwise.
        ``params`` is the form as ``(name, value)`` pairs, or a JSON body as a string when the
        URL carries ``bodySHA256``."""
        if not signature:
            raise SignatureError(f"missing {SIGNATURE_HEADER} header")
        signed = params if isinstance(params, str) else _form(params)
        if not self._validator.validate(url, signed, signature):
            raise SignatureError(f"{SIGNATURE_HEADER} does not match the request")
