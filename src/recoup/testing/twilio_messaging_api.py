"""A stand-in for Twilio's Messages API (``api.twilio.com/2010-04-01``), WhatsApp included.

Stateful like Twilio: ``POST .../Messages.json`` (form fields ``To``, ``From``, ``Body`` or
``ContentSid`` + ``ContentVariables``) stores a message and answers 201 with the message
resource; ``GET .../Messages.json?To=&From=&PageSize=`` lists them newest first, in Twilio's
page shape, so the adapter's look-up before a resend finds what was sent. A Content template's
variables are rendered into ``body`` as Twilio does. HTTP Basic auth with the account SID and
auth token; errors in Twilio's JSON shape (``code``, ``message``, ``more_info``, ``status``).
"""

from __future__ import annotations

import itertools
import json
import re
from email.utils import formatdate
from typing import Any

from recoup.adapters.whatsapp.mapping import TEMPLATE_BODY
from recoup.testing.stand_in import Faults, StandIn, basic_auth_ok
from recoup.testing.twilio_api import twilio_error
from recoup.testing.vendor_server import Recorded, Reply

__all__ = ["TwilioMessagingApi"]

_MESSAGES = r"/2010-04-01/Accounts/(?P<sid>AC[0-9a-zA-Z]+)/Messages\.json"


class TwilioMessagingApi(StandIn):
    """One Twilio account; ``contents`` maps Content SIDs to their approved body text."""

    def __init__(
        self,
        account_sid: str = "AC" + "0" * 31 + "1",
        auth_token: str = "test-twilio-auth-token",  # noqa: S107 - the stand-in's own token
        contents: dict[str, str] | None = None,
    ) -> None:
        super().__init__("twilio-messaging")
        self.account_sid, self.auth_token = account_sid, auth_token
        self.contents = contents if contents is not None else {"HX" + "a" * 32: TEMPLATE_BODY}
        self.messages: list[dict[str, Any]] = []
        self._seq = itertools.count(1)
        self._send_faults = Faults()
        self.server.route("POST", _MESSAGES)(self._send_faults.wrap(self._create))
        self.server.route("GET", _MESSAGES)(self._list)

    def fail_sends(self, reply: Reply, times: int = 1, after_storing: bool = False) -> None:
        """Answer the next ``times`` sends with ``reply`` (``after_storing``: the message is
        kept first, see ``Faults.push``)."""
        self._send_faults.push(reply, times, after_storing)

    def creates(self) -> list[Recorded]:
        return self.server.calls("POST", _MESSAGES)

    def _authorised(self, request: Recorded, sid: str) -> bool:
        return sid == self.account_sid and basic_auth_ok(request, self.account_sid, self.auth_token)

    def _create(self, request: Recorded, match: re.Match[str]) -> Reply:
        if not self._authorised(request, match["sid"]):
            return twilio_error(401, 20003, "Authenticate")
        to, sender = request.form_value("To") or "", request.form_value("From") or ""
        if not re.fullmatch(r"whatsapp:\+\d{8,15}", to):
            return twilio_error(400, 21211, f"Invalid 'To' Phone Number: {to[:12]}...")
        if not re.fullmatch(r"whatsapp:\+\d{8,15}", sender):
            return twilio_error(400, 21212, "Invalid From Number (caller ID)")
        body = self._body(request)
        if body is None:
            return twilio_error(
                400, 21619, "A text message body, media URL or content SID is required"
            )
        sid = f"SM{next(self._seq):032x}"
        resource = {
            "sid": sid, "account_sid": self.account_sid, "to": to, "from": sender, "body": body,
            "status": "queued", "direction": "outbound-api", "api_version": "2010-04-01",
            "num_segments": "1", "num_media": "0", "price": None, "price_unit": "USD",
            "error_code": None, "error_message": None, "messaging_service_sid": None,
            "date_created": formatdate(usegmt=True), "date_updated": formatdate(usegmt=True),
            "date_sent": None, "uri": f"{request.path.removesuffix('.json')}/{sid}.json",
            "content_sid": request.form_value("ContentSid"),
        }  # fmt: skip
        self.messages.append(resource)
        return Reply(201, resource)

    def _body(self, request: Recorded) -> str | None:
        content_sid = request.form_value("ContentSid")
        if content_sid is None:
            return request.form_value("Body")
        template = self.contents.get(content_sid)
        if template is None:
            return None
        variables = json.loads(request.form_value("ContentVariables") or "{}")
        for name, value in variables.items():
            template = template.replace(f"{{{{{name}}}}}", str(value))
        return template

    def _list(self, request: Recorded, match: re.Match[str]) -> Reply:
        if not self._authorised(request, match["sid"]):
            return twilio_error(401, 20003, "Authenticate")
        to, sender = _first(request, "To"), _first(request, "From")
        size = int(_first(request, "PageSize") or "50")
        found = [
            m for m in reversed(self.messages)
            if (to is None or m["to"] == to) and (sender is None or m["from"] == sender)
        ][:size]  # fmt: skip
        return Reply(200, {
            "messages": found, "page": 0, "page_size": size, "start": 0,
            "end": max(len(found) - 1, 0), "first_page_uri": request.path,
            "next_page_uri": None, "previous_page_uri": None, "uri": request.path,
        })  # fmt: skip


def _first(request: Recorded, name: str) -> str | None:
    values = request.query.get(name)
    return values[0] if values else None
