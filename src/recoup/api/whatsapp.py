"""WhatsApp webhooks: ``/webhooks/whatsapp/meta`` (GET handshake, POST messages) and
``/webhooks/whatsapp/twilio``. Verify, read, honour opt-outs, answer; nothing slow here.

A bad or missing signature gets 403 and changes nothing; so does a request to an endpoint
whose secret is not configured. A verified "STOP" opts the number's accounts out (the contact
policy then stops every later call) and signals their open cases to stop, which ends any wait
before a reminder. Replies that are not opt-outs are acknowledged and left alone.

The app factory builds the router from a :class:`WhatsAppInbound` holding the secrets (as
``api.slack.build_router`` takes Slack's), so this module does not read settings by name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

from recoup.adapters.whatsapp.inbound import (
    META_SIGNATURE_HEADER,
    TWILIO_SIGNATURE_HEADER,
    InboundMessage,
    meta_handshake,
    parse_meta,
    parse_twilio,
    verify_meta,
    verify_twilio,
)
from recoup.api.deps import RuntimeDep
from recoup.domain.errors import InputError, SignatureError
from recoup.store.opt_outs import record_opt_out
from recoup.workflows.runtime import Runtime

log = logging.getLogger(__name__)

META_PATH = "/webhooks/whatsapp/meta"
TWILIO_PATH = "/webhooks/whatsapp/twilio"
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@dataclass(frozen=True)
class WhatsAppInbound:
    """The inbound secrets; an endpoint whose secret is None refuses every request."""

    public_base_url: str
    meta_app_secret: SecretStr | None = None
    meta_verify_token: SecretStr | None = None
    twilio_auth_token: SecretStr | None = None


def _refuse(reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=403)


def honour(runtime: Runtime, messages: list[InboundMessage]) -> int:
    """Record each opt-out and signal its open cases to stop; how many opt-outs there were."""
    stops = [m for m in messages if m.is_opt_out]
    for message in stops:
        source = f"whatsapp:{message.provider}:{message.message_id}"
        with runtime.db.session() as s:
            result = record_opt_out(s, message.phone, runtime.clock.now(), source)
        for case_id in result.open_case_ids:
            _stop(runtime, case_id, f"{source}:stop")
    return len(stops)


def _stop(runtime: Runtime, case_id: str, key: str) -> None:
    """Signal the case to stop. The opt-out is already stored, so a case that cannot take the
    signal (its workflow gone) is logged, not retried: the contact policy stops it anyway."""
    try:
        runtime.dispatcher.signal(case_id, {"type": "stop", "reason": "opted_out"}, key)
    except Exception as exc:  # any dispatcher failure is logged the same way
        log.warning("opt-out: could not signal %s to stop (%s)", case_id, type(exc).__name__)


def build_router(inbound: WhatsAppInbound) -> APIRouter:
    """The three WhatsApp endpoints, verifying with ``inbound``'s secrets."""
    router = APIRouter()

    @router.get(META_PATH, response_model=None)
    def meta_verify(request: Request) -> Response:
        """Meta's subscription handshake: echo ``hub.challenge`` when the token matches."""
        if inbound.meta_verify_token is None:
            return _refuse("WhatsApp Cloud webhook is not configured")
        token = inbound.meta_verify_token.get_secret_value()
        try:
            return PlainTextResponse(meta_handshake(request.query_params, token))
        except InputError as exc:
            return _refuse(str(exc))

    @router.post(META_PATH, response_model=None)
    async def meta_webhook(request: Request, runtime: RuntimeDep) -> Any:
        """Messages and statuses from the Cloud API; opt-outs are honoured."""
        if inbound.meta_app_secret is None:
            return _refuse("WhatsApp Cloud webhook is not configured")
        body = await request.body()
        secret = inbound.meta_app_secret.get_secret_value()
        try:
            verify_meta(body, request.headers.get(META_SIGNATURE_HEADER), secret)
            messages = parse_meta(body)
        except InputError as exc:
            return _rejected(exc)
        opted_out = await run_in_threadpool(honour, runtime, messages)
        return {"received": len(messages), "opted_out": opted_out}

    @router.post(TWILIO_PATH, response_model=None)
    async def twilio_webhook(request: Request, runtime: RuntimeDep) -> Any:
        """A WhatsApp message through Twilio; answered with empty TwiML (no auto-reply)."""
        if inbound.twilio_auth_token is None:
            return _refuse("Twilio WhatsApp webhook is not configured")
        body = await request.body()  # parsed here: form parsing would need python-multipart
        params = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), True).items()}
        token = inbound.twilio_auth_token.get_secret_value()
        try:
            verify_twilio(_public_url(inbound, request), params,
                          request.headers.get(TWILIO_SIGNATURE_HEADER), token)  # fmt: skip
            messages = parse_twilio(params)
        except InputError as exc:
            return _rejected(exc)
        await run_in_threadpool(honour, runtime, messages)
        return Response(_EMPTY_TWIML, media_type="application/xml")

    return router


def _public_url(inbound: WhatsAppInbound, request: Request) -> str:
    """The URL Twilio signed: ours as the public sees it, not as a proxy handed it on."""
    url = inbound.public_base_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


def _rejected(exc: InputError) -> JSONResponse:
    """403 for a signature problem, 400 for a verified body we cannot read."""
    if isinstance(exc, SignatureError):
        return _refuse(str(exc))
    return JSONResponse({"error": str(exc)}, status_code=400)
