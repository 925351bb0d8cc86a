"""The phrase patterns behind ``understand``: one table per intent, in spoken, normalised form.

Patterns run on text that ``understand.normalise`` has lowercased, stripped of punctuation and
fillers, with contractions expanded ("don't" -> "do not", "I'll" -> "i will"), so one pattern
covers both what a person types and what speech recognition writes. They are data, kept apart
from the logic that weighs them, so adding a phrase never touches control flow.

``PRIORITY`` is the order in which intents win when several match: what the customer must be
able to stop (opt-out, a human) beats everything; then who we are talking to; then what a human
must handle; and only then the happy paths.
"""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal[
    "pay_now", "promise_to_pay", "already_paid", "dispute", "cancel", "change_plan", "hardship",
    "callback", "wrong_party", "opt_out", "human", "question", "other", "yes", "no", "hold",
    "greeting",
]  # fmt: skip
Topic = Literal[
    "amount", "invoice", "due_date", "reason", "legitimacy", "recording", "caller", "repeat"
]
ChannelName = Literal["email", "whatsapp"]

_PEOPLE = r"(human|person|people|someone|somebody|agent|representative|rep|manager|supervisor|operator|staff)"  # noqa: E501

PATTERNS: dict[Intent, tuple[str, ...]] = {
    "opt_out": (
        r"(stop|quit|cease) (calling|phoning|ringing|contacting|bothering|harass)",
        r"(do not|never) (ever )?(call|contact|phone|ring) (me|us|this number|here)"
        r"( again| anymore| any more|$)",
        r"(take|remove|delete) (me|us|my number|this number) (off|from)",
        r"remove (my|this|our) (number|details)",
        r"do not (call|contact) list", r"opt (me )?out", r"leave me alone",
        r"no more calls", r"do not want (any more |more |these |your )?calls",
        r"unsubscribe(?! from (the |your |my )?(service|subscription|plan|product|account))",
    ),
    "human": (
        rf"(speak|talk|chat) (to|with) (a |an |the |some |your |my )?"
        rf"(real |actual |live |account )?{_PEOPLE}",
        rf"(want|need|like|get|get me|give me|put me with) (to )?(a |an |the |your )?"
        rf"(real |actual |live )?{_PEOPLE}\b",
        r"(stop|quit) talking to (a |the )?(bots?|robots?|machines?|computers?|virtual agents?)",
        r"(transfer|connect) me", r"put me through", r"customer (service|support)",
        r"human being", r"(do not|not) want to (talk|speak) to (a )?(robot|machine|bot|computer)",
    ),
    "wrong_party": (
        r"wrong (number|person)", r"you have the wrong",
        r"(no one|nobody|noone|no body) (here )?(by|with|called|named) (that|this) name",
        r"\b(he|she|they|\w+) (is|are) not (here|home|in|available|around)\b",
        r"front desk", r"reception", r"picked up (\w+ is|his|her|their) phone",
        r"(he|she|they) (is|are) (out|away|at work|unavailable)",
        r"(does|do) not (live|work) here", r"no longer (lives|works) here",
        r"(do not|never) know (him|her|them|who|anyone|anybody|that person)",
        r"(his|her|their|\w+ is) (wife|husband|partner|son|daughter|mother|father|mom|mum|dad"
        r"|brother|sister|assistant|secretary|colleague|boss|roommate)",
        r"take a message", r"(this|it) is not (him|her|them|me)",
        r"(he|she|they) (has |have )?(passed away|died)",
    ),
    "dispute": (
        r"dispute", r"\b(this|that|the charge|it) is fraud", r"fraudulent (charge|transaction)",
        r"(did not|never) (order(ed)?|authori[sz]ed?|sign(ed)? up|agreed?|ask(ed)?|buy|bought"
        r"|purchased?|used?|received?|get|got) (it|this|that|for|to|the|anything|any)",
        r"not (authori[sz]ed|mine|my (charge|invoice|bill|debt))", r"(do not|does not) owe",
        r"(amount|charge|invoice|bill|price|total) (is|was|seems|looks) (wrong|incorrect|too high"
        r"|not right|off)",
        r"(wrong|incorrect) (amount|charge|invoice|bill|price)", r"over ?charged",
        r"(charged|billed) (me |us )?(twice|two times|double|too much)", r"double (charged|billed)",
        r"(does|did|is|was) not (work|working|delivered)",
        r"(not|never) (what|as) (i|we) (ordered|agreed|expected)", r"refund",
        r"(never|not) (going to )?pay(ing)? (for )?(this|that|it|you)",
        r"(will not|refuse to) pay", r"should not (have to )?pay",
        r"(billing|your|an?) (mistake|error)", r"(do not|not) want to pay",
        r"(do not|did not) recogni[sz]e", r"never (even )?(got|had|received) (access|anything)",
        r"(billed|charged)( \w+){0,3} (twice|two times|double|wrong|more|extra)",
        r"wrong (plan|price|amount)", r"two (identical )?(charges|payments)",
        r"more than (we|i) (agreed|expected|signed up)",
        r"price (went|has gone|is going|go|goes|going) up",
        r"used to be (a lot |much )?(less|cheaper)", r"why (would|should) (i|we) pay",
        r"(that|it) is (not right|wrong|not correct|incorrect)",
    ),
    "change_plan": (
        r"(change|switch|downgrade|upgrade|modify|reduce|lower) (my |our |the )?(plan|subscription"
        r"|contract|package|tier|seats|licen[cs]es|users)",
        r"(cheaper|smaller|different|lower|bigger) (plan|package|tier|option)",
        r"fewer (seats|licen[cs]es|users)", r"renegotiate", r"\b(downgrade|upgrade)\b",
    ),
    "cancel": (
        r"cancel", r"terminate", r"close (my|our|the) account",
        r"(end|stop) (my|our|the) (subscription|service|membership|contract|plan)",
        r"(do not|no longer) (want|need|use) (it|this|the|your)( \w+)?( anymore| any more)",
        r"unsubscribe from",
    ),
    "hardship": (
        r"lost (my|our) (job|income|business|work)", r"unemployed", r"laid off", r"furlough",
        r"redundan", r"(cannot|can not) afford", r"no money", r"not enough (money|funds|cash)",
        r"do not have (the |any |enough )?(money|funds|cash)", r"\bbroke\b", r"bankrupt",
        r"struggling", r"(hard|tough|difficult) (time|times|month|period)",
        r"financial(ly)? (difficult|hardship|trouble|problem|struggl)", r"medical", r"hospital",
        r"\bsick\b", r"illness", r"surgery", r"cash ?flow", r"business is (slow|bad|down)",
        r"money is tight", r"(passed away|died|funeral|bereave)",
    ),
    "already_paid": (
        r"already (paid|sent|settled|taken care|sorted|done)",
        r"\b(i|we) (have |just |already )*(paid|settled)", r"\bbeen (paid|settled)",
        r"\bpaid (it|that|this|the (invoice|bill))\b", r"\breceipt\b",
        r"\b(i|we) (have |just |already )*sent (the |a )?(payment|money|check|cheque|transfer)",
        r"(it|that|this|invoice|bill) (has been|was|is already) (paid|settled|taken care of)",
        r"(check|cheque|payment) (is|was) (in the mail|sent|on its way)",
        r"paid (it |that )?(yesterday|last week|this morning|online|by transfer|by check)",
        r"(payment|it|that|this) (went|has gone|did go) through",
    ),
    "callback": (
        r"call (me |us )?(back|later|again|another time|tomorrow|next week|in the)",
        r"(ring|phone) (me |us )?back", r"(bad|not a good|busy|inconvenient) (time|moment)",
        r"(i am|we are) (busy|driving|at work|in a meeting|in the middle of|on the other line)",
        r"(talk|do this|speak) (later|another time|tomorrow)", r"try (again )?later",
    ),
    "hold": (
        r"^(hold on|hang on|one (moment|second|sec|minute)|just a (moment|second|sec|minute))",
        r"let me (get|find|grab|fetch) (him|her|them)", r"(i will|let me) (get|put) (him|her)",
    ),
    "greeting": (r"^(hello|hi|hey|good (morning|afternoon|evening))( there)?$",),
}

