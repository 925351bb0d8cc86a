"""Card data detection and redaction, for speech transcripts and for logs.

Customers read card numbers out loud ("four two four two ...", "oh" for zero, "double four",
digits and words mixed) and speech recognition writes them as digits, words or both. We work on
tokens rather than on one big regex so both forms go through the same path:

- a *run* is a sequence of digit tokens (``4242``, ``four``, ``oh``) separated only by spaces,
  dashes, commas, an ellipsis (a reader's pause) or fillers (``um``, ``sorry``, ``wait``);
- any window of a run holding 13-19 digits that passes the Luhn check is a card number; when the
  text talks about a card ("visa", "card number") a non-Luhn window counts too, because a misread
  card is still a card, and so does a card-shaped run of 8 or more digits (fours, or one by
  one): a card being read out, stopped (or cut off by recognition) before its end;
- a security code (CVV/CVC, 3-4 digits) or an expiry after its cue word is card data as well,
  also a few words on ("the expiry, which changed, is oh two twenty nine") when the value has
  the shape of one (a month and a year; three or four digits);
- a number that the words just around it name as something else (an order, a membership, a
  label) is not a card, and neither is a complete uncued run that fails Luhn;
- an offer to read the card ("let me read you the card") is card data, flagged but not masked.

Invoice numbers (``INV-2024-0042``), account IDs, phone numbers (under 13 digits) and amounts do
not form such windows. ``mask_contact`` is separate because transcripts keep contact details
(the customer's own) while logs must not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recoup.agent.card_offers import CUED_OFFER, OFFER, REFUSAL

#: In a sentence about a card, this many digits in a row are a card being read out, complete
#: or not: the agent must stop a customer who has *started* reading, not only one who finished.
PARTIAL_CARD_DIGITS = 6
#: With no card named, a card-shaped run this long is still a card being read ("four two four
#: two four two four two, hang on"), unless the reply names what else the number is. Only a
#: run that itself starts like a card counts (a run from "oh two oh seven..." is a phone
#: number), and runs of 10 and 11 digits are left alone: a phone number read digit by digit.
UNCUED_PARTIAL_DIGITS = 8
_PHONE_LENGTHS = frozenset({10, 11})
#: A complete uncued run (13 digits or more) counts only when it passes Luhn: a read-out card
#: does, a 16-digit tracking or competition number mostly does not. Shorter runs are a reading
#: broken off, which Luhn cannot judge.
#: How far (characters) before and after a run a word naming it as something else is heard.
_NAMED_BEFORE = 60
_NAMED_AFTER = 30
#: Words that say a run of digits is something other than a card.
_NOT_A_CARD = re.compile(
    r"\b(phone|mobile|cell|landline|call|ring|reach|text|whatsapp|invoice|inv|account|acct"
    r"|reference|ref|order|tracking|member(ship)?|customer|client|policy|case|receipt"
    r"|transaction|confirmation|ticket|zip|post ?code|sort ?code|routing|check|cheque|po"
    r"|purchase order|id|extension|ext|employee|licen[cs]e|serial|claim|loan|contract"
    r"|prescription|parcel|booking|label|(?!card\b|long\b)[a-z]+ (number|no|num)\b)\b",
    re.I,
)

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "naught": "0", "one": "1", "two": "2",
    "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_MULTIPLIERS = {"double": 2, "triple": 3}
#: Spoken pairs: "forty two" is 42, "ten" 10, "sixty eleven" 60 then 11.
_TEENS = {w: str(i) for i, w in enumerate(("ten", "eleven", "twelve", "thirteen", "fourteen",
          "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"), 10)}  # fmt: skip
_TENS = {w: str(i) for i, w in enumerate(("twenty", "thirty", "forty", "fifty", "sixty",
         "seventy", "eighty", "ninety"), 2)}  # fmt: skip
#: Words a reader drops between groups without stopping reading ("3782, sorry, 822463, um wait").
_FILLERS = frozenset({"um", "uh", "er", "erm", "hmm", "and", "sorry", "wait", "oops", "ah"})
_NUMBERISH = frozenset(
    {"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
     "eighteen", "nineteen", "twenty", "thirty", "january", "february", "march", "april", "may",
     "june", "july", "august", "september", "october", "november", "december"}
)  # fmt: skip
_TOKEN = re.compile(r"[A-Za-z]+|\d+")
# Not a lone ".": "1795544779.56404" is a time, not a card. An ellipsis is a reader's pause
# ("four oh one two... eight eight eight eight...").
_SEPARATOR = re.compile(r"[\s\-,]*(?:(?:\.{2,}|\u2026)[\s\-,]*)?")
_CARD_CONTEXT = re.compile(r"\b(card|visa|master ?card|amex|american express|discover)\b", re.I)
_CVV_CUE = re.compile(
    r"\b(cvv2?|cvc2?|csc|security (code|number)|verification code|code on the back"
    r"|digits on the back|back code|code on back|number on the back|(three|four|3|4) digit"
    r" (code|number))\b",
    re.I,
)
_EXPIRY_CUE = re.compile(
    r"\b(expir\w*|exp|valid (thru|through|until|till|to)|good (thru|through|till|until)"
    r"|runs? out)\b",
    re.I,
)
#: Cues that mean a security code only in a reply about a card ("the code behind is 456").
_SOFT_CVV_CUE = re.compile(r"\b((on|at) the (back|front)|behind|code)\b", re.I)
#: Words a customer says between a cue and its value ("the expiry that changed, it's oh six
#: thirty"); the value found after them must look like a code or an expiry to count.
_MAX_GAP = 6
#: Words inside a spoken expiry: "oh nine and the year's twenty nine", "april of twenty seven".
_EXPIRY_JOINERS = frozenset({"and", "the", "year", "years", "s", "of", "is"})
_MONTHS = frozenset({"january", "february", "march", "april", "may", "june", "july", "august",
                     "september", "october", "november", "december"})  # fmt: skip
_VALUE_SKIP = frozenset({"is", "it", "its", "s", "the", "date", "on", "in", "number", "code", "um",
    "uh", "new", "old", "card", "my", "of", "for", "this", "that", "are", "was", "says", "say",
    "reads", "shows", "mine", "matter", "does"})  # fmt: skip
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|\b[a-z0-9.]+ at [a-z0-9]+( dot [a-z]+)+\b", re.I)
_ATTACHED = re.compile(r"[A-Za-z0-9_][-_/]?$")


@dataclass(frozen=True)
class _Tok:
    """One token of the text; ``digits`` is None for words that carry no digit."""

    start: int
    end: int
    digits: str | None
    word: str


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum that every payment card number satisfies (and 90% of noise fails)."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _glued(text: str, start: int, end: int) -> bool:
    """Digits stuck to letters or underscores ("acct_4242...", "a456") belong to an ID."""
    if not text[start].isdigit():
        return False
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return before.isalpha() or before == "_" or after.isalpha() or after == "_"


def _tokens(text: str) -> list[_Tok]:
    """Tokens with the digits each stands for; "double four" becomes one token "44"."""
    raw = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)
           if not _glued(text, m.start(), m.end())]  # fmt: skip
    out: list[_Tok] = []
    i = 0
    while i < len(raw):
        start, end, word = raw[i]
        digits = word if word.isdigit() else _DIGIT_WORDS.get(word) or _TEENS.get(word)
        nxt = raw[i + 1] if i + 1 < len(raw) else None
        if word in _TENS:
            unit = _DIGIT_WORDS.get(nxt[2]) if nxt is not None else None
            if nxt is not None and unit not in (None, "0") and not nxt[2].isdigit():
                out.append(_Tok(start, nxt[1], _TENS[word] + str(unit), word))
                i += 2
                continue
            digits = _TENS[word] + "0"
        if word in _MULTIPLIERS and nxt is not None:
            single = nxt[2] if nxt[2].isdigit() else _DIGIT_WORDS.get(nxt[2])
            if single is not None and len(single) == 1:
                out.append(_Tok(start, nxt[1], single * _MULTIPLIERS[word], word))
                i += 2
                continue
        out.append(_Tok(start, end, digits, word))
        i += 1
    return out


def _runs(text: str, toks: list[_Tok]) -> list[list[_Tok]]:
    """Split tokens into runs of digit tokens joined only by separators or fillers."""
    runs: list[list[_Tok]] = []
    current: list[_Tok] = []
    for tok in toks:
        joined = bool(current) and _SEPARATOR.fullmatch(text[current[-1].end : tok.start])
        if tok.digits is not None or (tok.word in _FILLERS and current):
            if not joined:
                current = []
                runs.append(current)
            current.append(tok)
        else:
            current = []
    return [run for run in runs if run]


def _windows(run: list[_Tok], cued: bool, uncued_ok: bool = False) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, digits) card windows of one run.

    Luhn-valid windows win, then those nearest 16 digits, the commonest card length: a
    19-digit window that passes Luhn by chance must not shadow the 16-digit card inside it.
    """
    found: list[tuple[int, int, str]] = []
    for i, first in enumerate(run):
        digits = ""
        for j, last in enumerate(run[i:], start=i):
            digits += last.digits or ""
            if len(digits) > 19:
                break
            ends_on_digit = first.digits is not None and last.digits is not None
            whole = len(digits) >= 13 and (cued or luhn_valid(digits))
            partial = _card_shaped(run[i : j + 1]) and (
                (cued and len(digits) >= PARTIAL_CARD_DIGITS)
                or (uncued_ok and i == 0 and len(digits) >= UNCUED_PARTIAL_DIGITS)
            )
            if ends_on_digit and (whole or partial):
                found.append((first.start, last.end, digits))
    chosen: list[tuple[int, int, str]] = []
    for cand in sorted(found, key=lambda c: (not luhn_valid(c[2]), abs(len(c[2]) - 16), c[0])):
        if all(cand[1] <= c[0] or cand[0] >= c[1] for c in chosen):
            chosen.append(cand)
    return sorted(chosen)


