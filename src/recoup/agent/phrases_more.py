"""More phrase families, appended to the tables in ``phrases`` (same conventions).

Each entry covers a way of saying the thing, not one sentence: the verbs people reach for
(reversed, waived, taken off), who they name (a bookkeeper paid, an executor answers), and the
indirect forms (nobody mentioned a fee, I'd rather you didn't phone).
"""

from __future__ import annotations

_CALL = r"(call|ring|phone|contact|text|dial|bother)"
_DEPTS = (
    r"(sales|billing|accounts|legal|credit control|collections|complaints|finance|tech support"
    r"|technical support|support|customer services?|retentions?|disputes)"
)
_SERVICE = r"(service|subscription|plan|account|membership|contract)"
_BENEFITS = (
    r"(benefits|universal credit|centrelink|jobseeker|food stamps|welfare|the dole|social security"
    r"|disability|pension|sick pay|statutory sick pay|maternity pay)"
)

MORE_PHRASES: dict[str, tuple[str, ...]] = {
    "opt_out": (
        rf"(do not|never|not) (ever )?{_CALL} (me |us |here |hear )?(\w+ ){{0,3}}(again|anymore"
        r"|any more|at all)\b",
        rf"^((how many times|i said|again) )*(do not|never) {_CALL}( (me|us|here|this number))?$",
        rf"(complain\w*|report\w*|sue|police|ombudsman|regulator)( \w+){{0,5}} (if|when) you"
        rf" (\w+ )?{_CALL}", rf"{_CALL} (me |us )?again (and|then) (i|we)\b",
        rf"(if|when) you {_CALL} (\w+ ){{0,3}}(i|we) (will|am going to|shall) (report|complain|sue"
        r"|call the police|go to)", r"block (my|this|our) number|\bdiall?er\b",
        rf"rather you (did not|not|never|do not|would not|stopped) {_CALL}",
        r"cease (\w+ )?(contact|calls|calling)|no more (phone )?contact\b",
        rf"(do not|not) have (my|our) (permission|consent) to {_CALL}",
        r"(withdraw\w*|revok\w*|remove) (my|our|any) (permission|consent)",
        r"not interested in (being|getting) (called|rung|phoned|contacted|calls)",
        r"(only|just) (contact me |write to me )?in writing|(write|email) to me instead|by (post|l"
        r"etter) only",
    ),
    "human": (
        rf"(?<!our )(?<!with )\b(your|the) {_DEPTS} (team|department|dept|people|office|guys|desk)",
        rf"^(the |your )?{_DEPTS}( (team|department|dept|people|office|desk))?( please| now)\b|(ge"
        rf"t me|put me through to|talk to|speak to|speak with|transfe"
        rf"r me to|like) (your |the )?"
        rf"{_DEPTS}\b(?! (is|are|said|told|have|has|ran|team ran))",
        r"(speak|talk)( to| with| two| too)? (a |an )?(agent|person|human|operator|someone)\b",
        r"\b(agent|operator)( please)?$|press(ing)? (zero|0) for",
        r"(talk|speak) (to|with) (our|my) account (manager|rep|representative)",
        r"(someone|somebody|a person|a human) (from|in|at) (your|the) (team|office|company"
        rf"|department|{_DEPTS})", r"is there (someone|somebody|anyone|anybody)( \w+){0,4} (i can|"
        r"to"
        r"|who can|i could) (talk|speak)",
    ),
    "wrong_party": (
        r"power of attorney|\bexecutor\b|next of kin|\bguardian\b|(his|her|their) estate",
        r"(does not|do not|no longer) (have|use|own) (this|that|the) (number|phone)( \w+)?",
        r"(had|have had|got|have got) (this|the|that) (number|phone) (since|for)",
        r"(this|the|that) (number|phone) used to (belong|be)|used to belong",
        r"(old|previous|former|last) (owner|owners|tenant|tenants|occupant|occupier|employee)",
        r"bought (it|the \w+|this \w+) (off|from) (her|him|them)",
        r"(this|it) is (a |the )?(shared|office|work|business|school|company|family|house|home"
        r"|front) (phone|line|number)",
        r"this is the (\w+ ){0,3}(office|supervisor|desk|reception|school|shop|store|surgery"
        r"|clinic|hotel|cafe|restaurant|pharmacy|practice|switchboard)\b",
        r"\b(i am|this is|it is) (his|her|their|the) (accountant|bookkeeper|solicitor|lawyer"
        r"|attorney|nan|nana|gran|granny|twin|mate|pa|babysitter|carer|son|daughter|\w+sitter)",
        r"\b[a-z]+ is (mate|twin|nan|nana|gran|accountant|bookkeeper)\b|\bthat is my twin\b",
        r"\bnot me\b,? (i am|this is|it is|my name)|\b(i am|this is) not (him|her|dana)\b",
        r"no idea who (that|this|she|he|you mean|you are (after|looking for))\b",
        r"(the )?(parents|family|owners) (are|is) (out|away|not (here|home|in))",
        r"(account|bill|it|invoice|this|that) is (all )?in (his|her|their|my \w+ is) name",
        r"(look after|handle|manage|do|sort) (my \w+ is|his|her|their) (bills|finances|accounts"
        r"|affairs|money)", r"\b\w+ left the (company|firm|business|practice)",
    ),
    "dispute": (
        r"(do not think|not sure|not convinced) (that|this|it) is (right|correct|accurate|fair)",
        r"paid (\w+ ){0,4}(upfront|up front|in advance|annually|for the (whole|full) year)",
        r"(you|your \w+|they) (broke|damaged|ruined|wrecked)\b|(and|now) you (want|expect) (me|us)"
        r" to pay",
        r"(raised|opened|logged|filed|lodged|put in|made) (a |an )?(query|complaint|ticket|case"
        r"|dispute|claim|chargeback)", r"charge ?back", r"revers(e|ed|al)\b", r"\bwaive",
        r"(it|that|this|price|bill|charge|amount|invoice|fee) (is|was) (meant|supposed) to (be|cos"
        r"t)\b(?! paid)",
        r"(you are|you were|they are) (meant|supposed) to (be )?(charging|billing|charge|bill)",
        r"(price|rate|fee) (rise|increase|hike)",
        r"\bquote (was|said)|\bquoted\b|when (i|we) (signed up|joined)",
        r"(did not|never|have not) (sign|signed|agree to|agreed to) (any|a|the|this|that|anything"
        r"|for)", r"pro ?rat", r"(i|we) (have )?(already )?(downgraded|switched plans|changed plan"
        r"s)",
        r"(never|did not|have not) (upgrade|upgraded|downgrade|downgraded)\b",
        r"(still|charging|charged|billing|billed)( \w+){0,3} (the )?old (price|rate|plan)",
        r"(added|taken|applied|charged|billed|debited|included|counted) (\w+ ){0,3}(twice|two times"
        r"|to times|too times|double)\b", r"advertis|trading standards|consumer (rights|affairs)",
        r"(someone|somebody) else is (order|invoice|bill|charge|account|debt)|not ours\b",
        r"not paying (full|the full|for (that|this|what))|only (paying|pay|going to pay) for",
        rf"(service|it|internet|system|app|product|{_SERVICE}) (has been|was|is) (rubbish|terrible"
        r"|awful|useless|broken|crap|shocking|garbage|unusable)|(was|been|is) down (for|half|most|"
        r"all|the)",
        r"half delivered|(partly|partially) delivered|(items?|parts?) (missing|never came)",
        r"(you|they|you have|you are|they have) (charged|charging|billed|billing) (me|us) for\b",
        r"\bcharging (me|us) for\b", r"(it|that|this|price|bill|charge|fee|cost|rate|invoice|amoun"
        r"t|subscription) (has |is )?"
        r"(gone|went|shot|jumped) up\b",
        r"(nobody|no one|never|you never|they never) (mentioned|told|said)",
        r"(that|it) is (just |simply |really |definitely )(not right|wrong|incorrect)",
        r"only (used|had) (it|the service|them)",
    ),
    "cancel": (
        r"\b(give|giving) (it|this|that|the \w+) up\b|give up (the|my|our)",
        r"disconnect|deactivat", rf"shut (down )?(the |my |our )?{_SERVICE}",
        rf"clos(e|ing) (down )?(our|my|the|this) {_SERVICE}", rf"{_SERVICE} closed",
        r"(do not|no longer) want to be (a |your )?(customer|member|subscriber|client)",
        r"can sell (my|the|it|our|this)",
        r"(going|switching|moving|gone|went) (with|to|over to) (a |another )?(competitor"
        r"|different provider|another provider)",
        rf"(take|get) (me|us) off (the|my|this|your) (\w+ )?{_SERVICE}",
    ),
    "hardship": (
        r"afford (about|around|maybe|roughly|only|half|a (third|quarter|bit|little)|some|part)",
        r"(can not|could not) (a ford|aford|stretch)|stretched (to the limit|thin)",
        r"(i am|we are) (a |just a )?(student|pensioner)",
        r"(maternity|paternity|sick|medical|unpaid) (leave|pay)|off sick",
        r"(just about|barely|hardly) (managing|getting by|coping|surviving|scraping)",
        rf"\bon (the |a |my )?(\w+ ){{0,2}}{_BENEFITS}\b(?! (day|comes|goes|payment|is paid))|(app"
        rf"lied for|claiming|waiting (on|for)) "
        rf"{_BENEFITS}|\b(centrelink|jobseeker|universal credit)\b",
        r"(work|business|money|income|jobs|contracts|orders|clients|customers) (is |has |have )?"
        r"(dried up|drying up|gone quiet)",
        r"(is|are|has been|have been) in (the )?hospital|(not been able to|unable to|can not|could"
        r" not) "
        r"work\b(?! out)",
        r"already spent|(all )?spent already|(money|it) is all gone",
        r"(funding|income|hours|salary|wages|benefits) (is |has |have |was |were )?(been )?(cut"
        r"|reduced|slashed|stopped)",
        r"(do|give|set up|get|offer|arrange) (me |us )?(a|some sort of|some kind of) (payment "
        r")?plan\b(?! (change|upgrade|downgrade))", r"down to (one|a single) (income|salary|wage)",
        r"(choose|choosing) between|(buy|afford|pay for) (food|groceries|rent|heating)",
        r"(do not|not) know how (i am|we are|i will|we will|i would) (going to )?(pay|afford|manag"
        r"e|cope"
        r")",
        r"pay (it )?(monthly|weekly|fortnightly)", r"(pension|wages?|salary|income|benefits|money|"
        r"pay|budget) (does not|do not|will not|would not) "
        r"(cover|stretch)",
        r"(going|gone) (under|bust|bankrupt)",
        r"(can not|could not) pay (anything|anyone|a thing|a penny|a cent|nothing)",
        r"\bflood|lost everything|everything is gone", r"back on (my|our) feet|breathing space",
        r"freeze it|(freeze|pause) (the |my |this )?(payments?|debt|interest|charges)",
        r"(only )?(got|have) (like |about |only |just )?\w+ (dollars|quid|pounds|bucks|euros)$",
    ),
    "already_paid": (
        r"all ready (paid|sent|settled|done)", r"(^|\band |\bjust )paid\b(?! (it )?(now|today))",
        r"(?<!get )(?<!got )(?<!be )(?<!been )(?<!getting )(?<!not )(?<!am )(?<!i was )\bpaid (it "
        r"|that |this |them )?"
        r"(all|off|in full|yesterday|last|online|by (bank|card|transfer|check|cheque|direct|standi"
        r"ng|apple"
        r"|credit|debit|phone)|via|over|already|using|with|on the)\b",
        r"topped (it |that |this )?up|already (took|taken|collected|debited|charged) (it|that|the "
        r"(money|payment))|(it is|shows|showing|see it|shows as|it is showing) (as )?pending\b",
        r"(?<!you )(?<!to )(?<!will )\b(ran|processed) (that|the|this|our) payment",
        r"(that|it|this)( one| invoice| bill)? is (all )?(done|sorted|dealt with|handled|cleared)\b"
        r"(?! (now|today|tomorrow|by|when|after))", r"payment (ref|reference) (was|is|number)",
        r"(payment|it|money|transfer|that|this) (is|has|have) been (made|sent|done|processed|taken"
        r"|submitted|taken care of|dealt with|handled|sorted)",
        r"\bbeen (taken care of|handled|dealt with)",
        r"(?<!will )(?<!can )(?<!to )\b(dropped|put|popped|sent|mailed|posted) (a |the |my )?(cheq"
        r"ue|check|payment)( \w+)? (in"
        r"|into|off)", r"statement (\w+ ){0,6}(shows|says)",
        r"should (be|have gone|have cleared) (through|cleared)\b",
    ),
    "hold": (r"\b(hold on|hang on|one (sec|second|moment|minute)|just a (sec|second|moment|minute)"
        r")\b",),
    "callback": (
        r"\bcall (me |us )?then\b|(i will|i am|we will) be free (after|at|from|later|in|around)",
        r"give (it|me|us) (an|half an|a few|a couple of|\w+) (hours?|minutes) (and|then) (try|call"
        r"|ring)",
        r"\b(call|ring) (me |us )?(on )?(my|the) (office|work|home|mobile|cell|other|landline)",
    ),
}  # fmt: skip
