"""Email over SMTP (stdlib smtplib): any provider with an SMTP relay."""