def _card_shaped(toks: list[_Tok]) -> bool:
    """A card as people read it: groups of four written digits or digits one by one, starting
    like a card (2-6); spoken pairs ("sixty eleven", "double eight") fit anywhere. Dates
    (2026-11-20), invoice numbers (2611-00101) and phone numbers (415 555 0134) have other
    group sizes, so a part of them is never taken for a card."""
    digits = "".join(t.digits or "" for t in toks)
    sizes = {len(t.digits) for t in toks
             if t.digits and not (t.word.isalpha() and len(t.digits) == 2)}  # fmt: skip
    return digits[:1] in "23456" and bool(digits) and sizes <= {1, 4}


def _card_runs(text: str, luhn_only: bool = False) -> list[tuple[int, int, list[str]]]:
    """Runs holding a card number: the span of their digits and the card numbers found.
    Outside ``luhn_only`` a run in a sentence about a card needs no checksum (a misread card)."""
    cued = not luhn_only and bool(_CARD_CONTEXT.search(text))
    out: list[tuple[int, int, list[str]]] = []
    for run in _runs(text, _tokens(text)):
        length = sum(len(t.digits or "") for t in run)
        named = _named_otherwise(text, run[0].start, run[-1].end)
        uncued_ok = (not luhn_only and not cued and length < 13 and length not in _PHONE_LENGTHS
                     and not named)  # fmt: skip
        windows = _windows(run, cued and not named, uncued_ok)
        if windows:
            digit_toks = [t for t in run if t.digits is not None]
            out.append((digit_toks[0].start, digit_toks[-1].end, [w[2] for w in windows]))
    return out


