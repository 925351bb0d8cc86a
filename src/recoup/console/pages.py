"""The operator console mounted on the API app: pages, static assets, headers, error pages.

``build_console`` is called by :func:`recoup.api.app.create_app`. Templates and assets are
read from this package's directory (``templates/``, ``static/``), so an installed wheel
serves the console with no build step and no CDN. Every page except ``/login`` needs a
session (:data:`recoup.console.security.SignedInDep`); every form post checks the session's
CSRF token; roles are checked with ``require(action)``.

Console responses carry a strict Content-Security-Policy: scripts only from this site (the
chart data travels as a ``application/json`` block, which is data, not script), no inline
styles, no framing. The JSON API, webhooks and tracked links are left as they were.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recoup.console import (
    pages_auth,
    pages_cases,
    pages_dashboard,
    pages_playbook,
    pages_queue,
    security,
)
from recoup.console.destinations import SimRecords
from recoup.console.web import STATIC_DIR, make_templates, render
from recoup.settings import Settings
from recoup.workflows.runtime import Runtime

STATIC_PATH = "/console-static"
#: Paths the console owns: everything else (/api, /webhooks, /l/, vendor routes) is not ours.
CONSOLE_PREFIXES = ("/login", "/logout", "/dashboard", "/queue", "/review/", "/cases",
                    "/playbook", "/sim/", STATIC_PATH + "/")  # fmt: skip
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
)


def is_console_path(path: str) -> bool:
    return path == "/" or path.startswith(CONSOLE_PREFIXES)


class ConsoleHeaders:
    """Adds the security headers to every console response (pages, redirects, errors and
    assets alike), and ``Cache-Control: no-store`` to pages: they show customer data, which
    a shared computer's browser cache should not keep. A plain ASGI middleware, so streamed
    responses pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not is_console_path(path):
            await self.app(scope, receive, send)
            return
        static = path.startswith(STATIC_PATH + "/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def build_console(app: FastAPI, settings: Settings, runtime: Runtime) -> None:
    """Mount the console's pages, assets, headers and error pages on ``app``."""
    templates = make_templates()
    sims = SimRecords.build(settings, runtime)
    security.install(app)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="console-static")
    app.include_router(pages_auth.build_router(templates))
    app.include_router(pages_dashboard.build_router(templates))
    app.include_router(pages_queue.build_router(templates))
    app.include_router(pages_cases.build_router(templates, sims))
    app.include_router(pages_playbook.build_router(templates))
    app.add_middleware(ConsoleHeaders)
    install_error_pages(app, templates)


def _wants_page(request: Request) -> bool:
    """A person's browser on a console page, rather than the JSON API or a script."""
    return is_console_path(request.url.path) and "text/html" in request.headers.get("accept", "")


def install_error_pages(app: FastAPI, templates: Jinja2Templates) -> None:
    """Console pages answer errors with a page a person can read (and a way back); the JSON
    API keeps FastAPI's JSON errors."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not _wants_page(request):
            return await http_exception_handler(request, exc)
        signed: Any = getattr(request.state, "signed_in", None)
        return render(templates, request, "error.html", signed, status_code=exc.status_code,
                      code=exc.status_code, detail=exc.detail)  # fmt: skip

    async def invalid(request: Request, exc: Exception) -> Response:
        """A query a person typed out of range (``days=400``) gets a page saying so."""
        assert isinstance(exc, RequestValidationError)
        if not _wants_page(request):
            return await request_validation_exception_handler(request, exc)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'input'}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        signed: Any = getattr(request.state, "signed_in", None)
        return render(templates, request, "error.html", signed, status_code=422, code=422,
                      detail=problems)  # fmt: skip

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
