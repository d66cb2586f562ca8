"""Build datasets/dialogues/validation.jsonl: a second, separately written set of Kestrel dialogues.

Why it exists: the agent is scored on held-out dialogues written by other people, while every rule and
setting so far was shaped while looking at dev.jsonl. A design that only fits dev's phrasing would look
good there and fail elsewhere. These dialogues were written apart from dev and test, from the help-centre
articles alone (another writer, other words, other mistakes), so they show whether a change generalises.

Its role: a validation set for choosing between designs (compare two runs on it, keep what wins on both
dev and validation). It is never used to fit a model or to write a rule; once a rule is written while
reading these dialogues, the set has lost its purpose and must be replaced, not patched.

Same schema as dev and test (see datasets/README.md): one dialogue per line with id, customer, tags,
context and turns; the labels come from the constructors in demo_dialogues/turns.py. Ids are
val-<category>-NNN. Running the script again gives a byte-identical file, and it refuses to write a
gold id that is not an article in datasets/knowledge_base.

Usage:
    python scripts/build_validation_dialogues.py              # rewrite datasets/dialogues/validation.jsonl
    python scripts/build_validation_dialogues.py --out /tmp/v # write validation.jsonl there
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from demo_dialogues.turns import dialogue, handoff, hello, kb, say, thanks, unanswerable

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "datasets" / "dialogues"
KNOWLEDGE_BASE = ROOT / "datasets" / "knowledge_base"
FILE_NAME = "validation.jsonl"

Dialogue = dict[str, Any]


def faq_account() -> list[Dialogue]:
    """Single questions about the account pages."""
    return [
        dialogue(
            ["account"],
            kb(
                "can i add my sisters address in berlin to my uk account so i can send her stuff",
                ["account/address-book", "orders/countries-we-deliver-to"],
                "No. All saved addresses must be in the country of your store region, so a UK account cannot "
                "save a German address. To send a gift to Germany you need to order from the German store "
                "with a payment method accepted there.",
            ),
        ),
        dialogue(
            ["account"],
            kb(
                "clicked the link to change my password but it says its not valid anymore?? i only got "
                "the email this morning",
                ["account/reset-password"],
                "Reset links are valid for 60 minutes, and only the most recent one works. Choose "
                "'Forgot password?' again and use the newest email.",
            ),
        ),
        dialogue(
            ["account"],
            hello(2),
            kb(
                "It says my account is temporarily locked. Could you unlock it for me? I need to order today",
                ["account/sign-in-problems"],
                "The lock comes after 5 failed sign-in attempts in a row and lifts by itself after 30 "
                "minutes; support agents can't lift it early. Resetting your password with 'Forgot "
                "password?' also removes the lock.",
            ),
        ),
        dialogue(
            ["account"],
            kb(
                "me and my flatmate live together, i pay for premium. can she get the free delivery too or "
                "does she need her own membership",
                ["account/household-sharing"],
                "Yes, with household sharing a Premium member can add up to 3 people they live with, who "
                "get free standard and express delivery. She needs her own Kestrel account in the same "
                "store region and must be 16 or older; invite her under Account › Club › Household "
                "(invitations expire after 7 days).",
            ),
            thanks(1),
        ),
        dialogue(
            ["account"],
            kb(
                "you keep texting me about flash sales, how do i make it stop",
                ["account/marketing-preferences"],
                "Reply STOP to any offer text, or turn off SMS offers under Account › Communication. Changes "
                "can take up to 48 hours to apply.",
            ),
        ),
    ]


def faq_billing() -> list[Dialogue]:
    """Single questions about money: gift cards, invoices, the Club terms."""
    return [
        dialogue(
            ["billing"],
            kb(
                "Got a Kestrel gift card for my birthday, is there a time limit on using it?",
                ["billing/gift-cards"],
                "Yes, gift cards are valid for 24 months from the date they were bought. The expiry date "
                "is in the gift card email, and you can check the balance under Account › Gift cards.",
            ),
            thanks(3),
        ),
        dialogue(
            ["billing"],
            kb(
                "I bought a laptop from you about 2 weeks ago for my business and only now realised the "
                "invoice doesnt have my company name or VAT number. Is it too late to fix?",
                ["billing/invoices-and-vat"],
                "It's not too late: ask us in chat within 30 days of the order date and we reissue the "
                "invoice with your company details. For future orders, add them under Account › Business "
                "details.",
            ),
            thanks(5),
        ),
        dialogue(
            ["billing"],
            kb(
                "i send back quite a lot of stuff honestly. is there some rule about returning too much as a "
                "club member",
                ["billing/club-terms"],
                "Yes. Under the Club terms a membership may be ended if the account makes more than 10 "
                "returns in 90 days; returns of faulty items don't count.",
            ),
        ),
    ]


def faq_orders() -> list[Dialogue]:
    """Single questions about ordering."""
    return [
        dialogue(
            ["orders"],
            hello(0),
            kb(
                "we want to give everyone on the team a pulse watch, can I just put 6 in the basket?",
                ["orders/order-limits"],
                "No, Kestrel devices are limited to 3 of the same model per order. For larger numbers, "
                "contact the business team at business@kestrel.example.",
            ),
        ),
        dialogue(
            ["orders"],
            kb(
                "if i preorder the new headphones do you take the money straight away?",
                ["orders/pre-orders", "billing/payment-methods"],
                "No. Your card or PayPal is only authorised when you pre-order; you are charged when the "
                "item is dispatched.",
            ),
        ),
    ]


def faq_returns() -> list[Dialogue]:
    """Single questions about returns and warranty."""
    return [
        dialogue(
            ["returns"],
            kb(
                "opened the replacement ear tips but they dont fit my ears, can i send them back",
                ["returns/non-returnable-items"],
                "Sorry, in-ear tips can't be returned once the hygiene seal has been removed, unless they "
                "are faulty. Unopened ones can be returned normally.",
            ),
        ),
        dialogue(
            ["returns"],
            kb(
                "Where do I find the serial number on a Beacon? The warranty form is asking for it",
                ["returns/warranty-claims", "contact/contact-us"],
                "It's printed on the label under the speaker and shown in the Kestrel app under Settings › "
                "About. Beacon serial numbers have 12 characters and start with KB.",
            ),
            thanks(4),
        ),
        dialogue(
            ["returns"],
            kb(
                "my aura 2 battery used to last ages, now after a year and a half it barely does a few "
                "hours. is that something you fix for free",
                ["returns/warranty", "troubleshooting/aura-charging-and-battery"],
                "Yes, if it's within the 2-year warranty: a battery that holds less than 70% of its "
                "original capacity within the warranty period is covered. Updating the firmware in the "
                "Kestrel app can also improve battery life.",
            ),
        ),
    ]


def faq_security() -> list[Dialogue]:
    """Single questions about privacy and security."""
    return [
        dialogue(
            ["security"],
            hello(4),
            kb(
                "If I request a download of everything you have on me, how long does it take?",
                ["security/data-export"],
                "It's usually ready within 72 hours; by law we have up to 30 days. We email you when it's "
                "ready, and the download link is valid for 7 days.",
            ),
        ),
        dialogue(
            ["security"],
            kb(
                "got a text saying my kestrel parcel is held and i need to pay a £1.99 redelivery fee with a "
                "link... legit??",
                ["security/phishing-and-scams"],
                "No, that's a scam: Kestrel never asks you to pay customs or a redelivery fee by text, and "
                "our texts come from the sender name KESTREL. Don't click the link; forward the text to "
                "your mobile network's spam reporting number.",
            ),
        ),
        dialogue(
            ["security"],
            kb(
                "I think I found a security hole in your website. Do you pay a bounty for reports like this?",
                ["security/report-a-vulnerability"],
                "Kestrel doesn't run a paid bug bounty programme at the moment. Please email the details to "
                "security@kestrel.example (not via chat); we acknowledge reports within 3 working days.",
            ),
        ),
        dialogue(
            ["security"],
            kb(
                "how do i stop the kestrel app tracking me for ads",
                ["security/cookies"],
                "In the app, go to Profile › Privacy › Tracking and turn off marketing. On the website use "
                "Cookie settings at the bottom of any page. Your choice is stored for 12 months.",
            ),
        ),
    ]


def faq_contact() -> list[Dialogue]:
    """Single questions about reaching Kestrel."""
    return [
        dialogue(
            ["contact"],
            kb(
                "are your customer service people working on boxing day",
                ["contact/service-levels"],
                "No, customer service is closed on 25 and 26 December and on 1 January. The virtual "
                "assistant in chat is available every day, and safety issues are handled by a person 24 "
                "hours a day.",
            ),
        ),
        dialogue(
            ["contact"],
            kb(
                "the plug for my beacon mini has 2310 printed on the side under the CE thing, is that one of "
                "the dodgy ones I heard about?",
                ["contact/product-recalls"],
                "Yes, adapters with batch code 2309, 2310 or 2311 are recalled because the casing can "
                "crack. Stop using it, fill in the form at kestrel.example/recall with the batch code and "
                "a photo, and we send a free replacement adapter within 5 working days. You don't need to "
                "return the speaker.",
            ),
            thanks(0),
        ),
    ]


def faq_troubleshooting() -> list[Dialogue]:
    """Single questions about devices."""
    return [
        dialogue(
            ["troubleshooting"],
            kb(
                "how heavy is the beacon max? thinking of putting it on a floating shelf",
                ["troubleshooting/beacon-quick-start"],
                "Beacon Max weighs 3.1 kg and measures 31 x 17 x 16 cm.",
            ),
            thanks(6),
        ),
        dialogue(
            ["troubleshooting"],
            kb(
                "Is it ok to keep my Pulse on in the sauna at the gym?",
                ["troubleshooting/pulse-watch-not-syncing"],
                "No. Pulse is water resistant to 5 ATM, which is fine for swimming and showering but not for "
                "saunas, diving or water skiing.",
            ),
            thanks(1),
        ),
        dialogue(
            ["troubleshooting"],
            hello(5),
            kb(
                "bought a used beacon mini off marketplace and the app won't add it, error K-402. seller "
                "isnt answering me",
                ["troubleshooting/app-error-codes"],
                "K-402 means the speaker is still linked to the previous owner's account, and a factory "
                "reset doesn't remove that. If the seller can't be reached, contact us with a photo of the "
                "serial number and your proof of purchase; we remove the link within 3 working days.",
            ),
        ),
    ]


def followups() -> list[Dialogue]:
    """Later turns that only make sense with the earlier ones."""
    return [
        dialogue(
            ["orders", "multi-turn"],
            kb(
                "how much extra is it to get something delivered tomorrow in the uk",
                ["orders/delivery-uk"],
                "Next-day delivery with DPD costs £5.95 if you order by 8pm, Monday to Friday. It's free for "
                "Premium members.",
            ),
            kb(
                "and in germany?",
                ["orders/delivery-germany"],
                "In Germany, express delivery with DHL Express takes 1–2 working days and costs €9.95; "
                "order by 2pm, Monday to Friday.",
            ),
            kb(
                "what about ireland",
                ["orders/delivery-ireland"],
                "Ireland has no express or next-day delivery at the moment, even for Premium members. "
                "Standard delivery with An Post takes 3–5 working days and costs €6.95, free over €60.",
            ),
        ),
        dialogue(
            ["returns", "multi-turn"],
            kb(
                "how many days do i get to send back headphones if i just dont like them",
                ["returns/return-policy", "billing/kestrel-club-plans"],
                "It depends on your Club plan, counted from the delivery day: 30 days on Basic, 45 on Plus "
                "and 60 on Premium. On Basic, £2.95 / €3.95 return postage is deducted from the refund.",
            ),
            kb(
                "what if im on premium",
                ["returns/return-policy", "billing/premium-plan", "billing/kestrel-club-plans"],
                "On Premium you have 60 days from delivery, and return postage is free.",
            ),
            kb(
                "they were a christmas present, arrived like 10th december. does that change anything?",
                ["returns/return-policy"],
                "Not for you: items delivered between 15 November and 24 December can go back until 31 "
                "January, or until the end of your normal window if that's later. On Premium your 60 days "
                "from 10 December run into early February, which is later, so that's your deadline.",
            ),
        ),
        dialogue(
            ["troubleshooting", "multi-turn"],
            kb(
                "My Aura 2 Pro keep cutting out. How do I do a reset on them?",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "Switch them on, then hold power and the ANC button together for 15 seconds until the "
                "light flashes purple three times. Then remove Kestrel Aura 2 Pro from your phone's "
                "Bluetooth list and pair again.",
            ),
            kb(
                "will that forget my laptop too",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "Yes, a reset removes all paired devices, your sound settings and the multipoint setting. It "
                "doesn't change the firmware version.",
            ),
            kb(
                "ok. and afterwards can i have them on the laptop and my phone at the same time?",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "Yes, Aura 2 Pro supports multipoint: it can be connected to two devices at once, and audio "
                "switches to whichever starts playing. The multipoint setting is in the Kestrel app.",
            ),
        ),
        dialogue(
            ["billing", "multi-turn"],
            kb(
                "whats premium cost if i pay for the whole year",
                ["billing/premium-plan", "billing/kestrel-club-plans", "billing/price-list"],
                "Premium annual costs £99 in the UK, or €119 in Ireland, Germany, France and the "
                "Netherlands.",
            ),
            kb(
                "i'm on plus monthly at the moment, if i move up in the middle of the month do i pay the "
                "full price on top?",
                ["billing/switching-plans"],
                "No. Upgrades take effect immediately and you pay only the pro-rated difference for the "
                "rest of your current billing period; after that the plan renews at the Premium price on "
                "your usual renewal date.",
            ),
            kb(
                "and if i end up cancelling the annual one after a week, do i get anything back",
                ["billing/cancel-membership", "billing/club-terms"],
                "Within 14 days of starting you get a full refund if you haven't used any Club benefits; "
                "if you have, we deduct their value. After 14 days there's no refund, but benefits "
                "continue until the end of the year.",
            ),
        ),
        dialogue(
            ["account", "multi-turn"],
            kb(
                "want to set up the 6 digit code thing when logging in, where do i do that",
                ["account/two-factor-authentication"],
                "Go to Account › Security › Two-factor authentication and choose an authenticator app "
                "(recommended) or SMS, enter the code to confirm, and save your 10 backup codes.",
            ),
            kb(
                "what happens if i lose my phone later",
                ["account/two-factor-authentication"],
                "On the code screen choose 'Use a backup code' and enter one of your saved codes. Once "
                "signed in, set up two-factor authentication again on the new phone under Account › "
                "Security.",
            ),
            kb(
                "and if ive lost the backup codes as well?",
                ["account/two-factor-authentication"],
                "Then contact support: an agent verifies your identity with details of recent orders "
                "before removing two-factor authentication. That check takes up to 3 working days and "
                "can't be speeded up.",
            ),
        ),
        dialogue(
            ["orders", "multi-turn"],
            kb(
                "tracking says my parcel was delivered yesterday at 2pm but theres nothing here, i was home "
                "all day",
                ["orders/missing-or-late-parcel", "orders/track-your-order"],
                "Check the carrier's proof of delivery in the tracking page, ask your neighbours and look "
                "in any safe place, and wait 24 hours, because carriers sometimes scan parcels early. If "
                "it still hasn't turned up, report it to us within 14 days of the delivery date.",
            ),
            kb(
                "ok and if its properly gone, how long before i get a new one",
                ["orders/missing-or-late-parcel"],
                "We open a claim with the carrier, which takes up to 10 working days; then we send a "
                "replacement if in stock or a full refund, whichever you prefer. Premium members get the "
                "replacement straight away after 5 working days.",
            ),
            kb(
                "i am premium actually, if that changes anything",
                ["orders/missing-or-late-parcel"],
                "It does: as a Premium member you get the replacement straight away after 5 working days, "
                "without waiting for the end of the carrier investigation.",
                facts=["plan"],
            ),
        ),
        dialogue(
            ["returns", "multi-turn"],
            kb(
                "Hi, I started a return on the website, how do I actually send it back from Germany?",
                ["returns/drop-off-germany", "returns/start-a-return"],
                "Take it to a DHL Postfiliale or Paketshop and show the QR code from your return email, or "
                "use a DHL Packstation with 'Retoure mit QR-Code'. Hand it over within 14 days of "
                "starting the return.",
            ),
            kb(
                "can dhl not just come and collect it from my flat",
                ["returns/drop-off-germany", "returns/start-a-return"],
                "No, home collection isn't available in Germany, not even for Premium members.",
            ),
            kb(
                "hermes is closer to me, can i use them?",
                ["returns/drop-off-germany"],
                "No, returns through Hermes, DPD or GLS are not accepted; parcels sent with other carriers "
                "may be lost and can't be refunded until they arrive. Please use DHL.",
            ),
        ),
        dialogue(
            ["troubleshooting", "multi-turn"],
            kb(
                "setting up my beacon mini and my wifi just isnt in the list in the app. the router is new, "
                "some fancy 5ghz one",
                ["troubleshooting/beacon-mini-wifi-setup"],
                "Beacon Mini only works on 2.4 GHz networks, so a 5 GHz-only network won't be listed. Turn "
                "on 2.4 GHz on your router or create a separate 2.4 GHz network.",
            ),
            kb(
                "would the max have the same problem",
                ["troubleshooting/beacon-max-wifi-setup", "troubleshooting/beacon-quick-start"],
                "No, Beacon Max supports both 2.4 GHz and 5 GHz Wi-Fi, and it also has an Ethernet port "
                "for a wired connection.",
            ),
            kb(
                "how much more is the max than the mini?",
                ["billing/price-list"],
                "Beacon Max costs £179 (€199) and Beacon Mini £49 (€59), so the Max is £130 (€140) more.",
            ),
        ),
        dialogue(
            ["contact", "multi-turn"],
            kb(
                "is there a phone number i can ring you on",
                ["contact/phone-support", "contact/contact-us"],
                "Phone support is for Kestrel Club Premium members. In the UK the number is +44 20 7946 "
                "0310, Monday to Friday 8:00–20:00 and Saturday 9:00–17:00. Basic and Plus members can use "
                "chat and email.",
            ),
            kb(
                "I'm premium but I live in France",
                ["contact/phone-support", "contact/service-levels"],
                "In France there's a callback instead: request it in the Kestrel app under Help › Call me "
                "back, Monday to Friday 8:00–18:00 CET. We call you within 30 minutes during those hours.",
            ),
            kb(
                "fine. and if i email instead how long till someone gets back",
                ["contact/contact-us", "contact/service-levels"],
                "Emails to support@kestrel.example are answered within 1 working day.",
            ),
        ),
    ]


def memory() -> list[Dialogue]:
    """A fact stated early picks the right answer later."""
    return [
        dialogue(
            ["orders", "memory"],
            say(
                "hey, just so you know im ordering from the netherlands",
                "Thanks, I've noted that you're in the Netherlands. What would you like to know?",
                facts=["country"],
            ),
            kb(
                "how long does normal delivery take and what does it cost",
                ["orders/delivery-netherlands"],
                "Standard delivery with PostNL takes 2–3 working days and costs €3.95, free over €50.",
            ),
            kb(
                "and if I need to send it back where do I take it",
                ["returns/start-a-return"],
                "In the Netherlands you drop returns off at a PostNL point; there's no collection from home. "
                "Drop it off within 14 days of starting the return.",
            ),
        ),
        dialogue(
            ["billing", "memory"],
            kb(
                "I'm a Plus member. Is next day delivery included for me?",
                ["billing/plus-plan", "billing/kestrel-club-plans"],
                "No, on Plus express and next-day delivery are charged at the normal price; Plus includes "
                "free standard delivery on every order. Free express delivery is a Premium benefit.",
                facts=["plan"],
            ),
            kb(
                "do i get money off a pulse sport strap then",
                ["billing/plus-plan", "billing/price-list", "billing/kestrel-club-plans"],
                "Yes, as a Plus member you get 5% off accessories such as straps, applied automatically at "
                "checkout. The Pulse sport strap costs £24 / €27 before the discount.",
            ),
            kb(
                "my card expires this month, what happens to my membership if the renewal doesnt go through",
                ["billing/failed-payments", "billing/club-terms"],
                "You keep your Club benefits for 14 days: we retry the payment on day 3 and day 7, and if "
                "it still fails on day 14 your plan moves to Basic. Update the card under Account › "
                "Payment methods and choose 'Retry payment now' on the Club page.",
            ),
            kb(
                "can i phone you if it goes wrong",
                ["contact/phone-support", "billing/plus-plan"],
                "Phone support is only for Premium members; as a Plus member you can reach us by chat and "
                "email.",
            ),
        ),
        dialogue(
            ["troubleshooting", "memory"],
            say(
                "I have the normal aura 2, not the pro version",
                "Got it, Aura 2. How can I help with them?",
                facts=["device"],
            ),
            kb(
                "can they be connected to my ipad and my phone at the same time",
                ["troubleshooting/aura-2-pairing-and-reset"],
                "No, Aura 2 connects to one device at a time and doesn't support multipoint. It remembers "
                "up to 8 devices: disconnect from the first in its Bluetooth settings, then connect the "
                "second.",
            ),
            kb(
                "ok how do i reset them, sound keeps dropping",
                ["troubleshooting/aura-2-pairing-and-reset"],
                "Switch them on and hold power and volume down together for 10 seconds until the light "
                "flashes red three times. Then remove Kestrel Aura 2 from your phone's Bluetooth list and "
                "pair again.",
            ),
        ),
        dialogue(
            ["billing", "memory"],
            kb(
                "I'm a student in Munich, can I get the club cheaper?",
                ["billing/student-discount"],
                "Sorry, the student discount is only for students in the UK and Ireland; students in Germany "
                "aren't eligible at the moment.",
                facts=["country"],
            ),
            kb(
                "ok so what would plus cost me normally",
                ["billing/plus-plan", "billing/kestrel-club-plans", "billing/price-list"],
                "In Germany Plus costs €5.99 a month or €59 a year.",
            ),
            kb(
                "can i pay it by direct debit from my bank account",
                ["billing/payment-methods"],
                "Yes, in Germany Club membership can be paid by SEPA Direct Debit, as well as by card or "
                "PayPal.",
            ),
        ),
        dialogue(
            ["troubleshooting", "memory"],
            say(
                "my speaker is the beacon max",
                "Thanks, Beacon Max noted. What's the problem?",
                facts=["device"],
            ),
            kb(
                "how do i wipe it back to factory settings, giving it to my brother",
                ["troubleshooting/beacon-factory-reset", "troubleshooting/beacon-quick-start"],
                "Keep it plugged in and press inside the small reset hole on the back, next to the power "
                "socket, with a paper clip for 10 seconds. The light bar turns white and it restarts, "
                "which takes about two minutes. Then remove it from your account in the Kestrel app.",
            ),
            kb(
                "does it get updates by itself or do i need to do something",
                ["troubleshooting/firmware-updates"],
                "Beacon speakers update automatically overnight between 2am and 5am when plugged in and on "
                "Wi-Fi. To update straight away, choose 'Update now' under Settings › About in the "
                "Kestrel app.",
            ),
        ),
        dialogue(
            ["orders", "memory"],
            kb(
                "order KE-4829115, placed it like 10 minutes ago and put my old address by mistake. can i "
                "still change it?",
                ["orders/change-or-cancel-an-order"],
                "Yes, while the status is 'Received' (usually the first 30 minutes) you can change the "
                "delivery address to another address in the same country under Account › Orders › Change "
                "address.",
                facts=["order_number"],
            ),
            kb(
                "good to know. what if id only spotted it tomorrow, too late then?",
                ["orders/change-or-cancel-an-order"],
                "Once the status is 'Processing' the order can't be changed online. Contact us as soon as "
                "possible: we can try to stop it, but we can't guarantee it.",
            ),
            thanks(2),
        ),
    ]


def unanswerables() -> list[Dialogue]:
    """Fair questions the help centre does not answer."""
    return [
        dialogue(["troubleshooting", "unanswerable"], unanswerable("do aura 2 pro work with a ps5?")),
        dialogue(
            ["troubleshooting", "unanswerable"],
            hello(3),
            unanswerable("Does the Pulse watch measure blood oxygen levels?"),
            unanswerable("ok and how many days does its battery last between charges"),
        ),
        dialogue(
            ["orders", "unanswerable"],
            unanswerable("any idea when the next pulse watch is coming out? want to wait for it if its soon"),
        ),
        dialogue(
            ["troubleshooting", "unanswerable"],
            unanswerable("what bluetooth codecs do the aura 2 support, is there aptx"),
        ),
        dialogue(
            ["orders", "unanswerable"],
            unanswerable("Is your packaging plastic free? Can I put the box in the recycling?"),
            thanks(6),
        ),
    ]


def escalations() -> list[Dialogue]:
    """Turns that must go to a person."""
    return [
        dialogue(
            ["returns", "escalate"],
            kb(
                "refund email came nearly two weeks ago saying it went to my visa but nothing in my "
                "account yet",
                ["returns/refund-timing"],
                "Card refunds take 3–5 working days to appear after we issue them. As your refund email is "
                "more than 5 working days old, we can give you the refund reference for your bank; please "
                "share the order number.",
            ),
            handoff("this is ridiculous honestly, just put me through to an actual person please"),
        ),
        dialogue(
            ["troubleshooting", "escalate"],
            handoff(
                "my aura 2 pro got really hot on the charger and now one of the earcups looks kind of "
                "puffed up",
                "Please stop using them now: unplug them if it's safe, don't charge or press on them, and "
                "put them on a non-flammable surface. Don't post them back. This is a safety issue, so I'm "
                "passing it to a person as urgent now.",
                docs=["troubleshooting/battery-safety", "contact/escalation-policy"],
            ),
            kb(
                "they're about 3 years old. will i have to pay for this",
                ["troubleshooting/battery-safety"],
                "No, safety issues are handled free of charge even outside the warranty and whatever your "
                "Club plan; you get a replacement device or a full refund.",
            ),
        ),
        dialogue(
            ["billing", "escalate"],
            hello(0),
            handoff(
                "You dropped the Aura 2 price by £30 three days after I bought them. I'm a Plus member, I "
                "want the £30 back",
                "A price drop by Kestrel itself isn't covered by the price match, but Club members can ask "
                "for a one-off goodwill credit within 7 days. I can't issue credits myself, so I'm "
                "passing this to a member of our team now; they'll reply in this chat or by email.",
                docs=["billing/price-match", "contact/escalation-policy"],
            ),
        ),
        dialogue(
            ["contact", "escalate"],
            handoff(
                "I want to make a formal complaint. the courier threw my parcel over the gate and nobody has "
                "done anything about it",
                "I'm sorry about this. I'm passing your complaint to a person with high priority now; "
                "you'll get a reference within 2 working days, and we aim to resolve most complaints "
                "within 10 working days.",
                docs=["contact/complaints", "contact/escalation-policy"],
            ),
        ),
    ]


def chitchat() -> list[Dialogue]:
    """Small talk only."""
    return [
        dialogue(
            ["chitchat"],
            hello(1),
            say(
                "wait are you a bot or an actual person",
                "I'm Kestrel's virtual assistant. I can answer most questions straight away, and I can "
                "pass you to a person whenever you like.",
            ),
            thanks(5),
        ),
        dialogue(
            ["chitchat"],
            say(
                "sorry my cat just walked over the keyboard lol",
                "No problem at all! What can I help you with?",
            ),
            say(
                "actually never mind, sorted it myself. have a good one",
                "Glad it's sorted. Have a great day!",
            ),
        ),
    ]


CATEGORIES: dict[str, tuple[Callable[[], list[Dialogue]], ...]] = {
    "faq": (
        faq_account,
        faq_billing,
        faq_orders,
        faq_returns,
        faq_security,
        faq_contact,
        faq_troubleshooting,
    ),
    "followup": (followups,),
    "memory": (memory,),
    "unanswerable": (unanswerables,),
    "escalate": (escalations,),
    "chitchat": (chitchat,),
}


def build() -> list[Dialogue]:
    """Number the dialogues per category (val-<category>-NNN) in a fixed order."""
    records = []
    for category, groups in CATEGORIES.items():
        dialogues = [item for group in groups for item in group()]
        for index, item in enumerate(dialogues, start=1):
            dialogue_id = f"val-{category}-{index:03d}"
            records.append({"id": dialogue_id, "customer": f"c-{dialogue_id}", **item})
    return records


def gold_ids(records: Iterable[Dialogue]) -> set[str]:
    """Every gold article id named in the labels."""
    return {doc for record in records for turn in record["turns"] for doc in turn["labels"]["gold_doc_ids"]}


def check_gold_ids(records: Sequence[Dialogue], knowledge_base: Path = KNOWLEDGE_BASE) -> None:
    """Refuse labels that name an article the help centre does not have (a typo would score as a miss)."""
    articles = {str(path.relative_to(knowledge_base).with_suffix("")) for path in knowledge_base.rglob("*.*")}
    missing = sorted(gold_ids(records) - articles)
    if missing:
        raise ValueError(f"gold ids without an article: {missing}")


def write(records: Sequence[Dialogue], out_dir: Path) -> Path:
    """Write one JSONL file with stable key order and Unix newlines."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE_NAME
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: build, check, write, and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"folder for {FILE_NAME}")
    args = parser.parse_args(argv)
    records = build()
    check_gold_ids(records)
    path = write(records, args.out)
    turns = sum(len(record["turns"]) for record in records)
    print(
        f"wrote {path}: {len(records)} dialogues, {turns} user turns, {len(gold_ids(records))} gold articles"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
