"""The phrase bank: many ways real customers say the same thing on a collections call.

Kept apart from the logic so it can grow without touching code. Variety is the point: an agent
tested against one phrasing per intent learns nothing about the hundred others it will hear.
Templates use ``str.format`` slots: {first} {colleague} {relation} {date} {card} {expiry}
{amount}; ``scripts.py`` fills them and ``style.py`` roughens punctuation and case.
"""

from __future__ import annotations

Bank = tuple[str, ...]

VERIFY: Bank = (
    "Yes, speaking.", "This is {first}.", "Yeah, that's me.", "Speaking.", "Yep, it's {first}.",
    "Yes, this is {first}, hi.", "That's me, who's this?", "Hi, yes.", "Uh, yes?",
    "Yeah, {first} here.", "Mm-hm, that's me.", "Yes it is. What's this about?",
)
WRONG_PARTY: Bank = (
    "No, this is {colleague}, {first}'s {relation}. They're not in today.",
    "{first}'s not around right now, I'm their {relation}.",
    "Oh, no, I'm {colleague}. I just picked up {first}'s phone.",
    "Sorry, wrong person, this is {colleague}. I'm {first}'s {relation}.",
    "No, {first} is out. Can I take a message?",
    "This is the front desk, {first} isn't available.",
)
WRONG_PARTY_MORE: Bank = (
    "I can let them know you called.", "Do you want me to pass something on?",
    "They'll be back next week I think.", "Okay, I'll tell them.", "Sure, I'll say you rang.",
)
RELATIONS: Bank = ("colleague", "coworker", "assistant", "partner", "husband", "wife", "son",
                   "daughter", "business partner")
ACK: Bank = ("Okay.", "Sure.", "Mm-hm.", "Go ahead.", "Right.", "Okay, go on.", "Yeah?",
             "Alright.", "Uh-huh.", "Fine.")
YES: Bank = ("Yes.", "Yep, that's right.", "Correct.", "Sounds good.", "Yeah, perfect.",
             "That works.", "Yes please.", "Yeah that's fine.", "Great, thanks.", "Sure, yes.")
BYE: Bank = ("Thanks, bye.", "You too, bye.", "Okay, bye.", "Thank you, have a good one.",
             "Cheers, bye.", "Alright, thanks. Bye bye.", "Great, talk soon.", "Bye.")

REASON_OPENERS: dict[str, Bank] = {
    "expired_card": ("Oh, my card must have expired.", "Ah, we got new cards last month.",
                     "Right, that card expired.", "Oh, I never updated the card."),
    "insufficient_funds": ("Ah, the account was a bit low that week.", "Oh, yeah, bad timing.",
                           "Ugh, that was the week before payday."),
    "card_velocity_exceeded": ("The bank's been blocking stuff lately.",
                               "Oh, I hit my card limit I think."),
    "fraudulent": ("Oh, the bank flagged it, they do that.", "Huh, the bank thought it was fraud?"),
    "card_declined": ("Huh, no idea why it declined.", "Oh really? Weird.", "Oh, I didn't know."),
}
PAY_NOW: Bank = (
    "Yeah, I can pay now. Send me a link.", "Sure, just send me a payment link.",
    "Can you send me something I can pay with?", "Yes, let's sort it out today.",
    "Okay, send it over and I'll pay it right away.", "Fine, I'll update the card. Send a link.",
    "I can take care of it now if you send me the link.", "Yeah, let's just get it paid.",
    "Sure, I'll pay it today.", "Send me the link and I'll do it now.",
)
CHANNEL_EMAIL: Bank = ("Email is fine.", "Just email it.", "Email please.",
                       "Send it to my email.", "Email works.", "By email, thanks.")
CHANNEL_WHATSAPP: Bank = ("Can you send it on WhatsApp?", "WhatsApp please.",
                          "Text it to me on WhatsApp.", "WhatsApp works best.",
                          "Send it to my WhatsApp, same number.")
PROMISE_WITH_DATE: Bank = (
    "I can't do it today, but I can pay {date}.", "Payday is {date}, I'll pay then.",
    "Can I pay it {date}?", "I'll have the money {date}.", "Let me pay it {date} if that's okay.",
    "I'll sort it out {date}.", "{date} works for me, I'll pay then.",
    "Not today. I can do {date} though.",
)
PROMISE_VAGUE: Bank = (
    "I can't pay right now. Can I pay a bit later?", "Not today, but soon.",
    "I need a few days.", "Could I have some more time?", "I'll pay, just not this week.",
)
DATE_ANSWER: Bank = ("{date}.", "{date} should work.", "Let's say {date}.", "Um, {date}?",
                     "Definitely by {date}.", "{date}, I get paid then.")
