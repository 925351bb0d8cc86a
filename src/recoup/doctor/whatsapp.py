"""WhatsApp, by Meta's Cloud API or Twilio: one GET each, with the credentials a send needs,
and whether the inbound webhook (where "STOP" arrives) can accept anything.

Why httpx and not the adapters: neither sender adapter has a read. The Cloud API's phone
number object (``GET /{version}/{phone-number-id}``) and Twilio's list of messages (one row)
are the cheapest reads that prove the token, the ID and the account.
"""

from __future__ import annotations

from typing import Any

import httpx

from recoup.doctor.base import PROBE_TIMEOUT, Check, host_of, network, not_probed, probed, public
from recoup.domain.errors import PermanentPortError, TransientPortError
from recoup.settings import Settings

META_WHERE = (
    "a system user's permanent token: Business settings > Users > System users > Generate "
    "new token, with whatsapp_business_messaging and whatsapp_business_management"
)
TWILIO_KEYS = "Twilio Console > Account Info"


def check_whatsapp(s: Settings, probe: bool) -> list[Check]:
    if s.whatsapp == "fake":
        why = (
            "WhatsApp simulated: set RECOUP_WHATSAPP=cloud (with RECOUP_WHATSAPP_ACCESS_TOKEN "
            "and RECOUP_WHATSAPP_PHONE_NUMBER_ID) or RECOUP_WHATSAPP=twilio (with "
            "RECOUP_TWILIO_WHATSAPP_FROM), docs/integrations/whatsapp.md"
        )
        return [Check("whatsapp", "off", why)]
    name = f"whatsapp: {s.whatsapp}"
    rows = [_inbound(s)]
    if not probe:
        return [not_probed(name), *rows]
    if s.whatsapp == "cloud":
        reach = network("RECOUP_WHATSAPP_API_BASE", s.whatsapp_api_base)
        check = probed(name, lambda: _cloud(s), "check RECOUP_WHATSAPP_ACCESS_TOKEN", reach)
    else:
        base = s.twilio_api_base or "https://api.twilio.com"
        refused = f"check RECOUP_TWILIO_ACCOUNT_SID and RECOUP_TWILIO_AUTH_TOKEN ({TWILIO_KEYS})"
        check = probed(
            name, lambda: _twilio(s, base), refused, network("RECOUP_TWILIO_API_BASE", base)
        )
    return [check, *rows]


def _inbound(s: Settings) -> Check:
    """Opt-outs arrive on the inbound webhook: is it configured to accept them?"""
    name = f"whatsapp: {s.whatsapp} webhook"
    if s.whatsapp == "twilio":
        hook = public(s, "/webhooks/whatsapp/twilio")
        return Check(name, "ok", f"set the sender's 'A message comes in' to {hook} (POST)")
    hook = public(s, "/webhooks/whatsapp/meta")
    secrets = {"RECOUP_WHATSAPP_APP_SECRET": s.whatsapp_app_secret,
               "RECOUP_WHATSAPP_VERIFY_TOKEN": s.whatsapp_verify_token}  # fmt: skip
    unset = [name for name, value in secrets.items() if not (value and value.get_secret_value())]
    if unset:
        why = (
            f"{' and '.join(unset)} not set (or empty): {hook} cannot verify Meta's requests, "
            "so STOP replies are refused or unverified (App settings > Basic > App secret; "
            "the verify token is any random string, the same in WhatsApp > Configuration > "
            "Webhook)"
        )
        return Check(name, "warn", why)
    return Check(name, "ok", f"Meta calls {hook}, subscribed to messages (WhatsApp > "
                 "Configuration > Webhook)")  # fmt: skip


def _get(url: str, **options: Any) -> httpx.Response:
    try:
        return httpx.get(url, timeout=PROBE_TIMEOUT, **options)
    except httpx.HTTPError as exc:
        raise TransientPortError(f"{host_of(url)} unreachable ({type(exc).__name__})") from exc


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _cloud(s: Settings) -> str:
    """The phone number object: the token is valid and can see this number."""
    assert s.whatsapp_access_token is not None
    pnid, base = s.whatsapp_phone_number_id, s.whatsapp_api_base.rstrip("/")
    bearer = {"Authorization": f"Bearer {s.whatsapp_access_token.get_secret_value()}"}
    url = f"{base}/{s.whatsapp_api_version}/{pnid}"
    response = _get(url, params={"fields": "verified_name"}, headers=bearer)
    status, body = response.status_code, _body(response)
    if status == 200:
        label = body.get("verified_name") or "no verified name yet"
        template = f"{s.whatsapp_template} ({s.whatsapp_template_language})"
        return f"phone number ID {pnid} ({label}) readable; template {template} must be approved"
    if status == 429 or status >= 500:
        raise TransientPortError(f"Meta's Graph API answered {status}")
    found = body.get("error")
    error: dict[str, Any] = found if isinstance(found, dict) else {}
    code = error.get("code")
    said = f"HTTP {status}, code {code}"
    if status == 401 or code == 190:
        raise PermanentPortError(
            f"Meta refused RECOUP_WHATSAPP_ACCESS_TOKEN ({said}): use {META_WHERE}"
        )
    if status == 404 or code == 100:
        raise PermanentPortError(
            f"Meta has no phone number ID {pnid} this token can read ({said}): copy "
            "RECOUP_WHATSAPP_PHONE_NUMBER_ID from WhatsApp > API Setup (the ID, not the number) "
            "and give the system user the WhatsApp account as an asset"
        )
    message = str(error.get("message") or "")[:200]
    raise PermanentPortError(f"Meta refused reading the phone number ({said}): {message}")


def _twilio(s: Settings, base: str) -> str:
    """One row of the account's messages: the SID and token are accepted."""
    assert s.twilio_auth_token is not None
    sid = s.twilio_account_sid or ""
    url = f"{base.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
    auth = (sid, s.twilio_auth_token.get_secret_value())
    response = _get(url, params={"PageSize": 1}, auth=auth)
    status = response.status_code
    if status == 200:
        return f"{host_of(base)} accepted account {sid}; sender whatsapp:{s.twilio_whatsapp_from}"
    if status == 429 or status >= 500:
        raise TransientPortError(f"Twilio answered {status}")
    code = _body(response).get("code")
    raise PermanentPortError(f"Twilio refused account {sid} (HTTP {status}, code {code})")
