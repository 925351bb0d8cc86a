"""Play a whole Twilio call against the running app, turn by turn, with valid signatures.

``replay`` does what Twilio does for one call placed on the stand-in (``TwilioApi``): the
``initiated``, ``ringing`` and ``answered`` status callbacks, the request for TwiML when the
call is answered (with ``AnsweredBy`` from answering-machine detection), one Gather action
per reply with ``SpeechResult`` and ``Confidence``, and the final status callback. Each
request is a form POST to the exact URL Recoup gave (the call's ``Url`` and
``StatusCallback``, then each Gather ``action``), signed over that URL and form with the
account's auth token, with the fields Twilio documents (see ../shared's
``twilio_voice_webhook_reference.json``). It stops when the TwiML stops listening (a
``<Hangup>`` or ``<Dial>``) or the customer hangs up (a ``None`` reply, or no replies left).

``client`` is anything with httpx's ``post(url, content=, headers=)``: a FastAPI
``TestClient`` in tests, an ``httpx.Client`` against a served app in a demo.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # parses Recoup's own TwiML only
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from pydantic import SecretStr

from recoup.adapters.twilio.signature import SIGNATURE_HEADER, TwilioSignature
from recoup.testing.twilio_api import API_VERSION, StandInCall, TwilioApi

__all__ = ["Heard", "Replay", "replay"]

UNANSWERED = frozenset({"busy", "no-answer", "failed", "canceled"})


class _Poster(Protocol):
    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Any: ...


@dataclass(frozen=True)
class Heard:
    """A reply as the recogniser returns it: the words and its confidence."""

    text: str
    confidence: float = 0.92


@dataclass
class Replay:
    """What the call sounded like from the customer's side, and how the app answered."""

    twiml: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    dialed: str | None = None
    statuses: list[int] = field(default_factory=list)


def _params(api: TwilioApi, call: StandInCall, status: str, **extra: str) -> list[tuple[str, str]]:
    base = {
        "CallSid": call.sid,
        "AccountSid": api.account_sid,
        "From": call.from_,
        "To": call.to,
        "CallStatus": status,
        "Direction": "outbound-api",
        "ApiVersion": API_VERSION,
    }
    return list((base | extra).items())


def _post(client: _Poster, api: TwilioApi, url: str, params: list[tuple[str, str]]) -> Any:
    signer = TwilioSignature(SecretStr(api.auth_token), "http://unused")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        SIGNATURE_HEADER: signer.sign(url, params),
    }
    return client.post(url, content=urlencode(params).encode(), headers=headers)


def _progress(
    client: _Poster,
    api: TwilioApi,
    call: StandInCall,
    out: Replay,
    event: str,
    status: str,
    seq: int,
    **extra: str,
) -> None:
    if call.status_callback and (event in call.status_events or event == "completed"):
        params = _params(
            api,
            call,
            status,
            CallbackSource="call-progress-events",
            SequenceNumber=str(seq),
            **extra,
        )
        out.statuses.append(_post(client, api, call.status_callback, params).status_code)


def _read(out: Replay, xml: str) -> str | None:
    """Note what the TwiML says and dials; the Gather action when it listens."""
    out.twiml.append(xml)
    root = ET.fromstring(xml)  # noqa: S314 - the app's own output, not outside input
    out.said.extend((say.text or "") for say in root.iter("Say"))
    dial = root.find("Dial")
    if dial is not None:
        out.dialed = (dial.text or "").strip()
    gather = root.find("Gather")
    return None if gather is None else gather.get("action")


def replay(
    client: _Poster,
    api: TwilioApi,
    call_sid: str,
    replies: Iterable[str | Heard | None] = (),
    *,
    answered_by: str | None = "human",
    status: str = "completed",
) -> Replay:
    """Play call ``call_sid`` through the app. ``status`` other than ``completed`` (busy,
    no-answer, failed, canceled) is a call nobody answered."""
    call, out = api.call(call_sid), Replay()
    _progress(client, api, call, out, "initiated", "queued", 0)
    _progress(client, api, call, out, "ringing", "ringing", 1)
    if status in UNANSWERED:
        api.set_status(call.sid, status)
        _progress(client, api, call, out, "completed", status, 2, CallDuration="0")
        return out
    api.set_status(call.sid, "in-progress", answered_by)
    _progress(client, api, call, out, "answered", "in-progress", 2)
    extra = {"AnsweredBy": answered_by} if answered_by else {}
    answer = _post(client, api, call.url, _params(api, call, "in-progress", **extra))
    action, pending = _read(out, answer.text), iter(replies)
    while action is not None:
        reply = next(pending, None)
        if reply is None:
            break  # the customer hangs up
        heard = reply if isinstance(reply, Heard) else Heard(reply)
        spoken = {"SpeechResult": heard.text, "Confidence": f"{heard.confidence:.5f}"}
        params = _params(api, call, "in-progress", **(spoken if heard.text else {}))
        action = _read(out, _post(client, api, action, params).text)
    api.set_status(call.sid, "completed")
    call.duration = 30 + 10 * len(out.twiml)
    _progress(client, api, call, out, "completed", "completed", 3, CallDuration=str(call.duration))
    return out
