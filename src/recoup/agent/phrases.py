"""The phrase tables behind each intent, in spoken, normalised form (see ``intents``).

Each table lists the ways people say one thing, written as short patterns over *shapes* rather
than whole sentences: a verb family, what it acts on, and the negation or tense that changes its
meaning ("I cancelled" contests a charge, "cancel it" asks to cancel). Text has been lowercased,
stripped of punctuation and fillers, and contractions expanded ("can't" -> "can not").
"""

from __future__ import annotations

from recoup.agent.phrases_debt import DEBT_PHRASES
from recoup.agent.phrases_more import MORE_PHRASES

_PEOPLE = (
    r"(human|humans|person|people|someone|somebody|agent|representative|rep|manager|supervisor"
    r"|operator|staff|boss|team ?leader|real one)"
)
_PEOPLE_WORDS = r"(human|person|agent|operator|representative|rep|manager|supervisor)"
_MACHINE = r"(robots?|machines?|bots?|computers?|recordings?|ai|automated (system|thing))"
#: Who else may pick up the phone: family, household, work, care.
RELATION = (
    r"(wife|husband|partner|fianc\w*|son|daughter|kid|child|mother|father|mom|mum|mam|dad|"
    r"brother|sister|brother in law|sister in law|\w+ in law|step\w+|grand\w+|aunt|auntie|uncle|"
    r"cousin|nephew|niece|ex|girlfriend|boyfriend|friend|neighbou?r|roommate|room mate|"
    r"flatmate|flat mate|housemate|house mate|landlord|landlady|tenant|lodger|carer|caregiver|"
    r"caretaker|nurse|babysitter|baby sitter|nanny|au pair|cleaner|assistant|secretary|"
    r"receptionist|colleague|coworker|co worker|boss|employee|manager|office manager)"
)
#: Words after "I'm not" / "this isn't" that are no name ("I'm not sure", "this isn't fair").
_NOT_A_NAME = (
    r"(a|an|the|my|your|his|her|their|our|this|that|it|what|who|how|here|there|home|in|on|at|now"
    r"|so|too|very|really|quite|fair|right|correct|good|great|fine|ok|okay|true|mine|yours|sure"
    r"|interested|ready|able|available|allowed|aware|happy|legit|legal|possible|acceptable|real"
    r"|funny|free|over|done|stupid|kidding|joking|rich|afraid|worried|comfortable|responsible"
    r"|liable|well|alone|late|going|gonna|with|for|about|even|just|yet|bothered|convinced|certain"
    r"|\w+ing|\w+ed|\w+ly)"
)
_PLAN_THINGS = r"(service|subscription|plan|product|account|membership|contract|program|package)"

