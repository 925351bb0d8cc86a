"""Signed Stripe events per second, and p99 latency, through ``POST /webhooks/stripe``.

Baseline, measured in the same run on the same server stack (uvicorn, one process, loopback):
a bare FastAPI endpoint that reads the body and answers. The ratio says what verification,
recording and enqueueing cost on top of HTTP itself. The webhook process hands cases to
workers through ``DBOSClient`` (as an API front end would), so no workflow runs here and
the figures are the handler's alone.

Run: ``.venv/bin/python bench/bench_webhooks.py [--events N] [--concurrency C]``
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI, Request

from recoup import wiring
from recoup.adapters.stripe.webhook import sign
from recoup.api.app import create_app
from recoup.settings import Settings

SECRET = "whsec_bench_secret"  # noqa: S105 - a throwaway secret for a local benchmark


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app: FastAPI) -> tuple[uvicorn.Server, int]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server, port


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.post("/bare")
    async def bare(request: Request) -> dict[str, bool]:
        await request.body()
        return {"received": True}

    return app


def event(i: int) -> bytes:
    obj = {
        "id": f"in_bench_{i}",
        "object": "invoice",
        "customer": f"cus_bench_{i}",
        "amount_due": 24900,
        "currency": "usd",
        "number": f"INV-{i}",
        "customer_email": f"c{i}@example.test",
        "status": "open",
    }
    body = {
        "id": f"evt_bench_{i}",
        "object": "event",
        "type": "invoice.payment_failed",
        "created": int(time.time()),
        "data": {"object": obj},
    }
    return json.dumps(body).encode()


def load(
    url: str, bodies: list[bytes], concurrency: int, signed: bool
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    client = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=concurrency))

    def one(body: bytes) -> None:
        headers = {"Content-Type": "application/json"}
        if signed:
            headers["Stripe-Signature"] = sign(body, SECRET)
        start = time.perf_counter()
        response = client.post(url, content=body, headers=headers)
        elapsed = time.perf_counter() - start
        response.raise_for_status()
        with lock:
            latencies.append(elapsed)

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, bodies))
    wall = time.perf_counter() - start
    client.close()
    return len(bodies) / wall, latencies


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        settings = Settings(
            _env_file=None,
            database_url=url,  # type: ignore[call-arg]
            stripe_webhook_secret=SECRET,
        )
        wiring.stop(wiring.start(settings))  # a worker creates the DBOS system database once
        front = wiring.start(settings, worker=False)
        webhook_server, webhook_port = serve(create_app(settings, front.runtime))
        bare_server, bare_port = serve(bare_app())
        bodies = [event(i) for i in range(args.events)]
        load(f"http://127.0.0.1:{bare_port}/bare", bodies[:50], args.concurrency, False)
        base_rate, base_lat = load(
            f"http://127.0.0.1:{bare_port}/bare", bodies, args.concurrency, False
        )
        rate, lat = load(
            f"http://127.0.0.1:{webhook_port}/webhooks/stripe", bodies, args.concurrency, True
        )
        webhook_server.should_exit = bare_server.should_exit = True
        wiring.stop(front)
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    print(f"events: {args.events}, concurrency: {args.concurrency}, database: {backend}")
    print(f"baseline bare endpoint : {base_rate:8.1f} req/s   p99 {p99(base_lat):7.2f} ms")
    print(f"/webhooks/stripe       : {rate:8.1f} events/s p99 {p99(lat):7.2f} ms")
    print(
        f"ratio (webhook/base)   : throughput {rate / base_rate:.2f}x, "
        f"p99 {p99(lat) / p99(base_lat):.2f}x"
    )


if __name__ == "__main__":
    main()
