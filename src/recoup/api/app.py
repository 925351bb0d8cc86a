"""The FastAPI application factory: routes over an already-wired runtime."""

from __future__ import annotations

from fastapi import FastAPI

from recoup import __version__
from recoup.api import cases, links, webhooks
from recoup.settings import Settings
from recoup.workflows.runtime import Runtime


def create_app(settings: Settings, runtime: Runtime) -> FastAPI:
    """An app serving webhooks, tracked links and the JSON API over ``runtime``."""
    app = FastAPI(title="Recoup", version=__version__)
    app.state.settings = settings
    app.state.runtime = runtime
    app.include_router(webhooks.router)
    app.include_router(links.router)
    app.include_router(cases.router)
    _vendor_routes(app, settings, runtime)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _vendor_routes(app: FastAPI, settings: Settings, runtime: Runtime) -> None:
    """The inbound endpoints of the vendors that are switched on."""
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
