"""WhatsApp: Meta's Cloud API, Twilio's WhatsApp sender, and their inbound webhooks."""
