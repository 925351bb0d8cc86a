"""Slack: alerts as Block Kit messages, and the interactive buttons on them."""
