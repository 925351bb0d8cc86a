"""``/webhooks/twilio/voice/{call_id}`` and ``/webhooks/twilio/status/{call_id}``.

Twilio requests the voice URL when the call is answered and after each spoken reply, and
answers come back as TwiML; it posts progress to the status URL. Every request's
``X-Twilio-Signature`` is checked against the public URL and the form before anything is
read: a bad one gets 403 and changes nothing. The handlers are thin: the conversation lives in
``adapters/twilio/conversation.py``.

When a call has ended, its disposition is handed to ``on_disposition(call_id, disposition)``
after the database commit, on that request and on any later one for the call (the completed
status callback follows the agent's goodbye), so delivery is at least once: make the callback
idempotent (``DBOS.send`` with ``idempotency_key`` = the call ID). A failing callback does
not fail the webhook (the customer may still be on the line); the disposition is on the row
for the workflow to collect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from recoup.adapters.twilio.conversation import VoiceConversations
from recoup.adapters.twilio.signature import SIGNATURE_HEADER, TwilioSignature
from recoup.domain.errors import SignatureError, UnknownRecordError
from recoup.domain.models import Disposition

__all__ = ["OnDisposition", "voice_router"]

log = logging.getLogger(__name__)
OnDisposition = Callable[[str, Disposition], None]
_XML = "application/xml"


async def _verified_form(request: Request, signature: TwilioSignature) -> dict[str, str]:
    """The request's form, once its signature is good; 403 otherwise. The body is parsed
    here (Twilio posts ``application/x-www-form-urlencoded``) to sign exactly what came."""
    pairs = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    url = signature.public_url(raw_path.decode("latin-1"), request.url.query)
    try:
        signature.verify(url, pairs, request.headers.get(SIGNATURE_HEADER))
    except SignatureError as exc:
        log.warning("Twilio webhook refused: %s", exc)
        raise HTTPException(status_code=403, detail="invalid Twilio signature") from exc
    return dict(pairs)


def _hand_over(on_disposition: OnDisposition, call_id: str, d: Disposition | None) -> None:
    if d is None:
        return
    try:
        on_disposition(call_id, d)
    except Exception:  # the disposition is stored; the workflow collects it on its own
        log.exception("handing over the disposition of %s failed", call_id)


def _turn(request: Request) -> int | None:
    raw = request.query_params.get("turn")
    return int(raw) if raw and raw.isdigit() else None


def voice_router(
    conversations: VoiceConversations,
    signature: TwilioSignature,
    on_disposition: OnDisposition,
) -> APIRouter:
    """The Twilio Voice webhooks over ``conversations``, checked with ``signature``."""
    router = APIRouter()

    @router.post("/webhooks/twilio/voice/{call_id}", response_class=Response)
    async def voice(call_id: str, request: Request) -> Response:
        """The next TwiML: the greeting or voicemail, or the answer to a spoken reply."""
        form = await _verified_form(request, signature)
        answer = await run_in_threadpool(conversations.answer, call_id, form, _turn(request))
        if not answer.known:
            log.warning("Twilio asked for TwiML for unknown call %s: hanging up", call_id)
        await run_in_threadpool(_hand_over, on_disposition, call_id, answer.ended)
        return Response(answer.twiml, media_type=_XML)

    @router.post("/webhooks/twilio/status/{call_id}", response_class=Response)
    async def status(call_id: str, request: Request) -> Response:
        """A progress report; a final one ends the call and hands its disposition over."""
        form = await _verified_form(request, signature)
        try:
            ended = await run_in_threadpool(conversations.status, call_id, form)
        except UnknownRecordError as exc:
            raise HTTPException(status_code=404, detail="unknown call") from exc
        await run_in_threadpool(_hand_over, on_disposition, call_id, ended)
        return Response(status_code=204)

    return router
