"""A stand-in for Meta's WhatsApp Cloud API (``graph.facebook.com``): template messages.

``POST /{version}/{phone_number_id}/messages`` checks the bearer token, the phone number ID
and the template (name, language, parameter count, Meta's no-new-lines rule for parameters),
renders the approved template with the parameters as WhatsApp would show it, stores it, and
answers with the documented shape (``contacts``, ``messages[0].id`` = ``wamid...``). Errors use
the Graph API's shape (``error.message``, ``type``, ``code``, ``fbtrace_id``).
"""

from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass
from typing import Any

from recoup.adapters.whatsapp.mapping import TEMPLATE_BODY
from recoup.testing.stand_in import Faults, StandIn, bearer_ok
from recoup.testing.vendor_server import Recorded, Reply

__all__ = ["ApprovedTemplate", "DeliveredWhatsApp", "WhatsAppCloudApi"]


@dataclass(frozen=True)
class ApprovedTemplate:
    name: str
    language: str
    body: str
    button_url: str  # with ``{{1}}`` for the dynamic suffix


@dataclass(frozen=True)
class DeliveredWhatsApp:
    """What the customer's phone shows, and what we asked for."""

    wamid: str
    to: str
    text: str
    button_url: str
    callback_data: str | None
    request: dict[str, Any]


def _graph_error(status: int, code: int, message: str, kind: str = "OAuthException") -> Reply:
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfGhIjK"}
    return Reply(status, {"error": error})


class WhatsAppCloudApi(StandIn):
    """One business phone number with its approved templates."""

    def __init__(
        self,
        access_token: str = "EAAGtest-permanent-token",  # noqa: S107 - the stand-in's own token
        phone_number_id: str = "106540352242922",
        templates: tuple[ApprovedTemplate, ...] | None = None,
    ) -> None:
        super().__init__("whatsapp-cloud")
        self.access_token, self.phone_number_id = access_token, phone_number_id
        default = ApprovedTemplate(
            "recoup_payment_message", "en_US", TEMPLATE_BODY, "https://recoup.example.test/l/{{1}}"
        )
        self.templates = {(t.name, t.language): t for t in (templates or (default,))}
        self.delivered: list[DeliveredWhatsApp] = []
        self._seq = itertools.count(1)
        self._send_faults = Faults()
        self.server.route("POST", r"/(?P<version>v\d+\.\d+)/(?P<pnid>[^/]+)/messages")(
            self._send_faults.wrap(self._send)
        )

    def fail_sends(self, reply: Reply, times: int = 1, after_storing: bool = False) -> None:
        """Answer the next ``times`` sends with ``reply`` (``after_storing``: the message is
        delivered first, see ``Faults.push``)."""
        self._send_faults.push(reply, times, after_storing)

    def sends(self) -> list[Recorded]:
        return self.server.calls("POST", r"/v\d+\.\d+/[^/]+/messages")

    def _send(self, request: Recorded, match: re.Match[str]) -> Reply:
        if not bearer_ok(request, self.access_token):
            return _graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if match["pnid"] != self.phone_number_id:
            return _graph_error(400, 100, "Unsupported post request.", "GraphMethodException")
        body = request.json() or {}
        if body.get("messaging_product") != "whatsapp" or body.get("type") != "template":
            return _graph_error(400, 100, "(#100) Invalid parameter")
        to = str(body.get("to", ""))
        if not to.isdigit() or not 8 <= len(to) <= 15:
            return _graph_error(400, 131026, "(#131026) Message undeliverable")
        return self._render(body, to)

    def _render(self, body: dict[str, Any], to: str) -> Reply:
        spec = body.get("template", {})
        template = self.templates.get((spec.get("name"), spec.get("language", {}).get("code")))
        if template is None:
            return _graph_error(
                404, 132001, "(#132001) Template name does not exist in the translation"
            )
        params: dict[str, list[str]] = {"body": [], "button": []}
        for component in spec.get("components", []):
            texts = [str(p.get("text", "")) for p in component.get("parameters", [])]
            params.setdefault(component.get("type", ""), []).extend(texts)
        if any("\n" in t or "\t" in t or "     " in t for t in params["body"]):
            return _graph_error(
                400, 132018, "(#132018) There was an issue with the parameters in your template"
            )
        expected = len(re.findall(r"\{\{\d+\}\}", template.body))
        if len(params["body"]) != expected or len(params["button"]) != 1:
            return _graph_error(
                400,
                132000,
                "(#132000) Number of parameters does not match the expected number of params",
            )
        text = template.body
        for number, value in enumerate(params["body"], start=1):
            text = text.replace(f"{{{{{number}}}}}", value)
        wamid = "wamid." + base64.b64encode(f"HBgL{to}{next(self._seq):08d}".encode()).decode()
        url = template.button_url.replace("{{1}}", params["button"][0])
        self.delivered.append(
            DeliveredWhatsApp(wamid, to, text, url, body.get("biz_opaque_callback_data"), body)
        )
        return Reply(200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": wamid, "message_status": "accepted"}],
        })  # fmt: skip
