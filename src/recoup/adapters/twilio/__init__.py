"""Twilio Voice: the outbound call, its webhooks' TwiML and signatures (the only code that
imports the ``twilio`` SDK)."""