DATE_INSIST: Bank = ("Sorry, {date} is really the earliest I can do.",
                     "No, it has to be {date}.", "I can't do it before {date}.")

DISPUTE_OPENERS: dict[str, Bank] = {
    "charged_twice": ("Actually I was charged twice for this last month.",
                      "Wait, we already got billed for this. Twice, actually.",
                      "I see two charges on my statement for the same thing."),
    "wrong_plan": ("That's not right, we downgraded to the basic plan.",
                   "We're being billed for the wrong plan.",
                   "That's the enterprise price, we're on starter."),
    "price_rise": ("Why did the price go up? Nobody told us.",
                   "That's more than we agreed to pay.",
                   "The amount is wrong, it used to be a lot less."),
    "never_received": ("We never received anything for this.",
                       "We never even got access, why would I pay?",
                       "I don't recognise this charge at all."),
}
DISPUTE_DETAILS: dict[str, Bank] = {
    "charged_twice": ("Once on the 3rd and again on the 4th, same amount.",
                      "Two identical charges, I can send the statement."),
    "wrong_plan": ("We switched plans two months ago, I have the email.",
                   "Our plan is the small one, five seats."),
    "price_rise": ("It went from {amount} to way more with no notice.",
                   "Nobody emailed us about a price change."),
    "never_received": ("The account was never set up.", "We never logged in once."),
}
CANCEL: Bank = (
    "We actually want to cancel. We stopped using it.", "Please cancel our account.",
    "We've moved to another tool, just cancel it.", "I don't want to renew, cancel it please.",
    "We're closing the business, cancel everything.", "Can you just cancel the subscription?",
)
OPT_OUT: Bank = (
    "Please stop calling me.", "Take me off your list.", "Don't call this number again.",
    "I'm not interested. Remove my number.", "Stop calling, I mean it.",
    "Please don't call me again. Put it in writing if you must.",
)
QUESTIONS: dict[str, Bank] = {
    "amount": ("Wait, how much is it?", "What's the amount again?", "How much do I owe?"),
    "identity": ("Sorry, who did you say you're calling from?", "Who is this again?",
                 "What company is this?"),
    "legit": ("How do I know this is legit?", "Is this a scam?",
              "This isn't one of those scam calls, is it?"),
    "which_invoice": ("Which invoice is this for?", "What's this charge for?",
                      "Is this for last month?"),
}
AFTER_ANSWER: Bank = ("Okay, fair enough. Send me the link then.", "Oh, okay. Yeah, I'll pay it.",
                      "Alright, that makes sense. Let's pay it.", "Got it. Send the link.",
                      "Right, okay. I'll sort it now.")
CARD_READ: Bank = (
    "Sure, I can just give you my card. It's {card}.", "Let me read you the card: {card}.",
    "Okay, card number is {card}, expiry {expiry}.", "Just take it now, {card}.",
    "Got my card right here. {card}.",
)
AFTER_CARD_WARNING: Bank = ("Oh, okay, sorry. Send me the link then.", "Ah, right. Link is fine.",
                            "Oh, didn't know that. Okay, send the link.", "Sure, the link works.")
HARDSHIP: Bank = (
    "Honestly things are really tight right now. I lost my job.",
    "Business has been really slow, I can't pay this right now.",
    "I've had a medical emergency, I just can't deal with this right now.",
    "We're struggling to make payroll, I don't know when I can pay.",
    "I'm going through a really hard time at the moment.",
)
HARDSHIP_DATE: Bank = ("I really don't know when.", "I honestly can't say.",
                       "Maybe next month? I don't know.", "When things get better, I guess.")
CLAIMS_PAID: Bank = (
    "I already paid that.", "We paid it yesterday by bank transfer.",
    "I'm pretty sure that went through last week. I have the receipt.",
    "That's been paid, check again.", "My accountant paid it on Monday.",
)
HUMAN: Bank = ("Can I talk to a real person?", "Are you a robot? I want to speak to someone.",
               "I'd rather speak to a human about this.", "Put me through to your manager.",
               "I want to talk to my account manager.")
CALLBACK: Bank = ("I'm driving right now, can you call me back later?",
                  "This isn't a good time, call me tomorrow.",
                  "I'm in a meeting, can you try again later?",
                  "Can you call back this afternoon?", "I can't talk now, call me later.")
CALLBACK_WHEN: Bank = ("Tomorrow morning.", "After five.", "Later this afternoon.",
                       "Tomorrow, any time.", "Monday morning.")
FILLERS: Bank = ("Okay.", "Mm-hm.", "Sure.", "Right.", "Uh-huh.", "Okay, thanks.", "Yeah.")
