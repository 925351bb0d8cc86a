"""Recoup's own webhook URLs for one call: where Twilio fetches TwiML and reports status.

The call ID travels in the path, so every request Twilio makes for a call names the call it
belongs to, and the state of that call can be found by any server replica. ``turn`` rides in
the Gather ``action`` URL: it numbers the reply a request carries, so a re-delivered request
is recognised and never heard twice. Twilio signs the URL exactly as given here.
"""

from __future__ import annotations

from urllib.parse import quote

VOICE_PATH = "/webhooks/twilio/voice/{call_id}"
STATUS_PATH = "/webhooks/twilio/status/{call_id}"


def _base(public_base_url: str) -> str:
    return public_base_url.rstrip("/")


def _segment(call_id: str) -> str:
    # ":" is legal in a path segment; keeping it unescaped keeps call IDs readable in logs.
    return quote(call_id, safe=":")


def voice_url(public_base_url: str, call_id: str, turn: int | None = None) -> str:
    """Where Twilio fetches the TwiML when the call is answered (no ``turn``) and after each
    reply (``turn`` = the number of that reply, from 1)."""
    url = _base(public_base_url) + VOICE_PATH.format(call_id=_segment(call_id))
    return url if turn is None else f"{url}?turn={turn}"


def status_url(public_base_url: str, call_id: str) -> str:
    """Where Twilio reports the call's progress: initiated, ringing, answered, completed."""
    return _base(public_base_url) + STATUS_PATH.format(call_id=_segment(call_id))
