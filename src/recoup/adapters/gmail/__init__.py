"""Email through the Gmail API (google-api-python-client)."""
