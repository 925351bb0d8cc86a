"""TwiML for each of the agent's turns, rendered with the SDK's ``VoiceResponse``.

Four shapes: a line and a speech ``<Gather>`` for the reply; a closing line and ``<Hangup>``;
the voicemail message and ``<Hangup>`` (the same shape: the dialog's voicemail line says
nothing about the debt); and a hand-over to a person: a short line, ``<Dial>`` to the
configured number, and, should nobody pick up there, the dialog's own closing line.

The line is spoken inside the ``<Gather>`` so the customer can answer over it (barge-in) and
``actionOnEmptyResult`` posts silence to the action URL as well, so every turn comes back to
Recoup and the dialog decides what silence means. The ``<Redirect>`` after it is a guard for a
Gather that returns without calling its action.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse  # type: ignore[import-untyped]

__all__ = ["TRANSFER_LINE", "Speech", "gather", "hang_up", "language_for", "transfer"]

#: Said before ``<Dial>``; the dialog's closing line follows only if nobody answers there.
TRANSFER_LINE = "Of course. I'll put you through to a member of our team now."


@dataclass(frozen=True)
class Speech:
    """How the agent sounds and listens: a Twilio ``<Say>`` voice and the recogniser's
    language (BCP-47, e.g. ``en-US``)."""

    voice: str = "Polly.Joanna"
    language: str = "en-US"
    #: Seconds ``<Dial>`` lets the team's phone ring before the fallback line.
    dial_timeout: int = 25


def _xml(response: VoiceResponse) -> str:
    rendered: str = response.to_xml()
    return rendered


def gather(text: str, action: str, speech: Speech) -> str:
    """Say ``text`` and listen for a spoken reply, posted to ``action``."""
    response = VoiceResponse()
    listen = Gather(
        input="speech",
        action=action,
        method="POST",
        speech_timeout="auto",
        language=speech.language,
        action_on_empty_result=True,
    )
    listen.say(text, voice=speech.voice)
    response.append(listen)
    response.redirect(action, method="POST")
    return _xml(response)


def hang_up(text: str | None, speech: Speech) -> str:
    """Say the closing line (or the voicemail message), then end the call."""
    response = VoiceResponse()
    if text:
        response.say(text, voice=speech.voice)
    response.hangup()
    return _xml(response)


def transfer(fallback: str, number: str, caller_id: str | None, speech: Speech) -> str:
    """Put the customer through to ``number``; ``fallback`` if nobody answers there."""
    response = VoiceResponse()
    response.say(TRANSFER_LINE, voice=speech.voice)
    response.dial(number, caller_id=caller_id or None, timeout=speech.dial_timeout)
    response.say(fallback, voice=speech.voice)
    response.hangup()
    return _xml(response)


def language_for(locale: str) -> str:
    """The recogniser's language for an account locale; the dialog speaks English, so a
    non-English locale still listens in US English (the dialog hands such calls to review)."""
    tag = locale.replace("_", "-")
    return tag if tag.lower().startswith("en") else "en-US"
