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
from typing import Literal, cast, get_args

from recoup.agent.phrases import PHRASES

Intent = Literal[
    "pay_now", "promise_to_pay", "already_paid", "dispute", "cancel", "change_plan", "hardship",
    "callback", "wrong_party", "opt_out", "human", "question", "other", "yes", "no", "hold",
    "greeting",
]  # fmt: skip
Topic = Literal[
    "amount", "invoice", "due_date", "reason", "legitimacy", "recording", "caller", "repeat"
]
ChannelName = Literal["email", "whatsapp"]

#: Paying, in any tense but the past; ``understand`` decides now versus later.
PAY = re.compile(
    r"\b(pay|settle|clear|cover) (it|this|that|the|off|now|today|by|on|next|in|at|friday|monday"
    r"|tuesday|wednesday|thursday|saturday|sunday|tomorrow|when|after|as|once|then|up|over|with"
    r"|using|via|online|all|everything|you|\$?\d+)\b"
    r"|take care of (it|this|that)|sort (it|this|that)( out)?\b|get (it|this|that) (paid|done"
    r"|sorted|handled|settled|cleared|taken care of)|have (it|this|that) (paid|done|sorted"
    r"|settled|cleared|covered|taken care of)"
    r"|(update|change|replace|fix) (my |the )?(card|payment (method|details|info))"
    r"|(retry|rerun|run|charge|try) (it |the card |my card |the payment )?again"
    r"|\blink\b|how (can|do) i pay|make (the |a )?payment|\bsend (it|me|that|this|over)\b"
    r"|(when|once|after) i get paid|pay ?day|pay ?check"
    r"|(i will|i can|let me|let us|i would like to|i want to|i am going to|i should be able to)"
    r" (pay|do it|settle|update|sort|handle|clear|fix|transfer|send)"
    r"|\b(can|could|may) (i|we) (just )?(pay|settle|do (it|that|this)|clear)"
    r"|\b(put|run|charge|process|push) (it|this|that|the (payment|charge|card))( through)?\b"
    r"|(?<!did you )(?<!have you )\b(take|use|charge|try) (a|the|my|this|another|a different) (car"
    r"d|payment)\b"
    r"|\b(take|accept) (visa|master ?card|amex|cards?|card payments|debit|credit|apple pay)"
    r"|(i will|i should|i would|i am going to|i can) (have|get) (the |some |enough )?(money"
    r"|funds|cash)|(grab|get|find|fetch) my (wallet|purse|card)|\blog(ging)? ?in(to)?\b|what is th"
    r"e (website|web address|url|site)\b"
    r"|(pop|put|enter|add|type|stick|punch) (in )?(the |my )?(new )?(card )?(details|number)"
    r"|(let me|i will|i can|i could|shall i|should i|want me to) (just )?(give|read|tell) (you |th"
    r"em )?"
    r"(out )?(the|my|a) (\w+ )?(card|long number)"
    r"|\bdo (it|that|this)( \w+)? (now|today|right now|tonight|straight away|right away)\b"
)
UNABLE = re.compile(r"(cannot|can not|unable to|not able to|could not) (pay|make (the )?payment)")
#: Asking for time without naming it: a promise whose date must still be asked for.
DEFER = re.compile(
    r"\b(more time|(a )?few (more )?days|a bit later|not (just )?(right )?now|not today"
    r"|not this week|not yet|need (\w+ ){0,3}time|(a little|a bit of|a bit more|some more) time"
    r"|hold off|(give|gimme) (me|us) (a|an|some|a couple of|a few|\w+) (more )?(days?|weeks?)|end "
    r"of (this|the"
    r"|next) (week|month)|after (christmas|the holidays|new year|payday|the weekend|easter)"
    r"|(it|that|you) will (be paid|get (paid|it|yours|your money))(?! (now|today|tonight|right))|l"
    r"eave it with me|waiting (on|fo"
    r"r)"
    r" (a |my |the )?(client|customer|money|payment|check|cheque|funds|pay|wages|salary|loan)"
    r"|next (run|pay ?run|cycle|payroll)|get (round|around) to it)\b"
)
#: Asking for the link outright: paying now, whatever else was said about payday.
LINK_NOW = re.compile(
    r"(?<!will )(?<!i )\bsend (me|it|over|the|a)\b|\blink\b|update (my |the )?card|get it paid"
)
#: The paying itself put off ("send the link and I'll pay it when I can"), link or not.
PAY_LATER = re.compile(
    r"\b(pay|settle|clear|do|sort) (it|this|that)( off| out)? (when|once|after|later|next|on payda"
    r"y)\b"
)
NOT_NOW = re.compile(r"\bnot (just )?(right )?(now|today|this week|yet)\b")
NOW = re.compile(
    r"\b(now|today|right away|straight away|immediately|tonight|asap|as soon as (we|i) (hang up|ge"
    r"t off"
    r"|finish|are done)|this (morning|afternoon"
    r"|evening))\b"
)
LATER = re.compile(
    r"\b(later|until|till|when i get paid|payday|paycheck|salary|end of|soon|at some point"
    r"|some ?time|eventually|this month|next month|move (money|things|stuff) around|when i can"
    r"|christmas|holidays?|wages?|pension|benefits|(comes?|gets?|goes) in|hits"
    r"|(get|receive) (my )?(pay|wages|salary|check|cheque)|first|is going to (pay|sort|do|send)"
    r"|(get|have|ask) (him|her|them|my \w+) (to )?(do|pay|sort|send|handle))\b"
)
#: Small talk and bare exclamations: question-shaped, but nothing to answer or act on.
SMALL_TALK = re.compile(
    r"\b(weather|rain\w*|snow\w*|sunny|what time is it|the (game|match|score)|joke|how are you"
    r"|your favou?rite|(lovely|nice|beautiful|gorgeous) day|do you (like|enjoy|love)|noise"
    r"|is this thing on|where was i)\b|^((ok|okay|yes|yeah|right|so|and) )+(and|but|so)$"
    r"|^((wait|sorry|i am sorry|so|huh|eh) )*(what|huh|eh)( what)*$"  # a bare "what?" or "huh"
)

