"""A stand-in for Twilio's Calls API (2010-04-01), stateful as far as Recoup uses it.

``POST /2010-04-01/Accounts/{sid}/Calls.json`` creates a call (form-encoded, Basic auth with
the account SID and auth token, ``201`` with the call resource), ``GET .../Calls/{CallSid}.json``
fetches it and ``GET .../Calls.json?To=&From=`` lists calls, newest first, in the documented
page shape. Errors use Twilio's JSON (``code``, ``message``, ``more_info``, ``status``):
20003 for bad credentials, 21211 for a bad ``To``, 21205 without a ``Url``, 20404 unknown.

No call is ever connected: a test moves a call along itself (``set_status``) or plays it
against the app with ``recoup.testing.twilio_replay.replay``; ``on_dial`` starts such a
player in a thread whenever a call is created, as a carrier would start ringing.
``lose_next_create`` places the call but answers the create with a failure (a 500, or a
``delay`` beyond the client's timeout): the response lost after the write, which the adapter
must survive without dialing twice.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from recoup.testing.stand_in import StandIn, basic_auth_ok
from recoup.testing.vendor_server import Recorded, Reply

__all__ = ["API_VERSION", "StandInCall", "TwilioApi", "twilio_error"]

API_VERSION = "2010-04-01"
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


@dataclass
class StandInCall:
    """A call as the stand-in keeps it, with what Twilio keeps but does not return (the
    webhook URLs, which its carrier needs)."""

    sid: str
    account_sid: str
    to: str
    from_: str
    url: str
    status_callback: str | None
    status_events: tuple[str, ...]
    machine_detection: str | None
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    status: str = "queued"
    answered_by: str | None = None
    duration: int | None = None

    def resource(self) -> dict[str, Any]:
        """The call resource's documented JSON."""
        stamp = format_datetime(self.created)
        return {
            "account_sid": self.account_sid,
            "annotation": None,
            "answered_by": self.answered_by,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": stamp,
            "date_updated": format_datetime(datetime.now(UTC)),
            "direction": "outbound-api",
            "duration": None if self.duration is None else str(self.duration),
            "end_time": None,
            "forwarded_from": None,
            "from": self.from_,
            "from_formatted": self.from_,
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": "PN" + "0" * 32,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": self.sid,
            "start_time": None,
            "status": self.status,
            "to": self.to,
            "to_formatted": self.to,
            "trunk_sid": None,
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{self.sid}.json",
            "subresource_uris": {},
        }


def twilio_error(status: int, code: int, message: str) -> Reply:
    """Twilio's error JSON, shared by its Calls and Messages APIs."""
    more = f"https://www.twilio.com/docs/errors/{code}"
    return Reply(status, {"code": code, "message": message, "more_info": more, "status": status})


class TwilioApi(StandIn):
    """Twilio's Calls API on a ``VendorServer``; ``server`` records every request."""

    def __init__(
        self,
        account_sid: str = "AC" + "a1" * 16,
        auth_token: str = "stand-in-token",  # noqa: S107 - the stand-in's own test credential
    ) -> None:
        super().__init__("twilio")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._calls: dict[str, StandInCall] = {}
        self._lock = threading.Lock()
        self._on_dial: Callable[[StandInCall], None] | None = None
        self._lose: list[Reply] = []
        prefix = rf"/{API_VERSION}/Accounts/(?P<account>[^/]+)/Calls"
        self.server.route("POST", prefix + r"\.json")(self._create)
        self.server.route("GET", prefix + r"\.json")(self._list)
        self.server.route("GET", prefix + r"/(?P<sid>CA[0-9a-f]{32})\.json")(self._fetch)

    # -- control ------------------------------------------------------------------------------

    def on_dial(self, handler: Callable[[StandInCall], None] | None) -> None:
        """Run ``handler(call)`` in a thread after each create, like a carrier ringing."""
        self._on_dial = handler

    def lose_next_create(self, reply: Reply) -> None:
        """Place the next call, then answer its create with ``reply`` instead of the call."""
        with self._lock:
            self._lose.append(reply)

    def call(self, sid: str) -> StandInCall:
        with self._lock:
            return self._calls[sid]

    def calls(self) -> list[StandInCall]:
        """Every call placed, oldest first."""
        with self._lock:
            return sorted(self._calls.values(), key=lambda c: c.created)

    def set_status(self, sid: str, status: str, answered_by: str | None = None) -> None:
        with self._lock:
            call = self._calls[sid]
            call.status = status
            call.answered_by = answered_by or call.answered_by

    # -- routes -------------------------------------------------------------------------------

    def _denied(self, request: Recorded, account: str) -> Reply | None:
        authorised = basic_auth_ok(request, self.account_sid, self.auth_token)
        if not authorised or account != self.account_sid:
            return twilio_error(401, 20003, "Authenticate")
        return None

    def _create(self, request: Recorded, match: re.Match[str]) -> Reply:
        denied = self._denied(request, match["account"])
        if denied:
            return denied
        form = request.form()
        first = {k: v[0] for k, v in form.items() if v}
        to, from_, url = (first.get(k, "") for k in ("To", "From", "Url"))
        if not _E164.match(to):
            return twilio_error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not url:
            return twilio_error(400, 21205, "Url parameter is required.")
        call = StandInCall(
            sid="CA" + secrets.token_hex(16),
            account_sid=self.account_sid,
            to=to,
            from_=from_,
            url=url,
            status_callback=first.get("StatusCallback"),
            status_events=tuple(form.get("StatusCallbackEvent", [])),
            machine_detection=first.get("MachineDetection"),
        )
        with self._lock:
            self._calls[call.sid] = call
            lost = self._lose.pop(0) if self._lose else None
        if self._on_dial is not None:
            threading.Thread(target=self._on_dial, args=(call,), daemon=True).start()
        return lost or Reply(201, call.resource())

    def _fetch(self, request: Recorded, match: re.Match[str]) -> Reply:
        denied = self._denied(request, match["account"])
        if denied:
            return denied
        with self._lock:
            call = self._calls.get(match["sid"])
        if call is None:
            return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
        return Reply(200, call.resource())

    def _list(self, request: Recorded, match: re.Match[str]) -> Reply:
        denied = self._denied(request, match["account"])
        if denied:
            return denied
        wanted = {k: v[0] for k, v in request.query.items() if k in ("To", "From", "Status")}
        size = int(request.query.get("PageSize", ["50"])[0])
        every = [c.resource() for c in reversed(self.calls())]
        found = [c for c in every if all(c[k.lower()] == v for k, v in wanted.items())][:size]
        uri = request.path
        return Reply(
            200,
            {
                "calls": found,
                "start": 0,
                "end": max(len(found) - 1, 0),
                "page": 0,
                "page_size": size,
                "first_page_uri": uri,
                "previous_page_uri": None,
                "next_page_uri": None,
                "uri": uri,
            },
        )
