"""``POST /webhooks/stripe``: verify, record, enqueue, answer. Nothing slow happens here.

The raw body is verified with Stripe's SDK before it is parsed; a bad or stale signature, a
malformed body or an unreadable event gets 400 and nothing is stored. A re-delivered event is
acknowledged with 200 and changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from recoup.adapters.stripe.mapping import event_to_trigger
from recoup.adapters.stripe.webhook import SIGNATURE_HEADER, verify_and_parse
from recoup.api.deps import RuntimeDep, SettingsDep
from recoup.domain.errors import InputError
from recoup.workflows.ingest import ingest

router = APIRouter()


@router.post("/webhooks/stripe", response_model=None)
async def stripe_webhook(request: Request, runtime: RuntimeDep, settings: SettingsDep) -> Any:
    """Record a Stripe event and start or signal its case."""
    body = await request.body()
    secret = settings.stripe_webhook_secret.get_secret_value()
    try:
        event = verify_and_parse(body, request.headers.get(SIGNATURE_HEADER), secret)
        trigger = event_to_trigger(event)
    except InputError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    result = await run_in_threadpool(ingest, runtime, trigger, event)
    return {"received": True, "status": result.status, "case_id": result.case_id}
