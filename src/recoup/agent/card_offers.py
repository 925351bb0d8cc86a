"""Offers to read a card out, in any of the ways people put it (``redact.contains_card_data``).

The agent must stop a customer *before* the digits come, so an offer counts as card data:
"shall I read you the long number", "I'll give them the card number", "want me to read out my
new card". ``CUED_OFFER`` holds the vaguer offers ("I'll have it ready to read out", "do you
want the number") that only mean the card when a card is named in the same reply.
"""

from __future__ import annotations

import re

OFFER = re.compile(
    r"\b(give|read|tell|take)\b(\s+(you|it|out|over))*\s+(my|me|the|our|a)\s+(credit\s+|debit\s+)?"
    r"card\b|\bcard\s+(number|details)\s+(is|are)\b"
    r"|\b(have|got)\s+(my|the)\s+card\s+(right\s+)?here"
    r"|\bpay\s+(by|with)\s+(my\s+|a\s+)?(credit\s+|debit\s+)?card\s+(over|on)\s+the\s+phone"
    r"|\b(start|begin|ready\s+to)\s+read(ing)?\s+(out\s+)?(the|my|you\s+the)\s+(numbers|digits"
    r"|card)|\b(want|need|like|shall\s+i|should\s+i|can\s+i|i\s+can|i\s+could)\s+"
    r"((me\s+to\s+)?(give|read|tell|have|get|take)\s+)?(you\s+)?(the\s+|my\s+)?(long\s+number"
    r"|card\s+number|card\s+details|number\s+on\s+(the|my)\s+card|card\s+info)"
    r"|\b(give|read|tell)\s+(you\s+)?(out\s+)?(my|the|our)\s+(visa|master\s?card|amex|discover)\b"
    r"|\bmy\s+(visa|master\s?card|amex|discover|credit\s+card|debit\s+card)(\s+card)?"
    r"(\s+number)?\s+is\b|\b(sixteen|16)[\s-]digit|\b(front|back)\s+of\s+(the|my)\s+card\b"
    r"|\bread\s+(you\s+)?(out\s+)?(the|my)\s+(numbers|digits)\b"
    # to anyone ("give your colleague the card number"), and a card named new, old, work...
    r"|\b(give|read|tell)\s+(\w+\s+){0,2}(the|my|our)\s+(long\s+number|card\s+(number|details))\b"
    r"|\b(give|read|tell)\s+(you\s+|them\s+)?(out\s+)?(the|my|our)\s+((new|other|old|business"
    r"|work|company)\s+)?(long\s+number|card(\s+(number|details))?)\b"
    r"|\bread\s+(\w+\s+){0,2}(long\s+number|numbers?\s+off)\b"
    # "can I just pay it over the phone? you ready for the number?"
    r"|\bready\s+for\s+(the|my)\s+(long\s+|card\s+)?number",
    re.I,
)
CUED_OFFER = re.compile(
    r"\bread\s+(it|them|the\s+(numbers?|digits))(\s+(out|off))?\s+to\s+you\b|\bready\s+to\s+read"
    r"|\b(want|need)\s+the\s+(long\s+)?(number|details)\b"
    r"|\b(give|read|tell)\s+you\s+the\s+(long\s+|new\s+|other\s+)?(number|one|details)\b"
    r"|\bread\s+(it|them)\s+(out|off)\b",
    re.I,
)
#: A refusal ("I'm not giving my card details over the phone", "I'll never read my card out")
#: is no offer, in the raw text or in ``normalise``'s spoken form.
REFUSAL = re.compile(
    r"\b(won'?t|will\s+not|(i'?m|i\s+am|we'?re|we\s+are)\s+not|not\s+going\s+to|never"
    r"|refuse\s+to|(do\s+not|don'?t)\s+want\s+to|would\s+not|wouldn'?t|rather\s+not|no\s+way)"
    r"\b(\s+\w+){0,2}\s+(giv(e|ing)|read(ing)?|tell(ing)?|shar(e|ing))\b",
    re.I,
)
