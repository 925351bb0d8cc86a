"""Simulated customers who answer Recoup's calls, for the demo, benchmarks and tests.

A *persona* (JSON file or generated) holds one customer's records, who answers the phone,
a reply script keyed by the agent's acts, and what the customer does after the call.
``ScriptedCustomer`` plays the script to the agent; ``generate_population`` makes many
personas from a seed. See ``examples/`` for hand-written persona files.
"""

from recoup.adapters.simulator.customer import ANY_ACT, ScriptedCustomer
from recoup.adapters.simulator.persona import (
    AnswerMode,
    Behaviour,
    BehaviourKind,
    Persona,
    PersonaAccount,
    PersonaInvoice,
    load_persona,
    save_persona,
)
from recoup.adapters.simulator.population import generate_population

__all__ = [
    "ANY_ACT",
    "AnswerMode",
    "Behaviour",
    "BehaviourKind",
    "Persona",
    "PersonaAccount",
    "PersonaInvoice",
    "ScriptedCustomer",
    "generate_population",
    "load_persona",
    "save_persona",
]