def _named_otherwise(text: str, start: int, end: int) -> bool:
    """Whether the words just around a run say it is something else ("membership 3300 1827
    6654", "... that's the order number"). Only nearby words count: "can you call back in
    an hour" at the end of a reply says nothing about a card read out at its start."""
    return bool(_NOT_A_CARD.search(text[max(0, start - _NAMED_BEFORE) : start])
                or _NOT_A_CARD.search(text[end : end + _NAMED_AFTER]))  # fmt: skip


def _value_after(text: str, cue: re.Pattern[str], expiry: bool) -> list[tuple[int, int]]:
    """Spans of the security code or expiry value spoken right after a cue word."""
    toks = _tokens(text)
    spans: list[tuple[int, int]] = []
    for m in cue.finditer(text):
        after = [t for t in toks if t.start >= m.end()]
        while after and after[0].word in _VALUE_SKIP:
            after = after[1:]
        value: list[_Tok] = []
        for tok in after[:4]:
            if tok.digits is None and not (expiry and tok.word in _NUMBERISH):
                break
            value.append(tok)
        digits = "".join(t.digits or "" for t in value)
        ok = (len(value) >= 2 or len(digits) >= 3) if expiry else 3 <= len(digits) <= 4
        if value and ok:
            spans.append((value[0].start, value[-1].end))
    return spans


def _value_beyond(text: str, cue: re.Pattern[str], expiry: bool) -> list[tuple[int, int]]:
    """Spans of a code or expiry said a few words after its cue ("you can have the cvv too,
    it's five one two"). The gap may hold any words, so the value must have the right shape:
    3-4 digits for a code, a month and a year for an expiry."""
    toks = _tokens(text)
    spans: list[tuple[int, int]] = []
    for m in cue.finditer(text):
        after = [t for t in toks if t.start >= m.end()]
        gap = 0
        while after and gap < _MAX_GAP and not _value_start(after[0], expiry):
            after, gap = after[1:], gap + 1
        value = _value_tokens(after, expiry)
        if value and (_expiry_shaped(value) if expiry else _code_shaped(value, after)):
            spans.append((value[0].start, value[-1].end))
    return spans


