"""A stand-in for the Gmail API (``gmail.googleapis.com``), as much as the adapter uses it.

Stateful like the mailbox: ``users.messages.send`` stores the decoded email with the ``SENT``
label, and ``users.messages.list`` searches what was stored with the Gmail query operators the
adapter sends (``rfc822msgid:``, a quoted phrase, ``{a b}`` for "either"). Google's OAuth token
endpoint is here too (``POST /token``), so a service-account key signed with a throwaway RSA key
can be exercised offline. Errors use Google's JSON shape.

``rewrite_message_id`` makes the stand-in replace the Message-ID, as Gmail is reported to do
for some senders, to test the adapter's fallback search by reference code.
"""

from __future__ import annotations

import base64
import email
import email.policy
import itertools
import re
from email.message import EmailMessage
from typing import Any

from recoup.testing.stand_in import Faults, StandIn, bearer_ok
from recoup.testing.vendor_server import Recorded, Reply

__all__ = ["GmailApi"]

_USER = r"/gmail/v1/users/(?P<user>[^/]+)"
_TERMS = re.compile(r'rfc822msgid:(?P<msgid>[^\s{}"]+)|"(?P<phrase>[^"]*)"')


def _error(status: int, message: str, reason: str) -> Reply:
    return Reply(status, {"error": {"code": status, "message": message, "status": reason}})


class GmailApi(StandIn):
    """One mailbox behind one OAuth access token."""

    def __init__(
        self,
        access_token: str = "ya29.test-gmail-token",  # noqa: S107 - the stand-in's own token
        rewrite_message_id: bool = False,
    ) -> None:
        super().__init__("gmail")
        self.access_token = access_token
        self.rewrite_message_id = rewrite_message_id
        self.mailbox: list[dict[str, Any]] = []
        self._ids = itertools.count(0x18F0000000000001)
        self._send_faults = Faults()
        self.server.route("POST", rf"{_USER}/messages/send")(self._send_faults.wrap(self._send))
        self.server.route("GET", rf"{_USER}/messages")(self._list)
        self.server.route("POST", r"/token")(self._token)

    # -- faults ------------------------------------------------------------------------------

    def fail_sends(self, reply: Reply, times: int = 1, after_storing: bool = False) -> None:
        """Answer the next ``times`` sends with ``reply`` (``after_storing``: the email is kept
        first, see ``Faults.push``)."""
        self._send_faults.push(reply, times, after_storing)

    # -- inspection --------------------------------------------------------------------------

    def sent(self) -> list[EmailMessage]:
        """Every email sent, in order."""
        return [entry["email"] for entry in self.mailbox]

    def text_of(self, index: int = -1) -> str:
        body = self.sent()[index].get_body(("plain",))
        assert isinstance(body, EmailMessage)
        return str(body.get_content())

    def sends(self) -> list[Recorded]:
        return self.server.calls("POST", rf"{_USER}/messages/send")

    # -- routes ------------------------------------------------------------------------------

    def _authorised(self, request: Recorded) -> bool:
        return bearer_ok(request, self.access_token)

    def _token(self, request: Recorded, _: re.Match[str]) -> Reply:
        if request.form_value("grant_type") is None:
            return Reply(400, {"error": "invalid_request"})
        return Reply(
            200, {"access_token": self.access_token, "expires_in": 3600, "token_type": "Bearer"}
        )

    def _send(self, request: Recorded, _: re.Match[str]) -> Reply:
        if not self._authorised(request):
            return _error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")
        raw = (request.json() or {}).get("raw")
        if not isinstance(raw, str):
            return _error(400, "Invalid value for ByteString: raw", "INVALID_ARGUMENT")
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        if not parsed["To"]:
            return _error(400, "Invalid To header", "INVALID_ARGUMENT")
        message_id = f"{next(self._ids):x}"
        if self.rewrite_message_id or not parsed["Message-ID"]:
            del parsed["Message-ID"]
            parsed["Message-ID"] = f"<CAgmail{message_id}@mail.gmail.com>"
        entry = {"id": message_id, "threadId": message_id, "labelIds": ["SENT"], "email": parsed}
        self.mailbox.append(entry)
        return Reply(200, {"id": message_id, "threadId": message_id, "labelIds": ["SENT"]})

    def _list(self, request: Recorded, _: re.Match[str]) -> Reply:
        if not self._authorised(request):
            return _error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")
        query = (request.query.get("q") or [""])[0]
        limit = int((request.query.get("maxResults") or ["100"])[0])
        found = [e for e in reversed(self.mailbox) if _matches(query, e["email"])][:limit]
        body: dict[str, Any] = {"resultSizeEstimate": len(found)}
        if found:
            body["messages"] = [{"id": e["id"], "threadId": e["threadId"]} for e in found]
        return Reply(200, body)


def _matches(query: str, message: EmailMessage) -> bool:
    """Gmail's search, reduced to the operators the adapter uses: braces mean "any of"."""
    terms = list(_TERMS.finditer(query))
    if not terms:
        return not query.strip()
    plain = message.get_body(("plain",))
    text = (str(plain.get_content()) if isinstance(plain, EmailMessage) else "").lower()
    own_id = str(message["Message-ID"] or "").strip("<>").lower()
    hits = [
        (t["msgid"] is not None and t["msgid"].strip("<>").lower() == own_id)
        or (t["phrase"] is not None and t["phrase"].lower() in text)
        for t in terms
    ]
    return any(hits) if query.strip().startswith("{") else all(hits)
