"""The vendor stand-in records what it was sent, routes, injects faults and serves TLS."""

from __future__ import annotations

import re
import ssl
import urllib.error
import urllib.request

import pytest

from recoup.testing.vendor_server import Recorded, Reply, VendorServer


def test_routes_record_and_fail_on_demand() -> None:
    with VendorServer("demo") as server:

        @server.route("POST", r"/v1/things/(?P<id>\w+)")
        def _thing(req: Recorded, match: re.Match[str]) -> Reply:
            return Reply(200, {"id": match["id"], "got": req.form_value("a")})

        request = urllib.request.Request(  # noqa: S310 - loopback only
            f"{server.url}/v1/things/t1", data=b"a=1", method="POST",
            headers={"Idempotency-Key": "k1"},
        )  # fmt: skip
        with urllib.request.urlopen(request) as answer:  # noqa: S310 - loopback only
            assert answer.read() == b'{"id": "t1", "got": "1"}'
        server.fail_next(Reply(429, {"error": "slow down"}))
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(request)  # noqa: S310
        assert failed.value.code == 429
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{server.url}/nowhere")  # noqa: S310
        assert missing.value.code == 404
        first = server.calls("POST", r"/v1/things/\w+")[0]
        assert first.headers["idempotency-key"] == "k1"
        assert len(server.calls()) == 3


def test_tls_stand_in_is_trusted_through_its_own_ca() -> None:
    with VendorServer("secure", tls=True) as server:
        server.route("GET", "/ok")(lambda req, match: Reply(200, {"ok": True}))
        assert server.url.startswith("https://")
        assert server.ca_path is not None
        context = ssl.create_default_context(cafile=str(server.ca_path))
        with urllib.request.urlopen(f"{server.url}/ok", context=context) as answer:  # noqa: S310
            assert answer.status == 200
