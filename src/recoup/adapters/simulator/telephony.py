"""A working fake telephony port: the agent talks to a simulated customer.

Calls are remembered in the ledger by call ID, like a carrier remembers a call: a step re-run
after a crash collects the first call's result instead of dialing again. ``call_seconds``
stretches a call in wall time so that tests can kill a worker in the middle of one.
"""

from __future__ import annotations

import time

from recoup.adapters.fake.ledger import Ledger
from recoup.adapters.simulator.customer import ScriptedCustomer
from recoup.adapters.simulator.persona import Persona
from recoup.agent.call import converse
from recoup.domain.models import CallRequest, Disposition, jsonable
from recoup.ports import ClockPort


class SimulatedTelephony:
    """Dials simulated customers registered by account ID."""

    def __init__(self, ledger: Ledger, clock: ClockPort, call_seconds: float = 0.0) -> None:
        self._ledger = ledger
        self._clock = clock
        self._call_seconds = call_seconds

    def add_customer(self, account_id: str, persona: Persona) -> None:
        """Register who answers when this account is called."""
        self._ledger.put("persona", account_id, persona.model_dump(mode="json"))

    def persona(self, account_id: str) -> Persona | None:
        stored = self._ledger.get("persona", account_id)
        return None if stored is None else Persona.model_validate(stored)

    def place_call(self, request: CallRequest) -> Disposition:
        """Dial once per call ID. A repeat after a crash mid-call does not dial again: the
        call went on at the carrier, and the simulated conversation is deterministic, so
        replaying it stands for fetching the carrier's record of how it ended."""
        dialed = {"status": "dialed", "account_id": request.case.account.account_id}
        stored, first = self._ledger.add("call", request.call_id, dialed)
        if "disposition" in stored:
            return Disposition.model_validate(stored["disposition"])
        persona = self.persona(request.case.account.account_id)
        if first and self._call_seconds:
            time.sleep(self._call_seconds)
        if persona is None:
            pickup, customer = "no_answer", ScriptedCustomer({})
        else:
            pickup, customer = persona.answers.value, ScriptedCustomer(persona.replies)
        disposition = converse(request, pickup, customer, self._clock.now())
        self._ledger.put(
            "call",
            request.call_id,
            {**dialed, "status": "completed", "disposition": jsonable(disposition)},
        )
        return disposition