#: Paying, in any tense but the past; ``understand`` decides now versus later.
PAY = re.compile(
    r"\b(pay|settle|clear|cover) (it|this|that|the|off|now|today|by|on|next|in|at|friday|monday"
    r"|tuesday|wednesday|thursday|saturday|sunday|tomorrow|when|after|as|once|then|up)\b"
    r"|take care of (it|this|that)|sort (it|this|that)( out)?\b|get (it|this|that) paid"
    r"|(update|change|replace) (my |the )?(card|payment (method|details|info))"
    r"|(retry|rerun|run|charge|try) (it |the card |my card |the payment )?again"
    r"|\blink\b|how (can|do) i pay|make (the |a )?payment|\bsend (it|me|that|this|over)\b"
    r"|(when|once|after) i get paid|pay ?day|pay ?check"
    r"|(i will|i can|let me|let us|i would like to|i want to|i am going to) (pay|do it|settle)"
)
UNABLE = re.compile(r"(cannot|can not|unable to|not able to|could not) (pay|make (the )?payment)")
#: Asking for time without naming it: a promise whose date must still be asked for.
DEFER = re.compile(
    r"\b(more time|(a )?few (more )?days|a bit later|not (right )?now|not today|not this week"
    r"|not yet|need (a few|some) (days|time))\b"
)
#: Asking for the link outright: paying now, whatever else was said about payday.
LINK_NOW = re.compile(
    r"\bsend (me|it|over|the|a)\b|\blink\b|update (my |the )?card|get it paid"
)
NOT_NOW = re.compile(r"\bnot (right )?(now|today|this week|yet)\b")
NOW = re.compile(
    r"\b(now|today|right away|straight away|immediately|tonight|asap|this (morning|afternoon"
    r"|evening))\b"
)
LATER = re.compile(r"\b(later|until|when i get paid|payday|paycheck|salary|end of|soon)\b")

