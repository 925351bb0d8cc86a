"""A local stand-in for an OpenAI-compatible chat-completions endpoint.

Why it exists: the LLM adapter must be tested (and timed) without a network or a key. The fake
listens on 127.0.0.1 only, checks each request the way the real service would (path, method,
bearer key, model, messages, a strict ``json_schema`` response format) and answers like it:
``{"choices": [{"message": {"content": "<json>"}}]}``, or an ``{"error": ...}`` with the status
a real endpoint uses. A script of steps lets a test stage failures (a 500 then a success, a
429, malformed JSON, an off-schema reply, a reply slower than the client's timeout).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeChatServer", "Step"]

Responder = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Step:
    """One scripted answer: ``status`` with ``content`` as the message (or ``raw`` as the whole
    body when set), after ``delay`` seconds."""

    content: str = ""
    status: int = 200
    raw: str | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def check_request(body: Any, model: str) -> str | None:
    """What is wrong with a chat-completions body, or None; the checks the adapter relies on."""
    if not isinstance(body, dict):
        return "body is not a JSON object"
    if body.get("model") != model:
        return f"unknown model {body.get('model')!r}"
    messages = body.get("messages")
    if not (isinstance(messages, list) and messages and all(
        isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
        and isinstance(m.get("content"), str) for m in messages
    )):  # fmt: skip
        return "messages must be a list of {role, content}"
    if messages[-1]["role"] != "user":
        return "the last message must be the user's"
    fmt = body.get("response_format")
    spec = fmt.get("json_schema") if isinstance(fmt, dict) else None
    if not (isinstance(fmt, dict) and fmt.get("type") == "json_schema" and isinstance(spec, dict)):
        return "response_format must be a json_schema"
    schema = spec.get("schema")
    if not (spec.get("name") and spec.get("strict") is True and isinstance(schema, dict)):
        return "json_schema needs a name, strict=true and a schema"
    if schema.get("additionalProperties") is not False or set(schema.get("required", ())) != set(
        schema.get("properties", {})
    ):
        return "strict schemas require every property and no additional ones"
    return None


class FakeChatServer:
    """Serves ``POST /v1/chat/completions`` until closed. Scripted ``steps`` answer first, in
    order; after them ``responder`` (given the request body) writes the content."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        responder: Responder | None = None,
        steps: list[Step] | None = None,
    ) -> None:
        self.api_key, self.model = api_key, model
        self.responder = responder or (lambda _body: json.dumps(_DEFAULT))
        self.steps: deque[Step] = deque(steps or [])
        self.requests: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> FakeChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(
        self, method: str, path: str, auth: str | None, raw: bytes
    ) -> tuple[int, bytes, Step]:
        """Status and body for one request; records it and anything wrong with it."""
        try:
            body: Any = json.loads(raw or b"null")
        except json.JSONDecodeError:
            body = None
        with self._lock:
            self.requests.append({"method": method, "path": path, "auth": auth, "body": body})
            step = self.steps.popleft() if self.steps else None
        problem, status = None, 200
        if method != "POST" or path != "/v1/chat/completions":
            problem, status = f"no route {method} {path}", 404
        elif auth != f"Bearer {self.api_key}":
            problem, status = "invalid API key", 401
        elif (problem := check_request(body, self.model)) is not None:
            status = 400
        if problem is not None:
            with self._lock:
                self.problems.append(problem)
            error = {"error": {"message": problem, "type": "invalid_request_error"}}
            return status, json.dumps(error).encode(), Step()
        step = step or Step(content=self.responder(body))
        if step.raw is not None:
            return step.status, step.raw.encode(), step
        if step.status != 200:
            error = {"error": {"message": "scripted failure", "type": "server_error"}}
            return step.status, json.dumps(error).encode(), step
        message = {"role": "assistant", "content": step.content}
        choice = {"index": 0, "finish_reason": "stop", "message": message}
        reply = {"id": "chatcmpl-fake", "object": "chat.completion", "choices": [choice]}
        return 200, json.dumps(reply).encode(), step


_DEFAULT = {"intent": "other", "confidence": 0.5, "promise_date": None, "channel": None}


def _handler(fake: FakeChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, body, step = fake.answer(
                self.command, self.path, self.headers.get("Authorization"), raw
            )
            if step.delay:
                time.sleep(step.delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in step.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): nothing to answer

        do_POST = _serve  # noqa: N815 - the names http.server dispatches to
        do_GET = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests and benchmarks read ``requests``, not the log."""

    return Handler
