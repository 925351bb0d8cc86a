"""A phone call as a loop of Twilio webhooks: each request answered with the next TwiML.

Nothing about a call is kept in memory between requests. Each webhook locks the call's row in
``voice_calls``, rebuilds the dialog by replaying the replies understood so far
(``recoup.agent.resume``), lets it hear the new reply, stores what it understood (redacted)
and the TwiML it answered, and commits. Any replica can therefore serve any turn, and a
request Twilio delivers twice is answered from the stored TwiML instead of being heard twice:
the Gather action URL numbers each reply (``?turn=N``).

The recogniser's own doubt counts: a ``Confidence`` under ``stt_floor`` caps the reading's
confidence there, under the dialog's ``CONFIDENCE_FLOOR``, so the dialog asks again or ends
in review, as it does for any reply it is unsure of.

A call ends in one of three ways, each leaving a redacted ``Disposition`` on the row: the
dialog closes it (the closing TwiML hangs up or puts the customer through to a person), a
status callback says nobody took part (busy, no-answer, failed, canceled), or Twilio reports
``completed`` while the dialog was still talking (the customer hung up).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from recoup.adapters.twilio import twiml
from recoup.adapters.twilio.mapping import UNANSWERED, pickup_for, stt_confidence, unanswered
from recoup.adapters.twilio.urls import voice_url
from recoup.agent.dialog import Dialog
from recoup.agent.flow import CONFIDENCE_FLOOR, AgentTurn
from recoup.agent.redact import redact
from recoup.agent.resume import dump_understanding, load_understanding, replay
from recoup.agent.understand import Understanding
from recoup.domain.errors import UnknownRecordError
from recoup.domain.models import (
    Disposition,
    EscalationReason,
    TranscriptTurn,
    jsonable,
)
from recoup.ports import ClockPort
from recoup.store.db import Database
from recoup.store.tables import VoiceCallRow
from recoup.store.voice_calls import disposition_of, locked, request_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceScript:
    """How calls sound, where a person is reached, and how much recognition doubt is fine."""

    voice: str = "Polly.Joanna"
    human_number: str | None = None
    caller_id: str | None = None
    stt_floor: float = 0.5
    dial_timeout: int = 25

    def __post_init__(self) -> None:
        if not 0.0 <= self.stt_floor <= CONFIDENCE_FLOOR:
            raise ValueError(f"stt_floor must be within 0..{CONFIDENCE_FLOOR} (the dialog's)")


@dataclass(frozen=True)
class Answer:
    """The TwiML for Twilio, and the disposition once the call has ended."""

    twiml: str
    ended: Disposition | None = None
    known: bool = True


@dataclass
class VoiceConversations:
    """Serves the voice and status webhooks of every call, over the ``voice_calls`` table."""

    db: Database
    clock: ClockPort
    public_base_url: str
    script: VoiceScript = field(default_factory=VoiceScript)
    wall: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def answer(self, call_id: str, form: Mapping[str, str], turn: int | None) -> Answer:
        """The TwiML for a voice webhook: the greeting (no ``turn``) or the reply ``turn``."""
        with self.db.session() as s:
            row = locked(s, call_id)
            if row is None:
                return Answer(twiml.hang_up(None, self._speech(None)), known=False)
            self._note(row, form)
            if row.state == "ended":
                return Answer(self._last(row), disposition_of(row))
            if row.pickup is None:
                return self._open(row, form.get("AnsweredBy"))
            if turn is None or turn <= row.turn:
                return Answer(self._last(row))  # delivered again: already answered
            return self._hear(row, form.get("SpeechResult"), form.get("Confidence"))

    def status(self, call_id: str, form: Mapping[str, str]) -> Disposition | None:
        """Apply a status callback; the disposition once the call has ended."""
        with self.db.session() as s:
            row = locked(s, call_id)
            if row is None:
                raise UnknownRecordError(f"no voice call {call_id!r}")
            self._note(row, form)
            if row.state == "ended":
                return disposition_of(row)
            status = form.get("CallStatus", "")
            if status in UNANSWERED:
                return self._end(row, unanswered(request_of(row), status), None).ended
            if status != "completed":
                return None
            if row.pickup is None:
                return self._end(row, unanswered(request_of(row), "hung_up_early"), None).ended
            dialog = self._resume(row)
            dialog.hang_up()
            return self._end(row, dialog.disposition(), None, dialog).ended

    def disposition(self, call_id: str) -> Disposition | None:
        """How the call ended, once it has."""
        with self.db.session() as s:
            row = s.get(VoiceCallRow, call_id)
            return None if row is None else disposition_of(row)

    # -- turns --------------------------------------------------------------------------------

    def _open(self, row: VoiceCallRow, answered_by: str | None) -> Answer:
        pickup = pickup_for(answered_by)
        if pickup == "fax":
            return self._end(row, unanswered(request_of(row), "fax"), None)
        now = self.clock.now()
        row.pickup, row.dialog_now, row.state = pickup, now, "answered"
        dialog = Dialog(request_of(row), now)
        return self._reply(row, dialog, dialog.open(pickup))

    def _hear(self, row: VoiceCallRow, said: str | None, confidence: str | None) -> Answer:
        dialog = self._resume(row)
        u = _weigh(dialog.read(said), stt_confidence(confidence), self.script.stt_floor)
        turn = dialog.respond(u)
        row.heard = [*row.heard, dump_understanding(u)]
        row.turn += 1
        return self._reply(row, dialog, turn)

    def _reply(self, row: VoiceCallRow, dialog: Dialog, turn: AgentTurn) -> Answer:
        speech = self._speech(row)
        if turn.done:
            return self._end(row, dialog.disposition(), self._closing(dialog, turn, speech), dialog)
        row.transcript = [jsonable(t) for t in _redacted(dialog.transcript)]
        action = voice_url(self.public_base_url, row.call_id, row.turn + 1)
        row.last_twiml = twiml.gather(turn.text, action, speech)
        return Answer(row.last_twiml)

    def _closing(self, dialog: Dialog, turn: AgentTurn, speech: twiml.Speech) -> str:
        escalation = dialog.result.escalation if dialog.result else None
        wants_person = escalation is not None and (
            escalation.reason is EscalationReason.HUMAN_REQUESTED
        )
        if wants_person and self.script.human_number:
            return twiml.transfer(
                turn.text, self.script.human_number, self.script.caller_id, speech
            )
        return twiml.hang_up(turn.text, speech)

    def _end(
        self, row: VoiceCallRow, d: Disposition, xml: str | None, dialog: Dialog | None = None
    ) -> Answer:
        """Store the call's last TwiML and its redacted disposition; the call is over."""
        clean = _scrubbed(d)
        if dialog is not None:
            row.transcript = [jsonable(t) for t in clean.transcript]
        row.state, row.disposition = "ended", jsonable(clean)
        row.last_twiml = xml or row.last_twiml or twiml.hang_up(None, self._speech(row))
        log.info("call %s ended: %s", row.call_id, clean.outcome.value)
        return Answer(row.last_twiml, clean)

    # -- bookkeeping --------------------------------------------------------------------------

    def _resume(self, row: VoiceCallRow) -> Dialog:
        assert row.pickup is not None
        assert row.dialog_now is not None
        heard = [load_understanding(h) for h in row.heard]
        dialog, _ = replay(request_of(row), row.pickup, row.dialog_now, heard)
        return dialog

    def _note(self, row: VoiceCallRow, form: Mapping[str, str]) -> None:
        """What every Twilio request says about the call: its SID, status, who answered."""
        sid = form.get("CallSid")
        if sid and row.call_sid is None:
            row.call_sid = sid
        elif sid and sid != row.call_sid:
            log.warning("call %s: request for another CallSid ignored", row.call_id)
        row.provider_status = form.get("CallStatus") or row.provider_status
        row.answered_by = form.get("AnsweredBy") or row.answered_by
        if row.state == "dialing" and row.call_sid:
            row.state = "dialed"
        row.updated_at = self.wall()

    def _last(self, row: VoiceCallRow) -> str:
        return row.last_twiml or twiml.hang_up(None, self._speech(row))

    def _speech(self, row: VoiceCallRow | None) -> twiml.Speech:
        locale = "en_US" if row is None else request_of(row).case.account.locale
        return twiml.Speech(self.script.voice, twiml.language_for(locale), self.script.dial_timeout)


def _weigh(u: Understanding, stt: float | None, floor: float) -> Understanding:
    """A reply the recogniser itself doubts is read no surer than the recogniser heard it."""
    if stt is None or stt >= floor or not u.redacted_text.strip():
        return u
    return replace(u, confidence=min(u.confidence, stt))


def _redacted(turns: tuple[TranscriptTurn, ...]) -> tuple[TranscriptTurn, ...]:
    return tuple(t.model_copy(update={"text": redact(t.text)}) for t in turns)


def _scrubbed(d: Disposition) -> Disposition:
    """Every transcript line and the summary redacted again: card data never reaches storage."""
    return d.model_copy(
        update={"transcript": _redacted(d.transcript), "summary": redact(d.summary)}
    )