TOPICS: dict[Topic, str] = {
    "amount": r"how much|what (is|was) the (amount|total|balance)|what do i owe",
    "invoice": r"(which|what) (invoice|bill|charge)|invoice number|what (is|was) (this|it|that) "
    r"(for|about|regarding)|^is (this|it|that) for",
    "due_date": r"when (was|is) (it|that|this|the \w+) due|due date|deadline",
    "reason": r"why|what (happened|went wrong)|(did not|not) go through",
    "legitimacy": r"scam|legit|genuine|legitimate|phishing|prove|how (do|can) i (know|verify|"
    r"check|trust)|how did you get (my|this) number",
    "recording": r"record(ed|ing)?\b",
    "caller": r"who (is|are) (this|you|calling|it)|who is calling|where are you calling from|what "
    r"company|(are you|is this) (a |an )?(robot|bot|machine|computer|real|human|person|ai|"
    r"automated)|who do you work for|who am i (talking|speaking)|^who$",
    "repeat": r"(say|repeat) (that|it)( again)?|pardon|come again|what did you say|^sorry$",
}
QUESTION_SHAPE = re.compile(
    r"^(what|why|how|when|where|who|which|is|are|can|could|do|does|did|will|would)\b(?! not)"
)
YES = re.compile(
    r"\b(that is me|it is me|speaking)\b|"
    r"^((so|well|right|okay|ok) )*(yes|yeah|yep|yup|yea|ya|sure|correct|right|speaking|absolutely|"
    r"definitely|of course|awesome|excellent|brilliant|lovely|cool|that is great|"
    r"certainly|ok|okay|alright|all right|fine|please do|go ahead|uh huh|mhm|indeed|sounds good|"
    r"that works|perfect|great|that is (right|correct|me|fine)|it is me|this is (he|she|him|her"
    r"|me)|that would be|either|whichever|whatever|i do not mind|no preference|"
    r"(it )?does not matter)\b(?! not)|\byes\b"
)
NO = re.compile(
    r"^(no|nope|nah|not really|negative|incorrect|not me|do not)\b|\b(that is|it is) (not right|"
    r"wrong|incorrect)\b|\bno\b|\b(of course|definitely|absolutely|certainly|surely) not\b"
)
SOFT_NO = re.compile(r"\bno (problem|worries|thanks|thank you)\b")
UPSET = re.compile(
    r"\b(angry|furious|pissed|ridiculous|outrageous|unacceptable|harass\w*|sick of|fed up|"
    r"stupid|idiots?|damn|how dare|sue|lawyer|attorney|disgusting|terrible|shit|fuck\w*|crap|"
    r"annoy\w*)\b"
)
CHANNELS: tuple[tuple[re.Pattern[str], ChannelName], ...] = (
    (re.compile(r"\b(e ?mail|gmail|inbox|outlook)\b"), "email"),
    (re.compile(r"\b(whats ?app|text|sms|message me|my (cell|mobile))\b"), "whatsapp"),
)
#: Words that set Spanish, French and German apart from English, and common English words.
FOREIGN = tuple(
    frozenset(words.split(" "))
    for words in (
        "hola que qué por favor sí gracias usted está estoy puedo pagar hablo inglés ingles "
        "español señor señora bueno cuenta dinero quién el los las una del con para pero mi yo "
        "tengo ahora mañana llamar momento número equivocado es la",
        "bonjour allô allo oui non merci je suis vous est c'est pas le les des une avec pour "
        "parle anglais français qui quoi payer facture rappeler madame monsieur désolé ne au "
        "revoir",
        "hallo ja nein danke ich bin sie nicht das ist wer spreche englisch deutsch bitte "
        "rechnung bezahlen zahlen später morgen und mit kein keine ein eine der",
    )
)
ENGLISH = frozenset(
    {"the", "a", "an", "i", "you", "he", "she", "it", "we", "they", "is", "are", "am", "was",
     "be", "to", "of", "and", "in", "on", "for", "with", "my", "your", "this", "that", "what",
     "yes", "no", "not", "do", "can", "will", "pay", "please", "hello", "hi", "who", "sorry",
     "okay"}
)  # fmt: skip
CONFLICTS = frozenset(
    {
        frozenset({"already_paid", "pay_now"}),
        frozenset({"already_paid", "promise_to_pay"}),
        frozenset({"dispute", "pay_now"}),
        frozenset({"dispute", "promise_to_pay"}),
        frozenset({"yes", "no"}),
    }
)
PRIORITY: tuple[Intent, ...] = (
    "opt_out", "human", "wrong_party", "dispute", "change_plan", "cancel", "hardship",
    "already_paid", "callback", "pay_now", "promise_to_pay", "question", "yes", "no", "hold",
    "greeting",
)  # fmt: skip

COMPILED: dict[Intent, re.Pattern[str]] = {
    intent: re.compile("|".join(f"(?:{p})" for p in patterns))
    for intent, patterns in PATTERNS.items()
}
TOPIC_PATTERNS: dict[Topic, re.Pattern[str]] = {k: re.compile(v) for k, v in TOPICS.items()}
