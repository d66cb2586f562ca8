"""Build datasets/dialogues/validation.jsonl: a second, separately written set of Kestrel dialogues.

Why it exists: the agent is scored on held-out dialogues written by other people, while every rule and
setting so far was shaped while looking at dev.jsonl. A design that only fits dev's phrasing would look
good there and fail elsewhere. These dialogues were written apart from dev and test, from the help-centre
articles alone (another writer, other words, other mistakes), so they show whether a change generalises.

This is the second writer's set, written from the articles alone on 2026-12-01, without reading dev,
test, the agent or any earlier validation set. It replaces an earlier validation set that had been read
while rules were written and so no longer measured generalisation.

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

import sys
from collections.abc import Sequence

import written_apart
from demo_dialogues.turns import dialogue, handoff, hello, kb, recall, say, thanks, unanswerable
from written_apart import Categories, Dialogue

FILE_NAME = "validation.jsonl"


def faq_account() -> list[Dialogue]:
    """Single questions about the account pages."""
    return [
        dialogue(
            ["faq", "account", "html"],
            kb(
                "moving in with my girlfriend in cologne for a year, can i just add her german address "
                "to my uk account and send stuff there?",
                ["account/address-book", "account/create-an-account"],
                "No: every saved address has to be in the country of your store region, so a UK account "
                "can't save a German address. To order to Germany you'd need a separate account for the "
                "German store, created with a different email address, because an account's region can't "
                "be changed.",
            ),
        ),
        dialogue(
            ["faq", "account"],
            kb(
                "it says Account temporarily locked?? I only got the password wrong a few times. can you "
                "unlock it, I need to order something today",
                ["account/sign-in-problems"],
                "The lock comes on after 5 failed attempts in a row and lifts by itself after 30 minutes; "
                "our agents can't remove it early. If you don't want to wait, reset your password with "
                "'Forgot password?', which also removes the lock.",
            ),
        ),
        dialogue(
            ["faq", "account"],
            kb(
                "Can my partner and our two kids (14 and 17) all share my Premium perks? We all live "
                "together obviously",
                ["account/household-sharing"],
                "Premium household sharing allows up to 3 extra members, but each needs their own Kestrel "
                "account in the same store region and must be 16 or older, so your partner and your "
                "17-year-old can join but your 14-year-old can't yet. Invite them under Account › Club › "
                "Household (two-factor authentication must be on for you first); invitations expire after "
                "7 days.",
            ),
        ),
        dialogue(
            ["faq", "account"],
            kb(
                "I changed the email on my account on monday but never got round to clicking the link, "
                "now it says the link has expired. has it changed or not?",
                ["account/change-email-address"],
                "No, the change wasn't completed: the confirmation link is only valid for 24 hours, and "
                "until you confirm, your old address stays active for sign-in and all emails. Go to "
                "Account › Profile, choose Change next to Email address again, enter the new address and "
                "your current password, and open the new link within 24 hours.",
            ),
        ),
    ]


def faq_billing() -> list[Dialogue]:
    """Single questions about billing and Kestrel Club."""
    return [
        dialogue(
            ["faq", "billing", "csv"],
            kb(
                "how much is the pulse watch, the bigger one, in euro?",
                ["billing/price-list"],
                "The Pulse watch in 45 mm costs €159 in the euro stores (£139 in the UK); the 41 mm "
                "version is €149.",
            ),
        ),
        dialogue(
            ["faq", "billing", "pdf"],
            kb(
                "Is there a limit to how many returns I can do as a Plus member? I tend to order a few "
                "things to try and send most of them back",
                ["billing/club-terms"],
                "Yes: under the Kestrel Club terms a membership can be ended if the account makes more "
                "than 10 returns in 90 days, not counting faulty items. We would tell you the reason by "
                "email.",
            ),
        ),
        dialogue(
            ["faq", "billing", "html"],
            kb(
                "bought the aura 2 pro off you 4 days ago for 229 quid and now another uk shop has them "
                "cheaper, any chance of getting the difference back",
                ["billing/price-match"],
                "Yes, the UK price match promise covers this if you claim within 7 days of purchase, the "
                "other retailer is on our list (not a marketplace or second-hand seller), it's the identical "
                "model and colour, new and in stock, and the price is open to everyone. Open the order in "
                "Account › Orders, choose Price match and paste the link; we check within 2 working days "
                "and refund the difference to your original payment method.",
            ),
        ),
        dialogue(
            ["faq", "billing"],
            kb(
                "got an email that my club payment didnt go through... have i lost my membership already?? "
                "card expired last month i think",
                ["billing/failed-payments"],
                "No, you keep all Club benefits for 14 days: we retry the payment on day 3 and day 7, and "
                "only if it still fails on day 14 does your plan move to Basic. Update the card or add a "
                "new card or PayPal under Account › Payment methods, then choose Retry payment now on the "
                "Club page.",
            ),
        ),
    ]


def faq_orders() -> list[Dialogue]:
    """Single questions about orders and delivery."""
    return [
        dialogue(
            ["faq", "orders", "html"],
            kb(
                "do u deliver to belgium? my sister lives in brussels and id like to send her a speaker "
                "for her birthday",
                ["orders/countries-we-deliver-to"],
                "Sorry, we don't deliver to Belgium at the moment: each of our five stores (UK, Ireland, "
                "Germany, France and the Netherlands) delivers only within its own country, and orders "
                "sent to a parcel-forwarding address may be cancelled.",
            ),
        ),
        dialogue(
            ["faq", "orders"],
            kb(
                "If I pre-order the new headphones when do you actually take the money? and what happens "
                "if the release gets pushed back",
                ["orders/pre-orders"],
                "When you pre-order, your card or PayPal is only authorised; you're charged when the item "
                "is dispatched. If the release date moves we email you the new date, and if the delay is "
                "more than 30 days you can cancel and get a £10 / €10 voucher.",
            ),
        ),
        dialogue(
            ["faq", "orders"],
            kb(
                "opened the box and the beacon mini has a big crack across the top, outer box looked fine. "
                "what do i do now",
                ["orders/damaged-parcel"],
                "Sorry about that! Take photos of the outer box, the packaging and the speaker (including "
                "the label with the order number) and report it within 48 hours of delivery, in chat or "
                "under Account › Orders › Report a problem. We send a replacement straight away and collect "
                "the damaged one for free (or refund you in full if it's out of stock); keep the packaging "
                "until the case is closed.",
            ),
        ),
        dialogue(
            ["faq", "orders"],
            kb(
                "I live in Corsica, can I get express delivery from the french store? if not how long does "
                "the normal one take",
                ["orders/delivery-france"],
                "Express (Chronopost) isn't available to Corsica; standard and pickup point delivery are, "
                "but they take 2 extra working days on top of the usual 3–6. Standard costs €5.95 and "
                "pickup point €3.95, both free over €60 (and on every order for Club Plus and Premium).",
            ),
        ),
    ]


def faq_returns() -> list[Dialogue]:
    """Single questions about returns, refunds and warranty."""
    return [
        dialogue(
            ["faq", "returns"],
            kb(
                "can i send back the in ear tips i bought? opened them but they just dont fit my ears",
                ["returns/non-returnable-items"],
                "I'm afraid not: in-ear tips and replacement earbuds can't be returned once the hygiene "
                "seal has been opened, unless they're faulty. Unopened tips can be returned normally.",
            ),
        ),
        dialogue(
            ["faq", "returns"],
            kb(
                "Can I send my return with Hermes? there's a hermes shop right under my flat and the DHL "
                "one is miles away",
                ["returns/drop-off-germany"],
                "Sorry, returns through Hermes, DPD or GLS aren't accepted in Germany and may be lost "
                "without a refund. Please use DHL: any Postfiliale, Paketshop or Packstation (no DHL "
                "account or Postnummer needed) with the QR code from your return email, within 14 days of "
                "starting the return.",
            ),
        ),
        dialogue(
            ["faq", "returns"],
            kb(
                "just unboxed my new Pulse watch and it won't turn on AT ALL, even after charging it for "
                "hours. it came on tuesday",
                ["returns/faulty-items"],
                "That counts as dead on arrival: report it within 7 days of delivery and we send a "
                "replacement straight away. You then send the faulty watch back in the packaging of the "
                "new one.",
            ),
        ),
    ]


def faq_security() -> list[Dialogue]:
    """Single questions about security and privacy."""
    return [
        dialogue(
            ["faq", "security"],
            kb(
                "got a text saying my kestrel parcel is being held and i need to pay a £1.99 redelivery "
                "fee through a link. is that legit??",
                ["security/phishing-and-scams"],
                "No, that's a scam: Kestrel never asks for redelivery or customs fees by text, and our "
                "texts come from the sender name KESTREL with links only to kestrel.example or our carriers' "
                "sites. Don't click the link; forward the text to your mobile network's spam reporting "
                "number, and if you've already entered card details, call your bank and block the card.",
            ),
        ),
        dialogue(
            ["faq", "security", "html"],
            kb(
                "I think I've found a security hole in the login on your app. Do you pay bug bounties, "
                "and where should I send the details?",
                ["security/report-a-vulnerability"],
                "Please email security@kestrel.example (you can encrypt it with the PGP key at "
                "kestrel.example/security.txt) with the problem and the steps to reproduce it, not through "
                "support chat; we acknowledge reports within 3 working days. There's no paid bug bounty at "
                "the moment, but with your permission we thank you by name on our acknowledgements page.",
            ),
        ),
        dialogue(
            ["faq", "security"],
            kb(
                "does the beacon speaker record everything we say at home? my husband's a bit creeped out",
                ["security/privacy-summary"],
                "Beacon speakers process voice commands but don't store recordings by default. Only if you "
                "turn on 'Help improve voice recognition' are recordings kept, for 90 days, and they may be "
                "reviewed by staff; you can turn that off and delete all recordings under Settings › "
                "Privacy in the app.",
            ),
        ),
        dialogue(
            ["faq", "security"],
            kb(
                "theres a pending payment on my bank app that says KESTREL*PREAUTH but i dont think ive "
                "bought anything from you recently?",
                ["security/payment-security"],
                "KESTREL*PREAUTH is the statement text for a pre-order authorisation, which stays pending "
                "only; check Account › Orders for a pre-order. If you still don't recognise it, contact us "
                "with the date and amount, but never send your full card number.",
            ),
        ),
    ]


def faq_contact() -> list[Dialogue]:
    """Single questions about contacting Kestrel."""
    return [
        dialogue(
            ["faq", "contact"],
            kb(
                "I'm a premium member living in Munich, what number do I ring for support?",
                ["contact/phone-support"],
                "In Germany there's no number to dial: request a callback in the Kestrel app under Help › "
                "Call me back, and we call you within 30 minutes, Monday to Friday 8:00–18:00 CET. Have "
                "your KC- membership number ready, and two-factor authentication must be on.",
            ),
        ),
        dialogue(
            ["faq", "contact", "docx"],
            kb(
                "are ye open on stephens day? need to sort out a return with someone",
                ["contact/service-levels"],
                "No, agents are off on 25 December, 26 December and 1 January; the virtual assistant in "
                "chat is still available every day, and safety issues are handled by a person around the "
                "clock. On 24 and 31 December agents work from 9:00 to 14:00.",
            ),
        ),
        dialogue(
            ["faq", "contact"],
            kb(
                "just wondering, if I ask the chat for a real person late on a sunday night does anyone "
                "actually answer?",
                ["contact/contact-us", "contact/escalation-policy"],
                "Outside agent hours (Sundays are closed) a ticket is created and an agent replies by "
                "email; for normal requests the first response comes within 1 working day. Safety issues "
                "are the exception: a person handles them 24 hours a day.",
            ),
        ),
    ]


def faq_troubleshooting() -> list[Dialogue]:
    """Single questions about devices and the app."""
    return [
        dialogue(
            ["faq", "troubleshooting"],
            kb(
                "bought a second hand beacon max on ebay and the app says K-402 when i try to set it up. "
                "seller isn't answering my messages",
                ["troubleshooting/app-error-codes"],
                "K-402 means the speaker is still linked to the previous owner's account, and a factory "
                "reset doesn't remove that. Since the seller can't be reached, contact us with a photo of "
                "the serial number and your proof of purchase (the eBay order is fine) and we remove the "
                "link within 3 working days.",
            ),
        ),
        dialogue(
            ["faq", "troubleshooting"],
            kb(
                "my Aura 2 light is blinking orange-ish when I plug it in and it's not charging. they were "
                "left in the car overnight, it was freezing",
                ["troubleshooting/aura-charging-and-battery"],
                "Blinking amber means charging is paused because the temperature is outside 5–35 °C (or "
                "there's a charger problem). Let the headphones warm up to room temperature and plug them "
                "in again; a steady red light means they're charging.",
            ),
        ),
        dialogue(
            ["faq", "troubleshooting"],
            kb(
                "pulse hasnt synced my steps since sunday. I've got an android phone if that matters",
                ["troubleshooting/pulse-watch-not-syncing"],
                "Pull down on the Today screen in the Kestrel app to sync, keep Bluetooth on and the watch "
                "close by, and check the watch battery is above 10%. On Android, set the Kestrel app's "
                "battery usage to Unrestricted; if it still won't sync, restart the watch by holding the "
                "side button for 12 seconds (the watch keeps up to 7 days of data).",
            ),
        ),
        dialogue(
            ["faq", "troubleshooting", "pdf"],
            kb(
                "can i pair my new beacon max with my old beacon mini as a stereo pair, like left and right?",
                ["troubleshooting/beacon-quick-start"],
                "No, a stereo pair needs two Beacon Max speakers; a Beacon Max can't form a stereo pair "
                "with a Beacon Mini. Both can play together in the same group, though.",
            ),
        ),
    ]


def followups() -> list[Dialogue]:
    """Dialogues whose later questions depend on earlier ones."""
    return [
        dialogue(
            ["followup", "troubleshooting", "swap-product"],
            kb(
                "can my aura 2 stay connected to my laptop and my phone at the same time? so annoying "
                "having to switch",
                ["troubleshooting/aura-2-pairing-and-reset"],
                "No, Aura 2 doesn't support multipoint: it remembers up to 8 devices but connects to one at "
                "a time, so disconnect it in the first device's Bluetooth settings before connecting the "
                "second.",
            ),
            kb(
                "ugh. does the pro one do it?",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "Yes, Aura 2 Pro supports multipoint: it can be connected to two devices at once, such as a "
                "laptop and a phone, and the audio switches to whichever one starts playing.",
            ),
            kb(
                "how much more is it than mine",
                ["billing/price-list"],
                "Aura 2 Pro costs £229 (€259) and Aura 2 costs £149 (€169), so the Pro is £80 / €90 more.",
            ),
        ),
        dialogue(
            ["followup", "orders", "swap-country"],
            kb(
                "whats the quickest delivery I can get? I'm in Manchester",
                ["orders/delivery-uk"],
                "Next-day delivery with DPD costs £5.95 if you order by 8pm Monday to Friday (it's free "
                "for Premium members); there's also Saturday delivery for £7.95 if you order by 8pm on "
                "Friday.",
            ),
            kb(
                "ok and what if i was sending it to my mam in Galway instead",
                ["orders/delivery-ireland", "orders/countries-we-deliver-to"],
                "For an address in Ireland you'd order from the Irish store, and there's no express or "
                "next-day option there: An Post standard delivery takes 3–5 working days and costs €6.95, "
                "free over €60.",
            ),
            kb(
                "will she get hit with customs charges since it's coming from the UK?",
                ["orders/delivery-ireland"],
                "No, Kestrel pays all duties and customs charges, so she never pays anything on delivery. "
                "If a courier asks her for customs fees, she shouldn't pay and should contact us.",
            ),
        ),
        dialogue(
            ["followup", "billing", "same-article"],
            kb(
                "I joined premium annual 10 days ago and honestly want out. do I get my money back? haven't "
                "used anything yet",
                ["billing/cancel-membership", "billing/club-terms"],
                "Yes: an annual plan cancelled within 14 days of starting, with no Club benefits used, is "
                "refunded in full. Cancel under Account › Club › Cancel membership.",
            ),
            kb(
                "how long till it's back on my card",
                ["billing/cancel-membership"],
                "The refund goes back to the card or PayPal account that paid for the plan within 5 "
                "working days.",
            ),
            kb(
                "if I change my mind later can I do the free trial thing instead?",
                ["billing/cancel-membership", "billing/free-trial"],
                "You can rejoin at any time, but not with a free trial: the Plus trial is only for accounts "
                "that have never had Plus or Premium before.",
            ),
        ),
        dialogue(
            ["followup", "returns", "same-article"],
            kb(
                "how long have I got to send back headphones I don't want?",
                ["returns/return-policy"],
                "It depends on your Kestrel Club plan on the day of delivery: 30 days on Basic, 45 on Plus "
                "and 60 on Premium, counted from the delivery date.",
            ),
            kb(
                "they were a christmas present though, delivered 2nd december",
                ["returns/return-policy"],
                "Items delivered between 15 November and 24 December can be returned until 31 January of "
                "the next year, or until the end of your normal window if that is later.",
            ),
            kb(
                "and do I have to pay the postage",
                ["returns/return-policy", "returns/refund-timing"],
                "Return postage is free for Plus and Premium members; on Basic, £2.95 / €3.95 is taken off "
                "the refund for a change-of-mind return. It's always free if the item is faulty.",
            ),
        ),
        dialogue(
            ["followup", "troubleshooting", "swap-product"],
            kb(
                "beacon mini setup doesn't show my wifi at all. the new router only does 5ghz i think",
                ["troubleshooting/beacon-mini-wifi-setup"],
                "Beacon Mini only works on 2.4 GHz networks, not 5 GHz. Turn on the 2.4 GHz band on your "
                "router or create a separate 2.4 GHz network (WPA2 or WPA2/WPA3 mixed, not WPA3-only).",
            ),
            kb(
                "would the max work with it?",
                ["troubleshooting/beacon-max-wifi-setup", "troubleshooting/beacon-quick-start"],
                "Yes, Beacon Max supports both 2.4 GHz and 5 GHz with WPA2 or WPA3, and it also has an "
                "Ethernet port if you'd rather use a cable.",
            ),
            kb(
                "right, I'll send the mini back then. do I have to reset it first? how?",
                ["troubleshooting/beacon-factory-reset", "returns/return-policy"],
                "Yes, returned devices must be reset and removed from the Kestrel app. Keep the Mini "
                "plugged in and hold the microphone mute button for 20 seconds until the light ring turns "
                "orange and it plays a tone, then choose Remove device for it in the app.",
            ),
        ),
        dialogue(
            ["followup", "billing", "swap-country"],
            kb(
                "is there a student price for kestrel club? I'm at uni in Leeds",
                ["billing/student-discount"],
                "Yes, UK students get Club Plus monthly at half price, £2.49 instead of £4.99. Apply under "
                "Account › Club › Student discount with your student email (e.g. .ac.uk) and confirm within "
                "48 hours.",
            ),
            kb(
                "can I get it on the yearly one instead?",
                ["billing/student-discount"],
                "No, the student discount is for monthly Plus only; it isn't available on annual Plus or "
                "on Premium, and it can't be combined with the free trial.",
            ),
            kb(
                "what about my flatmate, she's studying at a uni in Lyon",
                ["billing/student-discount"],
                "Unfortunately not: the discount is only for students enrolled in the UK or Ireland, and "
                "students in France, Germany and the Netherlands aren't eligible at the moment.",
            ),
        ),
        dialogue(
            ["followup", "security", "related-article"],
            kb(
                "how do I get a copy of all the data you hold on me",
                ["security/data-export"],
                "Go to Account › Privacy › Download my data, choose Request a copy and confirm with your "
                "password. We email you when the ZIP file (JSON and CSV) is ready, usually within 72 hours "
                "and at most 30 days.",
            ),
            kb(
                "how long does the download link last",
                ["security/data-export"],
                "The link is valid for 7 days and only works while you're signed in; after that you'd need "
                "to request a new copy, which you can do once every 30 days.",
            ),
            kb(
                "after that I want the account gone completely. I've still got a return going through "
                "though, is that a problem?",
                ["account/delete-your-account"],
                "Yes, deletion is blocked while a return or refund is in progress, so wait until it's "
                "finished, then go to Account › Privacy › Delete my account. You can restore the account "
                "within 30 days, and order records and invoices are kept for 7 years for tax law.",
            ),
        ),
        dialogue(
            ["followup", "returns", "docx"],
            kb(
                "whats the warranty on the pulse watch?",
                ["returns/warranty"],
                "Kestrel devices, including the Pulse watch, have a 2-year warranty from delivery; Premium "
                "members get a third year with Kestrel Care on devices bought while they're Premium.",
            ),
            kb(
                "does that cover water damage? I swim with mine",
                ["returns/warranty", "troubleshooting/pulse-watch-not-syncing"],
                "Liquid damage isn't usually covered, but Pulse watches used within their water resistance "
                "are: Pulse is rated 5 ATM, fine for swimming and showering but not for diving, water "
                "skiing or saunas.",
            ),
            kb(
                "the display went all glitchy after about 8 months. how do I claim?",
                ["returns/warranty-claims"],
                "Go to Account › Devices, select the watch and choose Warranty claim, then fill in the form "
                "(fault, when it started, what you've tried); you get a claim reference starting with W-. "
                "We review it within 3 working days and send a free shipping label, and repairs take 7–10 "
                "working days.",
            ),
        ),
    ]


def memory() -> list[Dialogue]:
    """Dialogues where the customer states facts (plan, country, device, order) that later answers need."""
    return [
        dialogue(
            ["memory", "returns", "plan", "country"],
            say(
                "hi, I'm a Plus member and I live in Hamburg",
                "Hi! Thanks, I've noted that you're on Kestrel Club Plus in Germany. How can I help?",
                facts=["plan", "country"],
            ),
            kb(
                "I want to send back a speaker I don't like. will the return cost me anything?",
                ["returns/drop-off-germany", "returns/return-policy"],
                "No, as a Plus member your change-of-mind return postage is free. Start the return, then "
                "hand the parcel to DHL at a Postfiliale, Paketshop or Packstation using the QR code, "
                "within 14 days of starting the return.",
            ),
            kb(
                "and how long do I have from when it arrived?",
                ["returns/return-policy", "billing/plus-plan"],
                "On Plus you have 45 days from the delivery date.",
            ),
        ),
        dialogue(
            ["memory", "troubleshooting", "device"],
            kb(
                "my Aura 2 Pro keeps cutting out on calls, how do i reset it",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "With the Aura 2 Pro switched on, hold the power and ANC buttons together for 15 seconds "
                "until the light flashes purple three times and they restart. Then remove Kestrel Aura 2 "
                "Pro from your phone's Bluetooth list and pair again.",
                facts=["device"],
            ),
            kb(
                "how long is the battery supposed to last on them?",
                ["troubleshooting/aura-charging-and-battery"],
                "Aura 2 Pro lasts up to 40 hours with noise cancelling on and up to 50 hours with it off; a "
                "full charge takes 2.5 hours, and 10 minutes gives about 5 hours of playback.",
            ),
        ),
        dialogue(
            ["memory", "orders", "country", "plan"],
            say(
                "Goedemiddag! I live in Utrecht and order from the Dutch store",
                "Good afternoon! Noted, you're in the Netherlands. How can I help?",
                facts=["country"],
            ),
            kb(
                "if i order a speaker tomorrow afternoon can it come the next evening? what does that cost",
                ["orders/delivery-netherlands"],
                "Yes, PostNL evening delivery arrives the next working day between 18:00 and 22:00 for "
                "€6.95, if you order by 4pm Monday to Friday.",
            ),
            kb(
                "I'm on Club Plus btw, is it free for me then?",
                ["orders/delivery-netherlands"],
                "Not the evening delivery: Plus gives you free standard and pickup point delivery, but "
                "evening delivery stays €6.95; it's only free on Premium.",
                facts=["plan"],
            ),
        ),
        dialogue(
            ["memory", "orders", "order_number", "country"],
            say(
                "my order number is KE-5520918, I'm down in Cork",
                "Thanks, I've noted order KE-5520918 and that you're in Ireland. What's happened with it?",
                facts=["order_number", "country"],
            ),
            kb(
                "tracking says it was delivered yesterday but theres nothing here and the neighbours "
                "haven't got it either",
                ["orders/missing-or-late-parcel", "orders/track-your-order"],
                "Check the carrier's proof of delivery (photo or signature) on the tracking page and any "
                "safe place, then give it 24 hours, as carriers sometimes scan parcels early. If it still "
                "hasn't turned up, report it within 14 days of the delivery date and we open an "
                "investigation with the carrier, which takes up to 10 working days.",
            ),
            kb(
                "cant you just send me a new one now?",
                ["orders/missing-or-late-parcel"],
                "We can only send a replacement or refund once the carrier investigation is finished; "
                "Premium members are the exception and get the replacement after 5 working days.",
            ),
        ),
        dialogue(
            ["memory", "billing", "country"],
            say(
                "hiya, I'm a student at Trinity in Dublin",
                "Hi! Thanks, noted that you're in Ireland. What can I help you with?",
                facts=["country"],
            ),
            kb(
                "how much would club plus be for me a month?",
                ["billing/student-discount"],
                "As a student in Ireland you can get Plus monthly for €2.99 instead of €5.99. Verify your "
                "college email under Account › Club › Student discount and confirm within 48 hours; you "
                "re-verify every 12 months.",
            ),
            kb(
                "what would I actually get for that, do I still pay for delivery?",
                ["billing/plus-plan", "billing/kestrel-club-plans", "orders/delivery-ireland"],
                "Plus gives free standard delivery on every order (An Post, 3–5 working days in Ireland), "
                "a 45-day returns window with free return postage, 5% off accessories and 24-hour early "
                "access to Club sales.",
            ),
        ),
        dialogue(
            ["memory", "returns", "plan", "country", "device"],
            kb(
                "Hi, Premium member in Bristol here. My Beacon Max arrived last week and it crackles at any "
                "volume. I'd rather not lug it to the post office, can you collect it?",
                ["returns/drop-off-uk", "returns/faulty-items", "returns/start-a-return"],
                "Yes: start a return with Faulty as the reason and choose Collection, and DPD collects it on "
                "a weekday between 7am and 6pm, bringing the label; it's free for you as a Premium member "
                "(and free for faulty items anyway). As it's within 30 days of delivery you can choose a "
                "refund, a replacement or a repair.",
                facts=["plan", "country", "device"],
            ),
            kb(
                "also I dropped my Aura 2 and cracked the headband, is that covered for me?",
                ["billing/premium-plan", "returns/warranty"],
                "Drops aren't covered by the warranty, but as a Premium member you get one accidental "
                "damage repair per membership year for a fixed fee of £25.",
            ),
        ),
        dialogue(
            ["memory", "troubleshooting", "device", "plan", "recall"],
            say(
                "I've got a Pulse watch and I'm on Premium, just so you know",
                "Thanks, I've noted your Pulse watch and your Premium membership. What can I do for you?",
                facts=["device", "plan"],
            ),
            kb(
                "the app keeps nagging me to update it, how do i do that without breaking anything",
                ["troubleshooting/firmware-updates"],
                "Update the Pulse through the Kestrel app with the watch on its charger and its battery at "
                "least 30%. It takes up to 15 minutes; don't close the app or move the watch away from "
                "your phone until it's done.",
            ),
            kb(
                "and how long is my warranty on it? bought it in march",
                ["returns/warranty", "billing/premium-plan"],
                "As it was bought while you were Premium, Kestrel Care gives you 3 years of warranty in "
                "total (the standard 2 years plus one extra), counted from delivery.",
            ),
            recall(
                "what have you got saved about me anyway?",
                "I've noted that you have a Pulse watch and that you're a Kestrel Club Premium member.",
            ),
        ),
    ]


def unanswerables() -> list[Dialogue]:
    """Fair questions the help centre does not answer."""
    return [
        dialogue(
            ["unanswerable", "product"],
            kb(
                "whats the battery life like on the aura 2 pro?",
                ["troubleshooting/aura-charging-and-battery"],
                "Aura 2 Pro lasts up to 40 hours with noise cancelling on and up to 50 hours with it off.",
            ),
            unanswerable("and how heavy are they? I wear headphones all day at work so it matters"),
        ),
        dialogue(
            ["unanswerable", "product"],
            unanswerable("does the pulse watch have built in gps? want to go running without my phone"),
        ),
        dialogue(
            ["unanswerable", "product"],
            unanswerable("Do the Aura 2 Pro support LDAC or aptX? I'm on an Android phone"),
        ),
        dialogue(
            ["unanswerable", "product"],
            unanswerable("roughly how many days does the Pulse battery last between charges?"),
        ),
        dialogue(
            ["unanswerable", "company"],
            unanswerable("are you hiring at the warehouse in Bristol? looking for work"),
        ),
        dialogue(
            ["unanswerable", "company"],
            unanswerable(
                "if I buy a new speaker from you will you take my old one (different brand) for recycling?"
            ),
        ),
    ]


def escalations() -> list[Dialogue]:
    """Dialogues that must be handed to a person."""
    return [
        dialogue(
            ["escalate", "safety"],
            handoff(
                "the plug adapter for our beacon mini cracked when i pulled it out the wall, theres metal "
                "bits showing. my little one nearly grabbed it",
                "Please keep everyone away from it, stop using it and only unplug it when it's safe to do "
                "so. This is a safety issue, so I'm passing you to a person now as an urgent case; adapters "
                "with batch code 2309, 2310 or 2311 are recalled and replaced free of charge.",
                docs=["contact/product-recalls"],
            ),
        ),
        dialogue(
            ["escalate", "safety"],
            handoff(
                "My Pulse watch has gone all puffy, the back is bulging out and it feels warm. Should I "
                "just send it back as a normal return?",
                "Please stop using it, don't charge it or press on it, and put it on a non-flammable "
                "surface away from anything that can burn. Don't post it or start a normal return: I'm "
                "passing this to a person as an urgent safety case, and we arrange special packaging and a "
                "specialist collection free of charge, with a replacement or full refund.",
                docs=["troubleshooting/battery-safety"],
            ),
        ),
        dialogue(
            ["escalate", "legal"],
            kb(
                "my refund for the aura 2 I sent back still isnt here, tracking says you got them 6 days ago",
                ["returns/refund-timing"],
                "We check returns within 5 working days of arrival and then issue the refund by email; "
                "card refunds take another 3–5 working days to show. If the refund email is more than 5 "
                "working days old, we can give you the refund reference for your bank.",
            ),
            handoff(
                "I never got any refund email. this is a joke. if the money isn't back by friday I'm taking "
                "you to the small claims court"
            ),
        ),
        dialogue(
            ["escalate", "repeated-failure"],
            kb(
                "beacon max light bar keeps blinking red when I put my wifi password in",
                ["troubleshooting/beacon-max-wifi-setup"],
                "Blinking red means the Wi-Fi password was wrong: press the action button twice and enter "
                "the password again.",
            ),
            kb(
                "the password is 100% right, typed it really carefully. still red",
                ["troubleshooting/beacon-factory-reset", "troubleshooting/beacon-max-wifi-setup"],
                "Try a factory reset: with the speaker plugged in, press inside the reset hole on the back "
                "with a paper clip for 10 seconds until the light bar turns white and it restarts, then set "
                "it up again. You can also connect an Ethernet cable so the app skips the Wi-Fi step.",
            ),
            handoff(
                "did the reset, did setup again, exact same thing. red light. that's my whole evening gone, "
                "nothing you say is working"
            ),
        ),
        dialogue(
            ["escalate", "explicit-request"],
            kb(
                "if I go from plus to premium halfway through the month do I have to pay the full premium "
                "price?",
                ["billing/switching-plans"],
                "No, the upgrade takes effect immediately and you pay the pro-rated difference for the rest "
                "of the billing period, about £2.50 halfway through a £4.99 Plus month; after that it renews "
                "at the Premium price on your usual date.",
            ),
            handoff("hmm ok. I'd rather talk it through with a real person tbh, can you put me through"),
        ),
        dialogue(
            ["escalate", "billing-dispute"],
            handoff(
                "I've been charged twice for my Premium renewal, two payments of £9.99 from KESTREL CLUB on "
                "the same day. I want one of them refunded please",
                "Sorry about that. A duplicate charge has to be checked and refunded by a person, so I'm "
                "passing this to our team with the date and amount; please don't send your full card "
                "number.",
            ),
        ),
        dialogue(
            ["escalate", "2fa"],
            handoff(
                "lost my phone with the authenticator app on it and I never saved the backup codes. can you "
                "turn off two factor on my account? its niamh.byrne@example.ie",
                "Without your phone or a backup code, 2FA has to be removed by an agent after verifying "
                "your identity with details of recent orders; that check takes up to 3 working days. I'm "
                "passing this to a person now.",
                docs=["account/two-factor-authentication"],
                facts=["email"],
            ),
        ),
    ]


def chitchat() -> list[Dialogue]:
    """Greetings, thanks and small talk around questions."""
    return [
        dialogue(
            ["chitchat", "account"],
            hello(0),
            kb(
                "i forgot my password and the reset email never came :(",
                ["account/reset-password"],
                "Check your spam or junk folder and any Promotions tab, and make sure you used the email "
                "you signed up with. Wait 10 minutes before asking for another link; only the newest link "
                "works, and it's valid for 60 minutes.",
            ),
            thanks(0),
        ),
        dialogue(
            ["chitchat", "orders"],
            hello(4),
            kb(
                "can express orders go to my Packstation? I'm never home",
                ["orders/delivery-germany"],
                "No, only standard DHL orders can go to a Packstation or Postfiliale (enter your "
                "Postnummer); express orders need a street address.",
            ),
            thanks(5),
        ),
        dialogue(
            ["chitchat", "account"],
            say(
                "are you a real person or a bot lol",
                "I'm Kestrel's virtual assistant. I can answer most questions, and I can pass you to a "
                "person whenever you like.",
            ),
            kb(
                "fair enough. I signed up with apple's hide my email thing, which email do I give you if I "
                "contact support?",
                ["account/sign-in-with-apple-or-google"],
                "Give us the Apple relay address ending in privaterelay.appleid.com, because that's the "
                "address we can see on your account; our emails to it are forwarded to your Apple ID email.",
            ),
            thanks(3),
        ),
        dialogue(
            ["chitchat", "contact"],
            hello(2),
            kb(
                "what time does the team open on saturdays? I'm in the UK",
                ["contact/contact-us"],
                "The UK and Ireland team is available on Saturdays from 9:00 to 17:00; chat with the "
                "virtual assistant is open 24/7.",
            ),
            say(
                "lovely, you've been really helpful. have a nice weekend",
                "Thank you, you too! Come back any time if you need anything.",
            ),
        ),
    ]


CATEGORIES: Categories = {
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


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: build, check, write, and print the counts."""
    return written_apart.main(
        argv, description=__doc__.splitlines()[0], categories=CATEGORIES, prefix="val", file_name=FILE_NAME
    )


if __name__ == "__main__":
    sys.exit(main())
