"""Phone numbers as CRMs hold them, brought to the form telephony dials."""

from __future__ import annotations

import phonenumbers

__all__ = ["e164"]


def e164(phone: str | None, region: str) -> str | None:
    """The number in E.164 when it parses (what telephony dials), else as the CRM holds it:
    a number we cannot read is still better shown to a person than dropped."""
    if not phone:
        return None
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_possible_number(parsed):
        return phone
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
