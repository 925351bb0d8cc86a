"""The phrase tables for what the customer says about the debt itself: contesting it,
cancelling, not being able to pay, having paid. Same conventions as ``phrases``."""

from __future__ import annotations

_MONEY_WORDS = r"(money|cash|funds|income|savings|pay|wages?)"
_NUMBER = (
    r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|fifty"
    r"|sixty|seventy|eighty|ninety|a hundred|hundred)"
)

DEBT_PHRASES: dict[str, tuple[str, ...]] = {
    "dispute": (
        r"disput", r"contest", r"(made|make|making) a (mess|hash|balls) (of|up)|(messed|screwed|"
        r"mucked|stuffed) up|(got|have|has) (it|this|that|my \w+) wrong",
        r"money back",
        r"(way |far |much )?too (high|expensive|steep)\b",
        r"\b(this|that|the charge|it) is fraud",
        r"fraudulent",
        r"(did not|never) (order(ed)?|authori[sz]ed?|sign(ed)? up|agreed?|ask(ed)?|buy"
        r"|bought|purchased?|used?|received?|get|got) (it|this|that|for|to|the|anything|any|a )",
        r"not (authori[sz]ed|mine|my (charge|invoice|bill|debt))", r"(do not|does not) owe",
        r"(amount|charge|invoice|bill|price|total|fee) (is|was|seems|looks) (wrong|incorrect|too "
        r"high|not right|off|a mistake|an error|bogus|made up)",
        r"(wrong|incorrect) (amount|charge|invoice|bill|price|plan)", r"over ?charg",
        r"not the (right|correct) (amount|price|charge|bill|invoice|plan)",
        r"(charged|billed) (me |us )?(twice|two times|double|too much)", r"double (charged|billed)",
        r"(does|did|is|was|has) not (work|working|delivered|arrive|arrived|worked|shown up)",
        r"(has not|have not|did not|never) (arrived?|come|came|shown up|turned up|been delivered|s"
        r"howed up"
        r"|show up|turn up)",
        r"nothing (is |has )?(arrived|come|came|turned up|shown up|delivered)(?! through)",
        r"(not|never) (what|as) (i|we) (ordered|agreed|expected|signed up|asked|paid|was told|were"
        r" told|was promised|were promised)",
        r"(i|we) (did not|never|have not) (use|used|receive|received|order|ordered|get|got|want"
        r"|wanted)( it| them| that| this)?$",
        r"(amount|charge|price|bill|fee|it|this|that) is (ridiculous|outrageous|insane|crazy|a joke"
        r"|extortionate|daylight robbery)",
        r"refund(?! (whatever|what is|the rest|remaining|the remainder|the balance|anything))",
        r"(?<!can )(?<!could )\b(never|not) (going to )?pay(ing)? (for )?(this|that|it|you|a|the|"
        r"any|something|anything|stuff|what)\b(?! (now|today|right now|yet|this week|until|till"
        r"|at the moment|all|in full|off "
        r"now))", r"(?<!can )(?<!could )\b(am|are) not paying$", r"\bnever paying\b",
        r"(will not|refuse to|am not going to) pay\b(?! (now|today|yet|until|till))",
        r"should not (have to )?(pay|be (charged|billed|paying))",
        r"(billing|your|an?|system|computer|clerical|accounting|bank) (is )?(mistake|error|glitch)",
        r"(do not|not) want to pay", r"(do not|did not) recogni[sz]e",
        r"never (even )?(got|had|received) (access|anything|the|it|my)",
        r"(billed|charged)( \w+){0,5} (twice|two times|double|wrong|more|extra|again)",
        r"two (identical |separate |duplicate )?(charges|payments|bills)",
        r"more than (we|i) (agreed|expected|signed up|usually|normally|ever|used to|should)",
        r"(price|rate|fee|cost|bill) (went|has gone|is going|go|goes|going|was put|got put) up",
        r"(raised|increased|hiked|put up|jacked up|bumped up|doubled) (the |your |my |our )?"
        r"(price|rate|fee|cost|bill|charge)",
        r"used to be (a lot |much )?(less|cheaper)", r"(that|it) is (not right|wrong|not correct"
        r"|incorrect|a mistake|bogus|a joke|a rip off|not fair|unfair)",
        r"why (am|are|is|was|were|do|does|should|would|have) (i|we|it|this|you|my \w+)( \w+){0,2} "
        r"(paying|pay|charg|bill|so (high|much)|more|\d+)",
        r"(do not|does not|did not|never) agree (with|to)", r"\bbogus\b|rip ?off|\bscam charge",
        r"should (be|have been|only be) (less|lower|cheaper|smaller|free|cancel\w*|covered|\d+)",
        r"instead of (\$)?\d", r"(does not|do not|did not) match",
        r"(discount|promo\w*|coupon|credit|offer) (was not|is not|were not|has not been|never|not)"
        r" (applied|given|taken off|honou?red|added)",
        r"(was|were) (told|promised|assured|quoted|sold)",
        r"(you|they) (said|told me|promised)( \w+){0,3} (would|will|was|is) (be |get )?(free|refund"
        r"|cancel|cheaper|less|included|covered|credited)",
        r"(i am|we are) on (the|a|an) (?!payment )(\w+ ){0,2}(plan|tier|package|rate)",
        r"(you|they) (already )?(charged|took|take|billed|debited|deducted)\b.*\b(already|again"
        r"|twice)", r"already (charged|took|billed|debited|deducted)(?! (it|that|this|the (money|p"
        r"ayment|amount)))",
        r"(i|we|i have|we have|already|had|but i|but we) cancel(l)?ed\b|after (i|we) cancel",
        r"(returned|sent back) (it|the|them)", r"\bi returned\b",
        r"(late|extra|hidden|surprise) (fee|charge)s?( \w+){0,4} (error|mistake|fault|not fair)",
    ),
    "change_plan": (
        r"(change|switch|downgrade|upgrade|modify|reduce|lower) (my |our |the )?(plan|subscription"
        r"|contract|package|tier|seats|licen[cs]es|users)",
        r"(cheaper|smaller|different|lower|bigger) (plan|package|tier|option)",
        r"fewer (seats|licen[cs]es|users)", r"renegotiate", r"\b(downgrade|upgrade)\b",
    ),
    "cancel": (
        r"cancel", r"terminate", r"discontinu",
        r"close (it|out|down|(my|our|the|this) (account|subscription|membership|plan|service))",
        r"(end|stop|kill|drop|remove|scrap|finish|quit|leave) (my|our|the|this) "
        r"(subscription|service|"
        r"membership|contract|plan|account)",
        r"(do not|no longer) (want|need|use) (it|this|the|your|that)( \w+)?( anymore| any more)",
        r"(do not|no longer) (want|need|use) (it|this|that)$",
        r"unsubscribe( me| us)? from", r"opt (me |us )?out of",
        r"get rid of (my|the|this|our|it)|(stop|quit) using (your|the|this|it)",
        r"close (everything|it all|all of it)",
        r"(want|get|getting|be) out of (the|my|our|this) (contract|plan|subscription|agreement"
        r"|membership|deal)",
        r"(shut|turn|switch) (it|everything|the (service|account)) (off|down)",
        r"(do not|not|never) renew",
    ),
    "hardship": (
        r"lost (my|our|his|her) (job|income|business|work|house)", r"unemploy", r"laid off",
        r"furlough", r"redundan", r"(cannot|can not|could not) afford",
        r"(been|was|am|got|fell|have been) (really |very |seriously )?(sick|ill|unwell)\b(?! of)",
        r"no (money|income|job|work|funds|cash)\b", r"out of (work|a job|money|cash)",
        r"not enough (money|funds|cash)", r"(do not|did not) have (a|any) (job|work|income)",
        rf"(do not|does not) have (the |any |enough |that )?(kind of )?{_MONEY_WORDS}",
        r"\bbroke\b", r"bankrupt", r"struggl", r"(hard|tough|difficult|rough) (time|times|month"
        r"|period|year|patch)",
        r"financial(ly)? (difficult|hardship|trouble|problem|struggl|strain)",
        rf"(having|got|have) ({_MONEY_WORDS}|financial) (problems|trouble|issues|difficulties)",
        r"(bad|tough|hard|rough|difficult) (year|few months|couple of months|few weeks)",
        r"medical (bills|debt|expenses|issues)", r"(been|was|ended up|stay|stayed) in (the )?"
        r"hospital", r"hospital (bills|stay)", r"illness", r"surgery", r"cash ?flow",
        r"business (is (slow|bad|down|struggling|failing|closing)|went under|closed|folded|failed)",
        r"went (under|bust|bankrupt)", r"money is (tight|a mess|short|really tight|not there|"
        r"scarce|an issue|a problem|the problem|tight right now)",
        r"(the )?money (is )?(just )?not there", r"nothing left", r"(i have|i have got|i got) "
        r"nothing\b", r"(behind|in arrears) (on|with)", r"maxed", r"make ends meet",
        r"\bhardship\b", r"\b(skint|strapped|hard up|penniless|on the breadline|flat broke)\b",
        r"\bfinancially\b(?! (fine|ok|okay|stable|sound|secure))",
        r"\b(slowly|gradually|over time)$",
        r"(have not|has not|do not|does not) (got |have )?(the |any |enough |that )?(kind of )?"
        r"(money|cash|funds)",
        r"(have not|has not) got it$",
        r"bit by bit|little by little|a (bit|little) at a time",
        r"(things|money|finances|budget|cash) (are|is) (really |very |a bit |pretty |so )?"
        r"(tight|tough"
        r"|hard|difficult|bad|rough|short)", r"\bin (a lot of |so much |serious |deep |some )?debt",
        r"between jobs|looking for (a )?(job|work)|no longer working|(out of|off) work",
        r"(payment|repayment|instal?ll?ment|installment) (plan|arrangement|option)",
        r"\binstal?ll?ments?\b", r"split (it|this|that|the (payment|bill|amount|cost))",
        r"smaller (payments|amounts|chunks|bits|instal?ll?ments)",
        r"(pay|do|spread) (it |this |that )?(in|over) (parts|chunks|bits|pieces|stages|(a few|seve"
        r"ral|"
        r"\w+) (payments|instal\w*|goes|lots|chunks))|(pay|spread) (it |this |that )?over (\w+ ){1"
        r",2}"
        r"(weeks|months)", r"work (something|it|out a plan) out",
        r"(part|partial) payments?", r"half (now|today)", r"the rest (over|next|later|in|after)",
        rf"{_NUMBER}( dollars?| bucks| pounds?| quid| euros?)? (a|per|each|every) (week|month"
        r"|fortnight|payday)", r"(can|could) only (do|afford|manage|pay|spare|put)",
        r"(all|only) i (have|have got|got) (left )?is", r"pay (some|part|a bit|a little) of it",
        r"(fixed|low|limited) income", r"\bon (benefits|disability|welfare|a pension|the pension|"
        r"social security|universal credit|centrelink|unemployment|the dole|food stamps|jobseeker)",
        r"debt (counsel|management|advice|relief|help|charity)", r"divorc|separated|separation",
        r"single (mom|mum|parent|dad|mother|father)", r"hours (got |were |have been )?cut",
        r"paycheck to paycheck",
        r"(no|not enough|any) room on (it|my card)|if there is (any )?room",
        r"(can not|could not) (pay|cover|do|manage)( it| that| this| the \w+| \$?\d+)? ?(all|in "
        r"full|at once|in one go|in one|the full|the whole)",
        r"(can not|could not) (pay|cover|manage|do) (it|that|this|the (bill|amount|invoice))$",
        r"(can not|could not) (cover|manage) (it|that|this)", r"(can not|could not) do \$?\d",
        r"(pay|would|do it) if i could", r"but i can not$",
        r"(i|we) (just )?can not( pay)?( i am sorry)?$",
        r"(passed away|died|bereave)",
    ),
    "already_paid": (
        r"already (paid|sent|settled|taken care|sorted|done|did|made|cleared|resolved|handled)",
        r"\b(i|we|he|she|they|husband|wife|partner|accountant) (have |has |just |already )*"
        r"(paid|settled)\b", r"\bbeen (paid|settled|resolved|sorted|cleared)",
        r"(?<!get it )(?<!have it )(?<!be )\bpaid (it|that|this(?! (afternoon|evening|week|weekend"
        r"|month))"
        r"|the (invoice|bill|balance|amount))\b", r"\breceipt\b",
        r"\b(i|we|he|she) (have |just |already )*(sent|mailed|posted|wired) (off )?(you )?(the |a |"
        r"my )?(payment|money|check|cheque|transfer|funds)",
        r"(it|that|this|invoice|bill) (has been|was|is already|was already) (paid|settled|taken "
        r"care of|resolved|sorted|cleared|handled)",
        r"(check|cheque|payment|money) (is|was|went) (in the (mail|post)|sent|on its way|out)",
        r"paid (it |that )?(yesterday|last week|this morning|online|by transfer|by check|already)",
        r"(?<!thought )(?<!think )(payment|it|that|this|money|transfer) (went|has gone|did go|has "
        r"gone|cleared|has "
        r"cleared)( through| out)?\b", r"\b(says|shows|showing|marked|shown|listed)( as| it is)? "
        r"(paid|settled|cleared)\b", r"^(it is|that is|it was|that was) (paid|settled|done)\b",
        r"\b(took|taken) care of (it|that|this)", r"already been (paid|taken|debited|deducted|"
        r"processed|settled|collected)",
        r"(taken|come|came|went|gone) out of (my|our) (account|bank)",
        r"\b(i|we|he|she) (have |has |just |already )*(squared|sorted|paid off|fixed) "
        r"(it|that|this)",
        r"\b(i|we) (already )?did (it|that|this)\b(?! (now|today|tomorrow|later|next|when|after))",
        r"\b(i|we|he|she) (have |just |already )*(sent|mailed|posted|wired|transferred|cleared) "
        r"(it|that|this|them|the (balance|bill|invoice|amount|payment))\b",
        r"(left|came out of|went out of|taken from|debited from|gone from) (my|our) (account|bank)",
        r"\b(it|that|this|invoice|bill|balance|account|amount)( \w+)? (has been|was|is|is already"
        r"|was already|has already been) (paid|settled|taken care of|resolved|sorted|cleared)\b",
        r"(resolved|sorted|handled|dealt with|done|"
        r"cleared) already", r"confirmation (code|number|email|text|id|receipt)",
        r"(transaction|reference|receipt) (id|number|code)",
        r"\b(i|we) (did|made|sent|completed|wired|set up) (a |the |an )?(bank |online )?(transfer"
        r"|payment|wire|deposit|direct debit)\b",
    ),
}  # fmt: skip
