"""The FastAPI application factory: routes over an already-wired runtime."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from recoup import __version__
from recoup.api import cases, links, webhooks
from recoup.console.pages import build_console
from recoup.domain.models import Disposition
from recoup.settings import Settings
from recoup.workflows.runtime import Runtime


def create_app(settings: Settings, runtime: Runtime) -> FastAPI:
    """An app serving webhooks, tracked links, the JSON API and the operator console over
    ``runtime``."""
    app = FastAPI(title="Recoup", version=__version__)
    app.state.settings = settings
    app.state.runtime = runtime
    app.include_router(webhooks.router)
    app.include_router(links.router)
    app.include_router(cases.router)
    _vendor_routes(app, settings, runtime)
    build_console(app, settings, runtime)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _vendor_routes(app: FastAPI, settings: Settings, runtime: Runtime) -> None:
    """The inbound endpoints of the vendors that are switched on."""
    from recoup.adapters.twilio.telephony import TwilioTelephony

    if isinstance(runtime.telephony, TwilioTelephony) and settings.twilio_auth_token is not None:
        from recoup.adapters.twilio.signature import TwilioSignature
        from recoup.api.voice import voice_router

        signature = TwilioSignature(settings.twilio_auth_token, settings.public_base_url)
        app.include_router(voice_router(runtime.telephony.conversations, signature,
                                        _call_ended(runtime)))  # fmt: skip
    if settings.whatsapp != "fake":
        from recoup.api import whatsapp

        app.include_router(whatsapp.build_router(whatsapp.WhatsAppInbound(
            settings.public_base_url, settings.whatsapp_app_secret,
            settings.whatsapp_verify_token,
            settings.twilio_auth_token if settings.whatsapp == "twilio" else None,
        )))  # fmt: skip
    if settings.slack_signing_secret is not None and settings.slack_bot_token is not None:
        from recoup.adapters.slack.client import SlackAlerts
        from recoup.api import slack

        if isinstance(runtime.alerts, SlackAlerts):
            app.include_router(slack.build_router(settings.slack_signing_secret, runtime.alerts))


def _call_ended(runtime: Runtime) -> Callable[[str, Disposition], None]:
    """Tell the waiting case workflow that a call ended; the stored disposition is read by
    its own step, so only the call ID travels. Once per call, however often Twilio calls."""
    from recoup.workflows.steps_call import call_topic

    def notify(call_id: str, _: Disposition) -> None:
        case_id = call_id.rsplit(":call-", 1)[0]
        message = {"type": "call_ended", "call_id": call_id}
        runtime.dispatcher.signal(
            case_id, message, key=f"call-ended:{call_id}", topic=call_topic(call_id)
        )

    return notify
