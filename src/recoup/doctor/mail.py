"""Email, by SMTP or the Gmail API; nothing is sent.

SMTP gets what the adapter would do before MAIL FROM: connect, EHLO, STARTTLS, AUTH, then
QUIT (stdlib ``smtplib``, as the adapter uses). Gmail gets the adapter's own pre-send search,
for a message that cannot exist: a read the send scopes allow.
"""

from __future__ import annotations

import smtplib
import ssl

from recoup.doctor.base import ONE_TRY, PROBE_TIMEOUT, Check, network, not_probed, probed
from recoup.domain.errors import ConfigError
from recoup.settings import Settings

PROBE_QUERY = "rfc822msgid:recoup-doctor-probe@example.invalid"
SMTP_WHERE = "RECOUP_SMTP_HOST and RECOUP_SMTP_PORT (587 STARTTLS, 465 RECOUP_SMTP_SECURITY=ssl)"
GMAIL_HELP = (
    "check RECOUP_GMAIL_CREDENTIALS: a service-account key with domain-wide delegation for "
    "gmail.send and gmail.readonly (Google Admin > Security > API controls) and "
    "RECOUP_GMAIL_DELEGATED_USER, or an authorized-user token"
)


def check_email(s: Settings, probe: bool) -> list[Check]:
    if s.email == "fake":
        why = (
            "emails simulated: set RECOUP_EMAIL=smtp (with RECOUP_SMTP_HOST and "
            "RECOUP_EMAIL_FROM) or RECOUP_EMAIL=gmail (with RECOUP_GMAIL_CREDENTIALS), "
            "docs/integrations/email.md"
        )
        return [Check("email", "off", why)]
    name = f"email: {s.email}"
    if not probe:
        return [not_probed(name)]
    if s.email == "smtp":
        return [_smtp(s, name)]
    reach = network("RECOUP_GMAIL_API_BASE", s.gmail_api_base or "https://gmail.googleapis.com")
    return [probed(name, lambda: _gmail(s), GMAIL_HELP, reach)]


def _smtp(s: Settings, name: str) -> Check:
    where = f"{s.smtp_host}:{s.smtp_port}"
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    try:
        if s.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=PROBE_TIMEOUT, context=context
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=PROBE_TIMEOUT)
    except (ssl.SSLError, smtplib.SMTPResponseException) as exc:
        return Check(
            name, "refused", f"{where} refused the connection ({_why(exc)}); check {SMTP_WHERE}"
        )
    except OSError as exc:  # refused, timed out, no such host
        why = f"no SMTP server answered at {where} ({type(exc).__name__})"
        return Check(name, "unreachable", f"{why}; check {SMTP_WHERE}")
    steps: list[str] = []
    try:
        return _converse(s, smtp, name, where, steps, context)
    except smtplib.SMTPAuthenticationError as exc:
        why = f"{where} refused the login ({exc.smtp_code})"
        hint = "with Google or Microsoft 365, an app password"
        return Check(
            name, "refused", f"{why}: check RECOUP_SMTP_USERNAME and RECOUP_SMTP_PASSWORD ({hint})"
        )
    except smtplib.SMTPNotSupportedError:
        missing = (
            "STARTTLS" if s.smtp_security == "starttls" and "STARTTLS" not in steps else "AUTH"
        )
        why = f"{where} does not offer {missing}"
        return Check(name, "refused", f"{why}: check RECOUP_SMTP_SECURITY (starttls, ssl or none)")
    except (ssl.SSLError, smtplib.SMTPException) as exc:  # SMTPException is an OSError: first
        why = f"{where} failed after {', '.join(steps) or 'connecting'} ({_why(exc)})"
        return Check(name, "refused", f"{why}; check RECOUP_SMTP_SECURITY and RECOUP_SMTP_PORT")
    except OSError as exc:
        why = f"{where} stopped answering after {', '.join(steps) or 'connecting'}"
        return Check(name, "unreachable", f"{why} ({type(exc).__name__}); check {SMTP_WHERE}")
    finally:
        _close(smtp)


def _converse(
    s: Settings,
    smtp: smtplib.SMTP,
    name: str,
    where: str,
    steps: list[str],
    context: ssl.SSLContext,
) -> Check:
    """EHLO, STARTTLS and AUTH as configured; ``steps`` records how far it got."""
    smtp.ehlo()
    steps.append("EHLO")
    if s.smtp_security == "starttls":
        smtp.starttls(context=context)
        smtp.ehlo()
        steps.append("STARTTLS")
    if s.smtp_username:
        smtp.login(s.smtp_username, s.smtp_password.get_secret_value() if s.smtp_password else "")
        steps.append("login")
    return Check(name, "ok", f"{where} answered {', '.join(steps)}; nothing was sent")


def _why(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP {exc.smtp_code}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason}"
    return type(exc).__name__


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _gmail(s: Settings) -> str:
    from recoup.adapters.gmail.client import GmailMessaging

    if s.gmail_credentials is None:
        raise ConfigError("RECOUP_GMAIL_CREDENTIALS is not set")
    gmail = GmailMessaging(
        s.gmail_credentials,
        s.email_from,
        delegated_user=s.gmail_delegated_user,
        base_url=s.gmail_api_base,
        timeout=PROBE_TIMEOUT,
        backoff=ONE_TRY,
    )
    # The adapter has no public read; its pre-send look-up (users.messages.list) is one.
    gmail._find(PROBE_QUERY)
    return f"the Gmail API accepted the credentials and searched the mailbox of {s.email_from}"
