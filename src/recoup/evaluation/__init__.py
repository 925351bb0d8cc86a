"""Evaluation of the agent's understanding: labelled sets of our own and shared corpora."""
