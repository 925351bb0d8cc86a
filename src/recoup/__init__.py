"""Recoup: recover failed payments with polite, AI-led phone calls."""

__version__ = "0.1.0"
