"""The telephony port over Twilio: dial at most once per call ID, then collect how it ended.

Twilio cannot answer ``place_call`` synchronously: the call happens over webhooks, possibly
served by other replicas. So the work is split in two, for a workflow that dials in one step
and waits durably for the disposition (``start``, then ``collect``), and ``place_call`` joins
them for the port by polling the database, which any replica's webhooks write to.

Dialling twice for one call ID is prevented in three layers. The intent is recorded first (a
``voice_calls`` row in state ``dialing``). Before any second attempt, whether a retry inside
this step or a re-run of the step after a crash, the call is looked for: in our row, where the
``initiated`` status callback records the CallSid under the call ID from its URL, then in
Twilio's records of calls from our number to that number since the intent, less those already
claimed by other call IDs. (Twilio's call resource does not echo the webhook URL, so the
number, the time and the claimed set are what identify the call there.) Only when neither
knows it is the call placed again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from recoup.adapters.retry import Backoff, with_retries
from recoup.adapters.twilio.client import TwilioVoice
from recoup.adapters.twilio.conversation import VoiceConversations
from recoup.adapters.twilio.mapping import TERMINAL
from recoup.domain.errors import PermanentPortError, TransientPortError
from recoup.domain.models import CallRequest, Disposition
from recoup.store.tables import VoiceCallRow
from recoup.store.voice_calls import claimed_sids, locked, record_intent

__all__ = ["TwilioTelephony"]

log = logging.getLogger(__name__)


class TwilioTelephony:
    """``TelephonyPort`` over Twilio, with its calls' state in ``voice_calls``."""

    def __init__(
        self,
        voice: TwilioVoice,
        conversations: VoiceConversations,
        *,
        backoff: Backoff | None = None,
        poll_seconds: float = 2.0,
        reconcile_seconds: float = 60.0,
        max_call_seconds: float = 1800.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._voice = voice
        self._calls = conversations
        self._db = conversations.db
        self._backoff = backoff or Backoff()
        self._poll = poll_seconds
        self._reconcile = reconcile_seconds
        self._max = max_call_seconds
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall = wall

    @property
    def conversations(self) -> VoiceConversations:
        """The calls' webhook side, which the app serves."""
        return self._calls

    def place_call(self, request: CallRequest) -> Disposition:
        """Dial once per call ID and wait for the call to end. A repeated ID, after a crash or
        not, joins the first call: its stored disposition, or the wait for it."""
        self.start(request)
        started = next_check = self._monotonic()
        while True:
            found = self._calls.disposition(request.call_id)
            if found is not None:
                return found
            now = self._monotonic()
            if now >= next_check:
                found = self.collect(request.call_id)
                if found is not None:
                    return found
                next_check = now + self._reconcile
            if now - started > self._max:
                raise TransientPortError(f"call {request.call_id} still in progress")
            self._sleep(self._poll)

    def start(self, request: CallRequest) -> str:
        """Record the intent, then dial unless the call was placed already; its CallSid."""
        to = request.case.account.phone
        if not to:
            raise PermanentPortError(f"call {request.call_id}: the account has no phone number")
        with self._db.session() as s:
            first = record_intent(s, request, self._wall())
        look_first = not first

        def attempt() -> str:
            nonlocal look_first
            found = self._find(request.call_id, to) if look_first else None
            look_first = True  # whatever happens next, a retry looks before dialing
            return found or self._voice.dial(request.call_id, to)

        sid = self._known_sid(request.call_id) or with_retries(attempt, self._backoff, self._sleep)
        self._claim(request.call_id, sid)
        return sid

    def collect(self, call_id: str) -> Disposition | None:
        """How the call ended: the stored disposition, or, when a status callback was lost,
        the one Twilio's own status for the call implies. None while it is in progress."""
        found = self._calls.disposition(call_id)
        sid = self._known_sid(call_id)
        if found is not None or sid is None:
            return found
        status = self._voice.status(sid)
        if status not in TERMINAL:
            return None
        log.info("call %s: status %s collected from Twilio", call_id, status)
        return self._calls.status(call_id, {"CallSid": sid, "CallStatus": status})

    # -- internals ----------------------------------------------------------------------------

    def _known_sid(self, call_id: str) -> str | None:
        with self._db.session() as s:
            row = s.get(VoiceCallRow, call_id)
            return None if row is None else row.call_sid

    def _find(self, call_id: str, to: str) -> str | None:
        """The call placed for ``call_id`` earlier, if any (see the module docstring)."""
        with self._db.session() as s:
            row = s.get(VoiceCallRow, call_id)
            assert row is not None
            sid, since = row.call_sid, row.dial_intent_at
        if sid:
            return sid
        candidates = self._voice.recent_calls(to, since)
        with self._db.session() as s:
            taken = claimed_sids(s, [c.sid for c in candidates])
        free = [c.sid for c in candidates if c.sid not in taken]
        if free:
            log.info("call %s: found the call placed before a crash; not dialing again", call_id)
        return free[0] if free else None

    def _claim(self, call_id: str, sid: str) -> None:
        with self._db.session() as s:
            row = locked(s, call_id)  # a webhook may be moving the call on meanwhile
            assert row is not None
            if row.call_sid is None:
                row.call_sid = sid
            if row.state == "dialing":
                row.state = "dialed"
            row.updated_at = self._wall()
