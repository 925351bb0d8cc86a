"""Sign-in and sign-out pages; ``/`` sends a person to the dashboard.

The password checks, the session, the throttle and the login form's double-submit token all
live in :mod:`recoup.console.security`; this module only draws the form and moves between
pages.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from recoup.console import security
from recoup.console.security import SignedInDep
from recoup.console.web import redirect, render


def _login_form(
    templates: Jinja2Templates, request: Request, next_path: str, error: str = "",
    email: str = "", status_code: int = 200,
) -> Response:  # fmt: skip
    """The form with a fresh double-submit token: the hidden field and the cookie agree."""
    scratch = Response()
    token = security.new_login_csrf(scratch, security.secure_cookies(request))
    response = render(
        templates, request, "login.html", None, status_code=status_code,
        next_path=security.safe_next(next_path), error=error, email=email, login_csrf=token,
    )  # fmt: skip
    response.raw_headers.extend(h for h in scratch.raw_headers if h[0] == b"set-cookie")
    return response


def build_router(templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def home() -> RedirectResponse:
        return RedirectResponse("/dashboard", status_code=303)

    @router.get("/login")
    def login_page(request: Request, next: str = "/dashboard") -> Response:
        """The sign-in form; a person already signed in goes straight on."""
        if request.cookies.get(security.COOKIE):
            try:
                security.signed_in(request)
                return RedirectResponse(security.safe_next(next), status_code=303)
            except security.NeedsSignIn:
                pass
        return _login_form(templates, request, next)

    @router.post("/login")
    def login(
        request: Request,
        email: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/dashboard",
    ) -> Response:
        security.check_login_csrf(request, csrf_token)
        try:
            token = security.sign_in(request, email, password)
        except security.SignInError as exc:
            return _login_form(templates, request, next, str(exc), email, status_code=401)
        response = RedirectResponse(security.safe_next(next), status_code=303)
        security.set_session_cookie(response, token, security.secure_cookies(request))
        response.delete_cookie(security.LOGIN_CSRF_COOKIE, path="/")
        return response

    @router.post("/logout")
    def logout(
        request: Request, signed: SignedInDep, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        security.check_csrf(signed, csrf_token)
        response = redirect("/login", "You are signed out.")
        security.sign_out(request, response)
        return response

    return router