TOPICS: dict[Topic, str] = {
    "amount": r"how much|what (is|was) the (amount|total|balance)|what do i owe"
    r"|the (amount|total|balance) (was|is|again)$",
    "invoice": r"(which|what) (invoice|bill|charge)|invoice number|what (is|was) (this|it|that) "
    r"(for|about|regarding)|^is (this|it|that) for|\bis (this|it|that) (for|about|regarding) (the|"
    r"my|that)",
    "due_date": r"when (was|is) (it|that|this|the \w+) due|due date|deadline",
    "reason": r"(?<!is )(?<!that )(?<!probably )\bwhy\b|what (happened|went wrong)"
    r"|(did not|not) go through|\b(failed|declined|bounced)\b",
    "legitimacy": r"scam|legit|genuine|legitimate|phishing|prove|how (do|can) i (know|verify|"
    r"check|trust)|how did you get (my|this) number|\b(safe|secure)\b",
    "recording": r"record(ed|ing)?\b",
    "caller": r"who (is|are) (this|you|calling|it)|who is calling|where are you calling from|what "
    r"company|(are you|is this) (a |an )?(robot|bot|machine|computer|real|human|person|ai|"
    r"automated)|(am i|are we) (talking|speaking) (to|with) (a |an )?(computer|robot|machine|bot|ai"
    r"|real|human)|who do you work for|who am i (talking|speaking)|^who$",
    "repeat": r"(say|repeat) (that|it)( again)?|pardon|come again|what did you (just )?say$"
    r"|^sorry$|what (was|is) that\b|what was the question|(speak|talk) (slower|more slowly|up|loud"
    r"er)"
    r"|slow down"
    r"|what do you mean|(not sure|do not (understand|know)) what you mean",
}
QUESTION_SHAPE = re.compile(
    r"^((wait|sorry|so|and|but|okay|ok|well|excuse me|hang on|hold on|just|actually) )*"
    r"(what|why|how|when|where|who|which|is|are|was|were|can|could|do|does|did|will|would|has"
    r"|have|should|shall|may)\b(?! not\b)(?!( no| nope| yes| yeah)?$)"
    r"|\b(is (that|it|this) (right|correct|true|so)|are you sure)\b"
)
YES = re.compile(
    r"\b(that is me|it is me|speaking)\b|^you (have )?(got|found|reached) (her|him|me)$|"
    r"^(?!(no|nobody|noone|not|nothing|one)\b)[a-z]+ here$|"
    r"^((so|well|right|okay|ok) )*(yes|yeah|yep|yup|yea|ya|sure|correct|right|speaking|absolutely|"
    r"definitely|of course|awesome|excellent|brilliant|lovely|cool|that is great|"
    r"certainly|ok|okay|alright|all right|fine|please do|go ahead|uh huh|mhm|indeed|sounds good|"
    r"that works|perfect|great|that is (right|correct|me|fine)|it is me|this is (he|she|him|her"
    r"|me)|that would be|either|whichever|whatever|i do not mind|no preference|"
    r"(it )?does not matter|go for it|do it|that is it|works for me|exactly|true|i think so|"
    r"it (surely |certainly )?is(?= *$| (me|so|indeed|yes))|aye|grand|that is what i said|spot on|"
    r"bang on|that is the one|you got it"
    r")\b(?! not)|\byes\b|\b(that is|it is) (exactly |quite )?(right|correct|it)$"
)
NO = re.compile(
    r"^(no|nope|nah|not|negative|incorrect|do not)\b|\b(that is|it is) (not right|wrong|incorrect"
    r"|not what i (said|meant|asked|wanted))\b|\bno\b|\b(of course|definitely|absolutely"
    r"|certainly|surely) not\b|^(it|that|this) (is|was) not\b|\b(never|did not) say (that|it)\b"
    r"|\b(can not|will not|not be able to|not able to) make it\b"
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
        frozenset({"dispute", "already_paid"}),
        frozenset({"dispute", "cancel"}),
        frozenset({"yes", "no"}),
    }
)
PRIORITY: tuple[Intent, ...] = (
    "opt_out", "human", "wrong_party", "dispute", "change_plan", "cancel", "hardship",
    "already_paid", "callback", "pay_now", "promise_to_pay", "question", "yes", "no", "hold",
    "greeting",
)  # fmt: skip

COMPILED: dict[Intent, re.Pattern[str]] = {
    cast(Intent, intent): re.compile("|".join(f"(?:{p})" for p in patterns))
    for intent, patterns in PHRASES.items()
}
assert set(COMPILED) <= set(get_args(Intent)), "a phrase table names an unknown intent"
TOPIC_PATTERNS: dict[Topic, re.Pattern[str]] = {k: re.compile(v) for k, v in TOPICS.items()}
