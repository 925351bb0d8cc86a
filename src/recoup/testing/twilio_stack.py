"""Recoup's Twilio Voice pieces assembled against the stand-in, for tests and local demos.

One object holds the stand-in API, the database, the webhook router in a small FastAPI app
with a ``TestClient`` on Recoup's public URL, and the adapter (``TwilioVoice`` under
``TwilioTelephony``) aimed at the stand-in through the official SDK. ``dispositions``
collects what the router hands to ``on_disposition``. ``carrier`` makes the stand-in play
each call it is asked to place (see ``twilio_replay.replay``), as a real carrier and customer
would, so ``place_call`` can be exercised whole.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from pydantic import SecretStr

from recoup.adapters.retry import Backoff
from recoup.adapters.twilio.client import TwilioVoice
from recoup.adapters.twilio.conversation import VoiceConversations, VoiceScript
from recoup.adapters.twilio.signature import TwilioSignature
from recoup.adapters.twilio.telephony import TwilioTelephony
from recoup.api.voice import voice_router
from recoup.domain.models import Disposition
from recoup.ports import ClockPort
from recoup.store.db import Database
from recoup.testing.twilio_api import StandInCall, TwilioApi
from recoup.testing.twilio_replay import Heard, replay

__all__ = ["FROM_NUMBER", "PUBLIC_URL", "TwilioStack"]

PUBLIC_URL = "https://recoup.example.test"
FROM_NUMBER = "+14155550100"

#: How the customer behind a number behaves: the replay's keyword arguments and replies.
Behaviour = tuple[Sequence[str | Heard | None], dict[str, Any]]


@dataclass
class TwilioStack:
    api: TwilioApi
    db: Database
    conversations: VoiceConversations
    signature: TwilioSignature
    app: FastAPI
    client: Any  # fastapi.testclient.TestClient
    voice: TwilioVoice
    telephony: TwilioTelephony
    dispositions: list[tuple[str, Disposition]] = field(default_factory=list)
    customers: dict[str, Behaviour] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        db: Database,
        clock: ClockPort,
        *,
        script: VoiceScript | None = None,
        sleep: Callable[[float], None] | None = None,
        http_timeout: float = 5.0,
    ) -> TwilioStack:
        """Everything wired; call ``close`` (or use ``with``) to stop the stand-in."""
        from fastapi.testclient import TestClient  # a test dependency (httpx2)

        api = TwilioApi().start()
        token = SecretStr(api.auth_token)
        conversations = VoiceConversations(db, clock, PUBLIC_URL, script or VoiceScript())
        signature = TwilioSignature(token, PUBLIC_URL)
        handed: list[tuple[str, Disposition]] = []
        app = FastAPI()
        app.include_router(
            voice_router(conversations, signature, lambda c, d: handed.append((c, d)))
        )
        fast = Backoff(base=0.001)  # Retry-After still honoured, up to 32 s
        nap = sleep or time.sleep
        voice = TwilioVoice(
            api.account_sid,
            token,
            FROM_NUMBER,
            public_base_url=PUBLIC_URL,
            base_url=api.url,
            http_timeout=http_timeout,
            backoff=fast,
            sleep=nap,
        )
        telephony = TwilioTelephony(
            voice,
            conversations,
            backoff=fast,
            poll_seconds=0.01,
            reconcile_seconds=0.5,
            max_call_seconds=30,
            sleep=nap,
        )
        client = TestClient(app, base_url=PUBLIC_URL)
        return cls(api, db, conversations, signature, app, client, voice, telephony, handed)

    def carrier(self) -> None:
        """Play every call placed from now on, as the customer registered for its number
        (``answer``) behaves; an unknown number rings out unanswered."""
        self.api.on_dial(self._play)

    def answer(self, phone: str, replies: Sequence[str | Heard | None] = (), **how: Any) -> None:
        """Register the customer behind ``phone``: ``replies``, and ``answered_by`` or
        ``status`` as ``replay`` takes them."""
        self.customers[phone] = (replies, how)

    def _play(self, call: StandInCall) -> None:
        replies, how = self.customers.get(call.to, ((), {"status": "no-answer"}))
        replay(self.client, self.api, call.sid, replies, **how)

    def close(self) -> None:
        self.api.on_dial(None)
        self.api.stop()

    def __enter__(self) -> TwilioStack:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
