"""An intent classifier behind any OpenAI-compatible chat-completions endpoint.

Why this shape: the provider is a port like any other. Everything it needs (base URL, key,
model, timeout) comes through the constructor, never the environment, so tests aim it at a
local fake and a deployment can point it at any vendor or a self-hosted server. The reply is
constrained by a strict JSON schema *and* checked again here, because a model that ignores the
schema must not steer a call: a malformed reply is a ``PermanentPortError`` and a slow or
overloaded endpoint, once the bounded retries are spent, a ``TransientPortError``;
``understand_with`` answers both by falling back to the rules. The text sent is redacted first,
so card data never leaves the process even if a caller forgets to redact.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date
from typing import Any, Final, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from recoup.agent.backends.base import labels_for
from recoup.agent.redact import redact
from recoup.domain.errors import PermanentPortError, TransientPortError

__all__ = ["LlmClassifier", "LlmReading", "build_request", "reply_schema"]

SCHEMA_NAME: Final = "recoup_reply"
_DESCRIPTIONS: Final[dict[str, str]] = {
    "pay_now": "wants to pay now or get the payment link now",
    "promise_to_pay": "will pay later, with or without a date",
    "already_paid": "says it is already paid",
    "dispute": "contests the charge, the amount or the service",
    "cancel": "wants to cancel or change the subscription or plan",
    "hardship": "cannot pay because of money, job, health or bereavement",
    "callback": "asks to be called back at another time",
    "wrong_party": "is not the customer, or the customer is not there",
    "opt_out": "asks not to be called or contacted again",
    "human": "asks for a human, agent or manager",
    "question": "asks a question",
    "other": "none of the above",
    "yes": "agrees with what was just confirmed",
    "no": "does not agree with what was just confirmed",
}
_SITUATIONS: Final[dict[str, str]] = {
    "ask_resolution": "The agent asked whether to send a secure payment link now or agree a date.",
    "confirm": "The agent asked the customer to confirm what it is about to do.",
}


class LlmReading(BaseModel):
    """The reply the schema allows; validated strictly, because the model may ignore it."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    intent: str
    confidence: float = Field(ge=0.0, le=1.0)
    promise_date: date | None
    channel: Literal["email", "whatsapp"] | None


def reply_schema(context: str) -> dict[str, Any]:
    """The JSON schema for ``response_format``; strict mode wants every key required and no
    extras, with nullable fields spelled as a type union."""
    return {
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": list(labels_for(context))},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "promise_date": {
                "type": ["string", "null"],
                "description": "The date the customer promises to pay by, as YYYY-MM-DD.",
            },
            "channel": {"type": ["string", "null"], "enum": ["email", "whatsapp", None]},
        },
        "required": ["intent", "confidence", "promise_date", "channel"],
        "additionalProperties": False,
    }


def _system_prompt(context: str) -> str:
    labels = "\n".join(f"- {label}: {_DESCRIPTIONS[label]}" for label in labels_for(context))
    return (
        "You classify one reply from a customer on a phone call about a failed payment.\n"
        f"{_SITUATIONS.get(context, '')}\nChoose exactly one intent:\n{labels}\n"
        "Give your confidence from 0 to 1, the promised payment date if one is named, and the "
        "channel (email or whatsapp) if one is named. Card numbers appear as [REDACTED]."
    )


def build_request(model: str, text: str, context: str) -> dict[str, Any]:
    """The chat-completions body: deterministic sampling, the schema as ``response_format``."""
    return {
        "model": model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": _system_prompt(context)},
            {"role": "user", "content": text},
        ],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": SCHEMA_NAME, "schema": reply_schema(context), "strict": True},
        },
    }


class LlmClassifier:
    """``Classifier`` over HTTP. ``attempts`` bounds the tries (timeouts, connection errors,
    429 and 5xx are retried with exponential backoff, honouring a short ``Retry-After``), so
    the worst case a caller waits is about ``attempts * timeout`` plus the backoff."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: SecretStr,
        model: str,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.model = model
        self._timeout, self._attempts = timeout, attempts
        self._backoff, self._sleep = backoff, sleep
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            headers={"Authorization": f"Bearer {api_key.get_secret_value()}"},
            trust_env=False,  # the endpoint is configured here, not by proxy variables
        )

    def __enter__(self) -> LlmClassifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def classify(self, text: str, context: str) -> tuple[str, float]:
        reading = self.read(text, context)
        return reading.intent, reading.confidence

    def read(self, text: str, context: str) -> LlmReading:
        """The full reading (intent, confidence, date, channel) of one reply."""
        labels = labels_for(context)
        response = self._post(build_request(self.model, redact(text), context))
        reading = _parse(response)
        if reading.intent not in labels:
            raise PermanentPortError(f"LLM answered intent outside the {context} labels")
        return reading

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        problem, wait = "", 0.0
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(max(wait, self._backoff * 2 ** (attempt - 1)))
            wait = 0.0
            try:
                response = self._client.post("/chat/completions", json=body)
            except httpx.TimeoutException:
                problem = f"timed out after {self._timeout} s"
                continue
            except httpx.TransportError as exc:
                problem = f"transport error {type(exc).__name__}"
                continue
            status = response.status_code
            if status == 429 or status >= 500:
                problem, wait = f"HTTP {status}", _retry_after(response)
                continue
            if status >= 400:
                raise PermanentPortError(f"LLM endpoint refused the request: HTTP {status}")
            return response
        raise TransientPortError(f"LLM endpoint failed {self._attempts} times; last: {problem}")


def _retry_after(response: httpx.Response) -> float:
    """A server's ``Retry-After`` in seconds, capped: a caller on the line cannot wait long."""
    try:
        return min(2.0, max(0.0, float(response.headers.get("retry-after", "0"))))
    except ValueError:
        return 0.0


def _parse(response: httpx.Response) -> LlmReading:
    """The message content of a chat completion, validated against the schema."""
    try:
        payload: Any = response.json()
        message: Any = payload["choices"][0]["message"]
    except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
        raise PermanentPortError("LLM reply is not a chat completion") from exc
    if not isinstance(message, dict):
        raise PermanentPortError("LLM reply has no message")
    if message.get("refusal"):
        raise PermanentPortError("LLM refused to classify the reply")
    content = message.get("content")
    if not isinstance(content, str):
        raise PermanentPortError("LLM reply has no text content")
    try:
        return LlmReading.model_validate_json(content)
    except ValidationError as exc:
        fields = sorted({".".join(map(str, e["loc"])) or "(root)" for e in exc.errors()})
        raise PermanentPortError(f"LLM reply does not match the schema: {fields}") from None
