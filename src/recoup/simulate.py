"""``recoup simulate``: one call between the agent and a persona file, no database needed."""

from __future__ import annotations

from pathlib import Path

from recoup.adapters.simulator.customer import ScriptedCustomer
from recoup.adapters.simulator.persona import Persona, load_persona
from recoup.agent.call import converse
from recoup.domain.models import CallRequest, CaseContext, Disposition, TriggerKind
from recoup.playbook import load_playbook


def request_for(persona: Persona, call_id: str) -> CallRequest:
    """The call request the workflow would build for this persona's case."""
    playbook = load_playbook()
    account = persona.to_account(f"acct_{call_id}", billing_customer_ref=f"cus_{call_id}")
    invoice = persona.to_invoice(f"in_{call_id}", f"cus_{call_id}")
    context = CaseContext(
        case_id=f"case:sim:{call_id}",
        account=account,
        invoice=invoice,
        trigger_kind=TriggerKind.PAYMENT_FAILED,
        match_confidence=1.0,
        source="simulate",
    )
    return CallRequest(
        call_id=call_id,
        case=context,
        attempt_no=1,
        recording_notice=playbook.calling.recording_notice,
        callback_number="+1 415 555 0100",
        company_name="Recoup Demo Co",
        longest_promise_days=playbook.longest_promise_days,
    )


def simulate_persona(persona: Persona, call_id: str) -> Disposition:
    """Run the call the persona describes and return its disposition."""
    customer = ScriptedCustomer(persona.replies)
    return converse(request_for(persona, call_id), persona.answers.value, customer, persona.now)


def simulate_file(path: Path) -> Disposition:
    """Load a persona file (clear errors on a bad one) and simulate its call."""
    return simulate_persona(load_persona(path), f"sim-{path.stem}")