def _value_start(tok: _Tok, expiry: bool) -> bool:
    return tok.digits is not None or (expiry and tok.word in _MONTHS)


def _value_tokens(after: list[_Tok], expiry: bool) -> list[_Tok]:
    """The value's tokens: digits (and for an expiry, month names and joining words)."""
    value: list[_Tok] = []
    for tok in after[:8]:
        if _value_start(tok, expiry) or (expiry and tok.word in _NUMBERISH):
            value.append(tok)
        elif not (expiry and value and tok.word in _EXPIRY_JOINERS):
            break
    return value


def _code_shaped(value: list[_Tok], after: list[_Tok]) -> bool:
    digits = "".join(t.digits or "" for t in value)
    return 3 <= len(digits) <= 4


def _expiry_shaped(value: list[_Tok]) -> bool:
    """A month then a year: "september twenty seven", "oh four twenty eight", "04/28"."""
    digits = "".join(t.digits or "" for t in value)
    if value[0].word in _MONTHS:
        return _year(digits)
    return any(1 <= int(digits[:n] or "0") <= 12 and _year(digits[n:]) for n in (1, 2))


def _year(digits: str) -> bool:
    return (len(digits) == 2 and 23 <= int(digits) <= 39) or (
        len(digits) == 4 and 2023 <= int(digits) <= 2039
    )


def _sensitive_spans(text: str) -> list[tuple[int, int, str]]:
    """Every span to mask, with its replacement token."""
    # The whole run is masked, not just the valid window: a misread digit next to it is still
    # part of the card, and an unlabelled expiry or code often follows in the same breath.
    spans = [(start, end, "[card number]") for start, end, _ in _card_runs(text)]
    codes = _value_after(text, _CVV_CUE, expiry=False) + _value_beyond(text, _CVV_CUE, False)
    if spans or _CARD_CONTEXT.search(text):
        codes += _value_beyond(text, _SOFT_CVV_CUE, expiry=False)
    expiries = _value_after(text, _EXPIRY_CUE, expiry=True)
    expiries += _value_beyond(text, _EXPIRY_CUE, expiry=True)
    spans += [(s, e, "[security code]") for s, e in codes]
    spans += [(s, e, "[expiry]") for s, e in expiries]
    return spans


def find_card_numbers(text: str) -> list[str]:
    """Card numbers in ``text`` as bare digits, for Luhn scans of stored data."""
    return [digits for _, _, numbers in _card_runs(text, luhn_only=True) for digits in numbers]


def contains_card_data(text: str) -> bool:
    """True for a card number, a security code or expiry, or an offer to read card details."""
    if _sensitive_spans(text):
        return True
    cued_offer = _CARD_CONTEXT.search(text) and CUED_OFFER.search(text)
    return bool((OFFER.search(text) or cued_offer) and not REFUSAL.search(text))


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace spans right to left so earlier offsets stay valid; overlaps keep the first."""
    out = text
    last_start = len(text) + 1
    for start, end, token in sorted(spans, key=lambda s: s[0], reverse=True):
        if end <= last_start:
            out = out[:start] + token + out[end:]
            last_start = start
    return out


def redact(text: str) -> str:
    """``text`` with card numbers, security codes and expiries replaced by bracketed tokens."""
    return _replace(text, _sensitive_spans(text))


def mask_contact(text: str, region: str = "US") -> str:
    """Mask emails and phone numbers (digits or spoken) for logs; IDs and invoices stay."""
    import phonenumbers  # lazy: ~40 ms to import, and only logging needs it

    spans = [(m.start(), m.end(), "[email]") for m in _EMAIL.finditer(text)]
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        if not _ATTACHED.search(text[: match.start]):
            spans.append((match.start, match.end, "[phone]"))
    for run in _runs(text, _tokens(text)):
        digit_toks = [t for t in run if t.digits is not None]
        count = sum(len(t.digits or "") for t in digit_toks)
        if 7 <= count <= 15 and any(not t.word.isdigit() for t in digit_toks):
            spans.append((digit_toks[0].start, digit_toks[-1].end, "[phone]"))
    return _replace(text, spans)
