"""``POST /webhooks/slack/interactive``: the "Take it" and "Mark resolved" buttons on alerts.

Order matters: the raw body is verified with Slack's signing secret before it is parsed, so a
forged or replayed click (bad signature, or a timestamp over five minutes old) gets 403 and
changes nothing. A verified click updates the review queue in one transaction; a resolve also
signals the case's workflow, as ``POST /api/review/{key}`` does. The Slack message is rewritten
afterwards, in the background, so Slack gets its 200 well within its three seconds; a failure
there is logged and leaves the queue as it is.

The router is built by :func:`build_router` with the signing secret and the Slack adapter,
because only the wiring knows whether Slack is configured.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.responses import JSONResponse
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

from recoup.adapters.slack import interactive
from recoup.adapters.slack.blocks import MessageRef
from recoup.adapters.slack.interactive import ReviewAction
from recoup.api.deps import RuntimeDep
from recoup.domain.errors import PayloadError, PortError, SignatureError, UnknownRecordError
from recoup.store import review_actions
from recoup.workflows.runtime import Runtime

__all__ = ["PATH", "MessageUpdater", "build_router"]

log = logging.getLogger(__name__)

PATH = "/webhooks/slack/interactive"


class MessageUpdater(Protocol):
    """What the route needs of the Slack adapter (``SlackAlerts``) after a click."""

    def show_action(
        self, ref: MessageRef, alert_key: str, case_id: str, status: str, done: bool
    ) -> None: ...


def build_router(
    signing_secret: SecretStr, slack: MessageUpdater, now: Callable[[], float] = time.time
) -> APIRouter:
    """The interactive endpoint, verifying with ``signing_secret`` and updating via ``slack``."""
    router = APIRouter()

    @router.post(PATH, response_model=None)
    async def slack_interactive(
        request: Request, runtime: RuntimeDep, background: BackgroundTasks
    ) -> Response:
        """Verify the click, apply it to the review queue, then show it on the message."""
        body = await request.body()
        try:
            interactive.verify(body, request.headers, signing_secret, now)
        except SignatureError as exc:
            return JSONResponse({"error": str(exc)}, status_code=403)
        try:
            action = interactive.parse_action(body)
        except PayloadError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if action is None:
            return Response(status_code=200)
        try:
            await run_in_threadpool(apply, runtime, action)
        except UnknownRecordError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        background.add_task(show, slack, action)
        return Response(status_code=200)

    return router


def apply(runtime: Runtime, action: ReviewAction) -> list[str]:
    """Record the click in the review queue; a resolve wakes the waiting workflow."""
    actor = review_actions.Actor(ref=f"slack:{action.user_id}", name=action.user_name)
    at = runtime.clock.now()
    with runtime.db.session() as s:
        if action.kind == "take":
            return review_actions.take(s, action.case_id, action.alert_key, actor, at)
        resolved = review_actions.resolve(s, action.case_id, action.alert_key, actor, at)
    for key in resolved:
        runtime.dispatcher.signal(
            action.case_id, {"type": "review", "decision": "resolved", "key": key}, f"review:{key}"
        )
    return resolved


def show(slack: MessageUpdater, action: ReviewAction) -> None:
    """Rewrite the alert to say who took or resolved it; a Slack failure is only logged."""
    verb = "Taken" if action.kind == "take" else "Resolved"
    status = f"{verb} by <@{action.user_id}>" if action.user_id else f"{verb} by {action.user_name}"
    try:
        slack.show_action(
            action.message, action.alert_key, action.case_id, status, done=action.kind == "resolve"
        )
    except PortError as exc:
        log.warning("slack: could not update alert %s: %s", action.alert_key, exc)