PHRASES: dict[str, tuple[str, ...]] = {
    "opt_out": (
        r"(stop|quit|cease|cut out) (calling|phoning|ringing|contacting|bothering|harass|dialing"
        r"|dialling|texting|messaging|pestering|hounding|robo ?calling)",
        r"cease and desist",
        r"stop (with )?(the |these |your |all the |all these )?(robo ?|automated |sales |phone )?c"
        r"alls",
        r"(do not|never) (ever )?(call|contact|phone|ring|dial|text) (me|us|this number|here"
        r"|my (cell|mobile|phone|number|work))\b(?! (back|later|until|till|before|after|at|on"
        r"|tomorrow|now|right now|today|tonight|this|next|in))",
        r"(take|remove|delete|erase|wipe|scrub) (me|us|my (phone )?number|this number|it|my "
        r"details|\d[\d ]*)( \w+)? (off|from) (your|the|this) (\w+ )?(list|system|records|database"
        r"|files)",
        r"\b(off|from) (your|the) (calling |call |contact |phone |dialing |dialling )?list\b",
        r"(remove|delete|take off|erase) (me|us|this number|my number|my details)"
        rf"(?! from (the |your |my |this )?(\w+ )?{_PLAN_THINGS})",
        r"(take|remove|delete|scrub) (me|us|my number|this number|my details) off\b"
        rf"(?! (of )?(the |your |my |this )?(\w+ )?{_PLAN_THINGS})",
        r"lose (my|this) number", r"(number|details) (removed|deleted|taken off|erased|wiped)",
        r"(do not|never) want (you|your company|anyone|you people|you guys) (to )?(ring|call|phon"
        r"|contact|text|bother)\w*", r"do not call (list|registry|register)",
        r"\bno (more )?(phone |robo ?|automated |sales )?calls\b", r"leave me alone",
        r"(do not|never|no longer) (want|wish) (any |these |your |automated |more |to get |to "
        r"receive |to have )*(robo ?|automated |phone |more )?calls",
        r"(do not|never|no longer) (want|wish) to be (called|contacted|phoned|rung|dialled|dialed)",
        r"(do not|never) consent to (these |your |any |being )?(calls|called|contacted|contact)",
        r"(revoke|withdraw|withdrawing|revoking|cancel) (my |all )?consent",
        r"(report|sue|complain about) you\b.*\b(calling|calls)|keep (calling|ringing|phoning)",
        r"\b(calls?|calling|ringing|rang|phoned)\b.*\bstop( it| now)?$",
        r"opt (me |us )?out(?! of (the |my |this |your )?" + _PLAN_THINGS + ")",
        r"unsubscribe(?!( me| us)? from (the |your |my )?(\w+ )?" + _PLAN_THINGS + ")",
    ),
    "human": (
        rf"(speak|talk|chat|deal) (to|with) (a |an |the |some |your |my )?"
        rf"(real |actual |live |account |proper |normal |another |other )?{_PEOPLE}",
        rf"(want|need|like|get|get me|give me|put me with|put|find me|fetch) (to )?(a |an |the |"
        rf"your )?(real |actual |live |proper )?{_PEOPLE}\b",
        rf"(stop|quit|not|never) (talking|speaking|doing this|dealing) (to|with) (a |an |the )?"
        rf"{_MACHINE}",
        rf"(do not|not|never) want to (talk|speak|deal) (to|with) (a |an |the )?{_MACHINE}",
        r"(transfer|connect|pass|hand|put) me (over |on |through )?(to|with)\b"
        r"(?! (voicemail|email))",
        r"(transfer|connect) me", r"put me through", r"non ?(robotic|automated|bot) ",
        r"(somebody|someone) else (take a look|help|deal|handle|look)",
        r"(reach|contact|get hold of) (your|an|a|the) (other |real |live )?(agent|human|person|"
        r"representative|rep|manager|supervisor)",
        rf"(not|never) (feel )?comfortable (\w+ ){{0,5}}(with|to) (a |an |the )?{_MACHINE}",
        rf"(prefer|rather) (talking|speaking|to talk|to speak|dealing|to deal) (to|with) "
        rf"(a |an )?(real |actual |live |normal )?{_PEOPLE}", r"customer (service|support|care)",
        r"(?<!our )(?<!with your )(billing|accounts|collections|complaints) (department|team|people"
        r"|office)",
        r"(speak|talk) to (someone|somebody) (in|from) ", r"human being",
        r"(?<!are you )(?<!you a )(?<!is this )(?<!this a )\b(an? )?(actual|real|live|proper) "
        r"(human|person|people)\b",
        r"(discuss|do|confirm|deal with|handle|sort|go through|go over) (this|it|that)( \w+)? "
        r"(only )?with (a |an |the )?(real |actual |live )?(human|person|people|someone)",
        r"(rather|prefer to|only) (talk|speak|discuss|deal|confirm|do this|do it)( \w+){0,2} "
        r"(to|with) (a |an )?(real |actual |live )?(human|person|people|someone|somebody)",
        r"is there (a |an |any )?(real |actual |live )?(human|person|people|someone|somebody"
        r"|anyone|anybody) (i can|to|who can) (talk|speak)",
        rf"^((an?|the|your|real|actual|live|just|please|now|give me|get me|{_PEOPLE_WORDS})"
        rf"( |$))*{_PEOPLE_WORDS}( please| now)*( {_PEOPLE_WORDS})?( please| now)*$",
    ),
    "wrong_party": (
        r"wrong (number|person|guy|lady|girl|man|woman|one|house|people|household|line|name|busine"
        r"ss"
        r"|company|office|firm|address|place|shop|family)",
        r"(you have|you got|you have got|have got|got|dialed|dialled|called|rang|rung) "
        r"(the |a )?wrong\b(?! (invoice|bill|amount|charge|account|plan|price|date|figure))",
        r"(no one|nobody|noone|no body|there is no one|there is nobody|no) (here |at this "
        r"number )?(by|with|called|named|of) (that|this|the|such a) name",
        r"(no one|nobody|noone|no body) (here |at this number )?(called|named|by the name)",
        r"\bno (?!(money|cash|funds|time|way|problem|worries|thanks|thank|more|one\b|chance"
        r"|need|idea|rush))\w+( \w+)? (here|at this (number|address|phone|line))\b",
        r"\b(he|she|they|\w+) (is|are) not (here|home|in|available|around)\b",
        r"front desk", r"reception", r"picked up (\w+ is|his|her|their) phone",
        r"(he|she|they) (is|are) (out|away|at work|unavailable|in (a )?meetings?|deployed|abroad"
        r"|overseas|busy|asleep|sleeping|in the shower)",
        r"(does|do) not (live|work|stay) here", r"no longer (lives|works|stays|uses) ",
        r"(he|she|they) (moved|has moved|have moved|left)( out| away| the company| the firm)?",
        r"(do not|never) know (him|her|them|who|anyone|anybody|that person|any (?!of\b)\w+)",
        rf"(his|her|their|\w+ is|this is (his|her|their|the)|i am (just |only )?(his|her|their"
        rf"|the|a|an)) {RELATION}\b",
        rf"answering (for|on behalf of) (my |his |her |their |the )?{RELATION}?",
        r"take a message", r"(this|it|that) is not (him|her|them|me)\b",
        rf"\b(he|she|they|\w+) (is|are) my {RELATION}\b", r"never heard of (him|her|them|that|\w+)",
        rf"^(no |sorry |nope |nah )*(i am|this is|it is) not (?!{_NOT_A_NAME}\b)[a-z]+( [a-z]+)?$",
        r"^(no |nope |nah |sorry )*(it is |that is |this is )?not (me|him|her)$",
        r"(he|she|they) (has |have )?(passed away|died|is dead|are dead|passed)",
        r"(?<!my )(?<!our )\b(?!i\b|we\b)[a-z]+ (has |had )?(passed away|passed on|died)\b",
        r"\bi am not (him|her|them|the (person|one|guy|lady|customer|account holder|owner)"
        r"|who you)", r"(looking for|want|need|mean|after) (someone|somebody) else",
        r"(just )?got this (number|phone)|(this|it) is (a |my )?new number"
        r"|(this|it) is not (his|her|their) (phone|number)",
    ),
    "callback": (
        r"(?<!i can )(?<!i could )\b(call|ring|phone|buzz) (me |us )?(back|later|again|another tim"
        r"e|tomorrow|tonight|this "
        r"(evening|afternoon|morning|weekend)|next|in|after|on|at|around|before|when|monday|"
        r"tuesday|wednesday|thursday|friday|saturday|sunday|the \d+|\d)",
        r"(ring|phone) (me |us )?back", r"(give|gimme) (me|us) a (call|ring|bell|buzz)",
        r"(bad|not a good|busy|inconvenient|awkward) (time|moment)", r"catch (me|us)\b",
        r"not (a |the )?(good|great|convenient|best|ideal|right) (time|moment)",
        r"(now|this|it|today) is (really |just )?not (good|great|a good time|convenient|ideal)",
        r"(can not|could not|unable to|not able to) (talk|chat|speak|deal with (this|it)|do this"
        r"|take (this|the|your) call|focus)",
        r"(i am|we are|i am just|i am currently) (busy|driving|working|eating|cooking|boarding|"
        r"slammed|swamped|travel\w*|walking into|heading (into|out|to)|putting the kids|"
        r"in (class|a class|a meeting|meetings|a lecture|the car|the shower|the middle of|church|"
        r"a shop|the store|an appointment|a session|the bath|bed|a hurry|a rush)|at (work|the gym|"
        r"the doctor|the dentist|the airport|church|school|the shops|dinner|lunch|the hospital|"
        r"a funeral|the station)|on (the other line|another call|a call|the phone|the train|the bus"
        r"|the road|my (way|lunch|break)|a (plane|flight|train|bus)|shift)|about to (go|board|"
        r"head|leave|start|walk|get))",
        r"(talk|do this|speak|chat|discuss|deal with this|sort this)( about (this|it))? (later|"
        r"another time|tomorrow|some other time|another day)",
        r"\btry (me|us)\b", r"\btry (again |back )?(later|tomorrow|tonight|after|in (an|a|\d)|next|"
        r"on|this (evening|afternoon))",
    ),
    "hold": (
        r"^(hold on|hang on|one (moment|second|sec|minute)|just a (moment|second|sec|minute))",
        r"let me (get|find|grab|fetch) (him|her|them)", r"(i will|let me) (get|put) (him|her)",
    ),
    "greeting": (
        r"^(hello|hi|hey|good (morning|afternoon|evening))( there)?( (hello|hi))*$",
        r"^((hello|hi|hey) )*(are you|is anyone|anyone|anybody|is anybody|is somebody|somebody)"
        r" (still )?there$",
    ),
}  # fmt: skip
PHRASES.update(DEBT_PHRASES)
for _name, _more in MORE_PHRASES.items():
    PHRASES[_name] = PHRASES.get(_name, ()) + _more
