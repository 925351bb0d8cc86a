"""Twilio Voice and Slack: the account's list of calls through the voice adapter's SDK client
(nothing is dialled), and Slack's ``auth.test`` through the alert adapter."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from recoup.doctor.base import (
    ONE_TRY,
    PROBE_TIMEOUT,
    Check,
    host_of,
    network,
    not_probed,
    probed,
    public,
)
from recoup.domain.errors import PermanentPortError
from recoup.settings import Settings

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
TWILIO_KEYS = "Twilio Console > Account Info: Account SID and Auth Token"
TWILIO_NUMBER = "Twilio Console > Phone Numbers > Manage > Active numbers"
SLACK_WHERE = "api.slack.com/apps > your app > OAuth & Permissions > Bot User OAuth Token"


def check_twilio_voice(s: Settings, probe: bool) -> list[Check]:
    name, sid, token, caller = "twilio voice", s.twilio_account_sid, s.twilio_auth_token, \
        s.twilio_from_number  # fmt: skip
    if not caller or not sid or token is None:
        keys = f"RECOUP_TWILIO_ACCOUNT_SID, RECOUP_TWILIO_AUTH_TOKEN ({TWILIO_KEYS}) and "
        wanted = "" if sid and token else keys
        why = f"calls simulated: set {wanted}RECOUP_TWILIO_FROM_NUMBER ({TWILIO_NUMBER})"
        return [Check(name, "off", why)]
    if not sid.startswith("AC"):
        why = f"must start with AC ({TWILIO_KEYS}; an API key SID, SK..., cannot be used)"
        return [Check(name, "invalid", f"RECOUP_TWILIO_ACCOUNT_SID {why}")]
    if not E164.match(caller):
        why = f"must be E.164, like +14155550100 ({TWILIO_NUMBER})"
        return [Check(name, "invalid", f"RECOUP_TWILIO_FROM_NUMBER {why}")]
    if not probe:
        return [not_probed(name)]
    base = s.twilio_api_base or "https://api.twilio.com"

    def read() -> str:
        from recoup.adapters.twilio.client import TwilioVoice

        voice = TwilioVoice(
            sid,
            token,
            caller,
            public_base_url=s.public_base_url,
            base_url=base,
            http_timeout=PROBE_TIMEOUT,
            backoff=ONE_TRY,
        )
        try:
            voice.recent_calls(caller, datetime.now(UTC))
        except PermanentPortError as exc:
            # The SDK's list() reports a 4xx as "Unable to fetch page", which the adapter can
            # only render as "HTTP 0": say what was refused instead of echoing that.
            said = "" if "HTTP 0" in str(exc) else f" ({exc})"
            raise PermanentPortError(f"Twilio refused reading account {sid}'s calls{said}") from exc
        found = f"{host_of(base)} accepted account {sid} (calls readable)"
        if s.human_transfer_number:
            return found
        return (
            f"{found}; RECOUP_HUMAN_TRANSFER_NUMBER is not set, so a customer who asks for a "
            "person is promised a callback"
        )

    refused = f"check RECOUP_TWILIO_ACCOUNT_SID and RECOUP_TWILIO_AUTH_TOKEN ({TWILIO_KEYS})"
    return [probed(name, read, refused, network("RECOUP_TWILIO_API_BASE", base))]


def check_slack(s: Settings, probe: bool) -> list[Check]:
    if s.slack_bot_token is None:
        why = (
            f"alerts simulated: set RECOUP_SLACK_BOT_TOKEN ({SLACK_WHERE}, xoxb-...), "
            "RECOUP_SLACK_SIGNING_SECRET and RECOUP_SLACK_DEFAULT_CHANNEL "
            "(docs/integrations/slack.md)"
        )
        return [Check("slack", "off", why)]
    rows = []
    channels = [c for c in [s.slack_default_channel, *s.slack_channels.values()] if c]
    if any(not CHANNEL_ID.match(c) for c in channels):
        why = (
            "RECOUP_SLACK_DEFAULT_CHANNEL and RECOUP_SLACK_CHANNELS want channel IDs "
            "(C0123ABCD, at the bottom of the channel's details), not names"
        )
        rows.append(Check("slack", "warn", why))
    if not probe:
        return [not_probed("slack"), *rows]
    token = s.slack_bot_token

    def read() -> str:
        from recoup.adapters.slack.client import SlackAlerts

        slack = SlackAlerts(
            token,
            base_url=s.slack_api_base,
            channels=s.slack_channels,
            default_channel=s.slack_default_channel,
            backoff=ONE_TRY,
            timeout=int(PROBE_TIMEOUT),
        )
        buttons = public(s, "/webhooks/slack/interactive")
        return f"auth.test: {slack.check()}; buttons post to {buttons}"

    refused = f"check RECOUP_SLACK_BOT_TOKEN ({SLACK_WHERE})"
    check = probed("slack", read, refused, network("RECOUP_SLACK_API_BASE", s.slack_api_base))
    return [check, *rows]
