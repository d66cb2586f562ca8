"""Conversations of several turns: follow-ups, memory, hand-overs, small talk (second writer)."""

from __future__ import annotations

from demo_dialogues.turns import dialogue, handoff, hello, kb, recall, say, thanks, unanswerable
from written_apart import Dialogue


def followups() -> list[Dialogue]:
    """Follow-up questions that only make sense with the turns before them."""
    return [
        dialogue(
            ["followup", "orders"],
            kb(
                "how long does standard delivery take in the uk",
                ["orders/delivery-uk"],
                "Standard delivery in the UK (Royal Mail Tracked 48) takes 2–4 working days. It costs £3.95 "
                "and is free on orders over £40.",
            ),
            kb(
                "and to ireland?",
                ["orders/delivery-ireland"],
                "In Ireland, standard delivery with An Post takes 3–5 working days and costs €6.95, free "
                "over €60.",
            ),
            kb(
                "is there anything faster there, i'd pay extra",
                ["orders/delivery-ireland"],
                "No, there is no express or next-day delivery in Ireland at the moment, not even for Premium "
                "members. Standard (3–5 working days) is the only option.",
            ),
        ),
        dialogue(
            ["followup", "troubleshooting"],
            kb(
                "my aura 2 keep cutting out, how do i reset them",
                ["troubleshooting/aura-2-pairing-and-reset"],
                "With the Aura 2 switched on, hold power and volume down together for 10 seconds. The light "
                "flashes red three times and they switch off; then remove them from your Bluetooth list and "
                "pair again.",
            ),
            kb(
                "and for the pro? my husband has those",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "On Aura 2 Pro, switch them on and hold power and the ANC button together for 15 seconds. "
                "The light flashes purple three times and the headphones restart.",
            ),
            kb(
                "can his connect to the laptop and phone both at once?",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "Yes. Aura 2 Pro supports multipoint, so it can be connected to two devices at the same "
                "time, such as a laptop and a phone; audio switches to whichever starts playing.",
            ),
        ),
        dialogue(
            ["followup", "billing", "csv"],
            kb(
                "How much is Club Plus a month in the UK?",
                ["billing/plus-plan", "billing/kestrel-club-plans", "billing/price-list"],
                "Kestrel Club Plus costs £4.99 a month in the UK, or £49 a year on the annual plan.",
            ),
            kb(
                "and for premium?",
                ["billing/premium-plan", "billing/kestrel-club-plans", "billing/price-list"],
                "Premium costs £9.99 a month or £99 a year in the UK.",
            ),
            kb(
                "if I go up to it halfway through my month do I pay the full amount again?",
                ["billing/switching-plans"],
                "No. The upgrade from Plus to Premium takes effect immediately and you pay the pro-rated "
                "difference for the rest of the period, about £2.50 if you are halfway through a month.",
            ),
        ),
        dialogue(
            ["followup", "troubleshooting", "pdf"],
            kb(
                "beacon mini doesnt show my wifi network in the app at all??",
                ["troubleshooting/beacon-mini-wifi-setup"],
                "Beacon Mini only works on 2.4 GHz Wi-Fi, so a 5 GHz-only network will not be listed. Turn "
                "on 2.4 GHz on your router or create a separate 2.4 GHz network.",
            ),
            kb(
                "would the bigger one work on 5ghz then",
                ["troubleshooting/beacon-max-wifi-setup", "troubleshooting/beacon-quick-start"],
                "Yes, Beacon Max supports both 2.4 GHz and 5 GHz networks, with WPA2 or WPA3. It also has an "
                "Ethernet port if you prefer a cable.",
            ),
        ),
        dialogue(
            ["followup", "returns"],
            kb(
                "whats the return window if i'm on the free plan",
                ["returns/return-policy", "billing/kestrel-club-plans"],
                "On Basic you have 30 days from the day of delivery. For change-of-mind returns, £2.95 / "
                "€3.95 return postage is deducted from the refund.",
            ),
            kb(
                "and on premium?",
                ["returns/return-policy", "billing/premium-plan"],
                "Premium members have 60 days from delivery, and return postage is free.",
            ),
            kb(
                "ok it was delivered on 3 december, does christmas change that",
                ["returns/return-policy"],
                "Yes. Items delivered between 15 November and 24 December can be returned until 31 January, "
                "or until the end of your normal window if that is later.",
            ),
        ),
        dialogue(
            ["followup", "orders"],
            kb(
                "can i still cancel it",
                ["orders/change-or-cancel-an-order"],
                "Yes, while the status is Received (usually the first 30 minutes), go to Account › Orders › "
                "Cancel order.",
            ),
            kb(
                "what if it already says processing",
                ["orders/change-or-cancel-an-order"],
                "Once it is Processing it can't be changed online. Contact us as soon as possible and we can "
                "try to stop it, but that isn't guaranteed; if not, you can return it after delivery.",
            ),
            kb(
                "when would i get the money back if it's cancelled",
                ["orders/change-or-cancel-an-order"],
                "Refunds for cancelled orders are issued within 24 hours and reach your account in 3–5 "
                "working days.",
            ),
            context=[
                ("user", "I ordered a Beacon Max about 20 minutes ago and I've changed my mind"),
                ("assistant", "No problem, I can help with that. What would you like to do with the order?"),
            ],
        ),
        dialogue(
            ["followup", "returns"],
            kb(
                "I've started a return in Germany, where do I drop off the parcel?",
                ["returns/drop-off-germany"],
                "Take it to a DHL Postfiliale or Paketshop and show the QR code from your return email, or "
                "use a DHL Packstation and choose Retoure mit QR-Code. Hand it over within 14 days.",
            ),
            kb(
                "can dhl not just collect it from my flat",
                ["returns/drop-off-germany"],
                "No, home collection isn't available in Germany, not even for Premium members.",
            ),
            kb(
                "my sister in manchester says they picked hers up from home?",
                ["returns/drop-off-uk"],
                "In the UK, DPD can collect from home on a weekday between 7am and 6pm. It costs £4.95 for "
                "Basic and Plus members and is free for Premium members or if the item is faulty.",
            ),
        ),
        dialogue(
            ["followup", "billing"],
            kb(
                "can i pay with klarna on the french site",
                ["billing/payment-methods"],
                "No, Klarna isn't offered in the French store. Klarna pay in 3 is UK only, and pay in 30 "
                "days is available in Germany and the Netherlands.",
            ),
            kb(
                "what about ideal?",
                ["billing/payment-methods"],
                "iDEAL is only available in the Netherlands store, so not in France.",
            ),
            kb(
                "fine. i want to preorder something, card works for that right",
                ["orders/pre-orders", "billing/payment-methods"],
                "Yes, pre-orders can be paid by card, PayPal, Apple Pay or Google Pay. Your card is "
                "authorised when you order and only charged when the item is dispatched.",
            ),
        ),
        dialogue(
            ["followup", "troubleshooting"],
            kb(
                "how do i update the software on my pulse",
                ["troubleshooting/firmware-updates"],
                "Pulse updates through the Kestrel app. The battery must be at least 30% and the watch on "
                "its charger; an update takes up to 15 minutes.",
            ),
            kb(
                "and the beacon speakers, do i have to do that for them too",
                ["troubleshooting/firmware-updates"],
                "No, Beacon speakers update automatically overnight between 2am and 5am while plugged in and "
                "on Wi-Fi. You can also choose Update now under Settings › About in the app.",
            ),
            kb(
                "the watch one just failed, says K-301",
                ["troubleshooting/firmware-updates", "troubleshooting/app-error-codes"],
                "K-301 means the update failed. Charge the watch, restart it, keep the app open and try "
                "again. A failed update never deletes the old firmware, so it keeps working.",
            ),
        ),
        dialogue(
            ["followup", "account"],
            kb(
                "how long is that link good for?",
                ["account/reset-password"],
                "The reset link is valid for 60 minutes, and only the most recent link works.",
            ),
            kb(
                "will it kick me out of the app on my phone as well",
                ["account/reset-password"],
                "Yes, after a reset you are signed out on all other devices and browsers, including the "
                "Kestrel app. Sign in again with the new password.",
            ),
            context=[
                ("user", "forgot my password again"),
                (
                    "assistant",
                    "You can set a new one yourself: choose Forgot password? on the sign-in page and we "
                    "email you a reset link.",
                ),
            ],
        ),
        dialogue(
            ["followup", "billing"],
            kb(
                "do you do a student discount on plus",
                ["billing/student-discount"],
                "Yes, students in the UK and Ireland get Plus monthly at half price: £2.49 in the UK or "
                "€2.99 in Ireland.",
            ),
            kb(
                "can I get it on the yearly one",
                ["billing/student-discount"],
                "No, the student price applies to monthly Plus only, not to annual Plus or Premium.",
            ),
            kb(
                "what about my cousin, she studies in lyon",
                ["billing/student-discount"],
                "Unfortunately students in France, Germany and the Netherlands are not eligible at the "
                "moment.",
            ),
        ),
        dialogue(
            ["followup", "returns", "docx"],
            kb(
                "whats the warranty on the pulse watch",
                ["returns/warranty"],
                "Pulse has a 2-year warranty from delivery. Premium members get Kestrel Care, one extra "
                "year, so 3 years on devices bought while Premium.",
            ),
            kb(
                "does that cover it if I drop it and crack the screen",
                ["returns/warranty", "billing/premium-plan"],
                "No, accidental damage like drops and cracks isn't covered. Premium members can use "
                "accidental damage repair once per membership year for £25 / €29.",
            ),
            kb(
                "how long do you keep it for a repair",
                ["returns/warranty", "returns/warranty-claims"],
                "Repairs take 7–10 working days from when we receive the device.",
            ),
        ),
    ]


def memory() -> list[Dialogue]:
    """A fact about the customer to remember, which later picks the right article."""
    return [
        dialogue(
            ["memory", "orders"],
            say(
                "hi! just moved to munich so im ordering from the german site now",
                "Thanks, I've noted that you're in Germany. How can I help?",
                facts=["country"],
            ),
            kb(
                "how long does delivery take?",
                ["orders/delivery-germany"],
                "Standard DHL delivery takes 3–5 working days (€4.95, free over €50). Express takes 1–2 "
                "working days for €9.95 if you order by 2pm Monday to Friday.",
            ),
        ),
        dialogue(
            ["memory", "troubleshooting"],
            kb(
                "I have the aura 2 pro. how many hours should the battery last?",
                ["troubleshooting/aura-charging-and-battery"],
                "Aura 2 Pro lasts up to 40 hours with noise cancelling on and up to 50 hours with it off. A "
                "full charge takes 2.5 hours.",
                facts=["device"],
            ),
            kb(
                "ok. and how do I do a factory reset on them",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "Switch them on, then hold power and the ANC button together for 15 seconds until the light "
                "flashes purple three times. Remove them from your Bluetooth list and pair again.",
            ),
        ),
        dialogue(
            ["memory", "returns"],
            say(
                "I'm a Premium member, have been for a couple of years now",
                "Thanks for letting me know, I've noted that you're on Premium. What can I do for you?",
                facts=["plan"],
            ),
            kb(
                "how many days have I got to send stuff back?",
                ["returns/return-policy", "billing/premium-plan"],
                "As a Premium member you have 60 days from the day of delivery, and return postage is free.",
            ),
            recall(
                "btw what do you actually know about me",
                "I've noted that you're a Kestrel Club Premium member. That's all I know about you.",
            ),
        ),
        dialogue(
            ["memory", "troubleshooting"],
            say(
                "got a beacon mini for my birthday",
                "Happy birthday! I've noted that you have a Beacon Mini. How can I help with it?",
                facts=["device"],
            ),
            kb(
                "it wont connect to the wifi. what kind of network does it need",
                ["troubleshooting/beacon-mini-wifi-setup"],
                "Beacon Mini needs a 2.4 GHz network with WPA2 security. It doesn't support 5 GHz or "
                "WPA3-only networks; WPA2/WPA3 mixed mode works.",
            ),
            kb(
                "how do i factory reset it",
                ["troubleshooting/beacon-factory-reset"],
                "Keep it plugged in and hold the microphone mute button for 20 seconds. The light ring turns "
                "orange and it plays a tone; after about a minute it pulses orange, ready to set up.",
            ),
        ),
        dialogue(
            ["memory", "returns"],
            say(
                "Order KE-5520918. I'm in the Netherlands",
                "Thanks, I've noted order KE-5520918 and that you're in the Netherlands. How can I help?",
                facts=["order_number", "country"],
            ),
            kb(
                "where do i hand in the return",
                ["returns/start-a-return"],
                "In the Netherlands you drop the return off at a PostNL point, within 14 days of starting "
                "the return. Collection from home isn't available there.",
            ),
            kb(
                "will it cost me anything, i'm just on basic",
                ["returns/return-policy", "returns/refund-timing"],
                "For a change-of-mind return on Basic, €3.95 return postage is deducted from your refund. "
                "It's free if the item is faulty.",
                facts=["plan"],
            ),
        ),
        dialogue(
            ["memory", "billing"],
            kb(
                "Hi, I'm Sophie, I study at Leeds. How much would Plus be for me?",
                ["billing/student-discount"],
                "As a UK student you can get Plus monthly for £2.49 instead of £4.99. You verify with your "
                "student email address under Account › Club › Student discount.",
                facts=["name", "country"],
            ),
            kb(
                "do i have to do anything to keep that price next year",
                ["billing/student-discount"],
                "Yes, you need to verify again every 12 months; we remind you by email 14 days before. "
                "Otherwise it continues at the normal £4.99 monthly price.",
            ),
        ),
        dialogue(
            ["memory", "contact"],
            kb(
                "what vat do you charge? I'm in Dublin",
                ["billing/invoices-and-vat"],
                "Prices in the Irish store include VAT at 23%.",
                facts=["country"],
            ),
            kb(
                "can i ring someone instead of typing, i pay for premium",
                ["contact/phone-support"],
                "Yes, Premium members in Ireland can call +44 20 7946 0311 (the English-speaking team in "
                "the UK), Mon–Fri 8:00–20:00 and Sat 9:00–17:00 UK time.",
                facts=["plan"],
            ),
        ),
    ]


def unanswerables() -> list[Dialogue]:
    """Fair questions the help centre does not answer."""
    return [
        dialogue(["unanswerable", "products"], unanswerable("when is the aura 3 coming out?")),
        dialogue(
            ["unanswerable", "products"],
            unanswerable("Does the Pulse watch track heart rate and blood oxygen or just steps and sleep?"),
        ),
        dialogue(
            ["unanswerable", "products"],
            kb(
                "can i wear the pulse in the pool",
                ["troubleshooting/pulse-watch-not-syncing"],
                "Yes, Pulse is water resistant to 5 ATM, fine for swimming and showering, but not for "
                "diving, water skiing or saunas. Dry the charging contacts before charging.",
            ),
            unanswerable("nice. how many days does the battery last on one charge?"),
        ),
        dialogue(
            ["unanswerable", "products"],
            unanswerable(
                "does beacon max work with spotify connect and airplay or do i have to use bluetooth"
            ),
        ),
        dialogue(
            ["unanswerable", "products"],
            unanswerable("which bluetooth codecs does the Aura 2 Pro support? aptX / LDAC?"),
        ),
        dialogue(
            ["unanswerable", "products", "pdf"],
            kb(
                "how heavy is the beacon max",
                ["troubleshooting/beacon-quick-start"],
                "Beacon Max weighs 3.1 kg and measures 31 × 17 × 16 cm.",
            ),
            unanswerable("and the mini? need something light to take camping"),
        ),
        dialogue(
            ["unanswerable", "billing"],
            unanswerable(
                "Do you have a trade-in scheme? I'd like to swap my old Aura 2 for money off the Pro."
            ),
        ),
        dialogue(
            ["unanswerable", "returns"],
            unanswerable(
                "my aura 2 are 3 years old, out of warranty, battery is dying. how much do you charge to "
                "replace the battery?"
            ),
        ),
        dialogue(
            ["unanswerable", "billing"],
            kb(
                "how long is a gift card valid for",
                ["billing/gift-cards"],
                "Kestrel gift cards are valid for 24 months from the date of purchase; the expiry date is in "
                "the gift card email.",
            ),
            unanswerable("can you gift wrap the headphones too and put a note in"),
        ),
        dialogue(
            ["unanswerable", "billing"],
            unanswerable("is there any discount for NHS staff?"),
        ),
        dialogue(
            ["unanswerable", "billing"],
            unanswerable("when does the summer sale start this year"),
        ),
    ]


def escalations() -> list[Dialogue]:
    """The customer asks for a person, or for something only a person may do."""
    return [
        dialogue(["escalate", "contact"], handoff("can I talk to a real person please")),
        dialogue(
            ["escalate", "returns"],
            kb(
                "how long do refunds take after you get the parcel back",
                ["returns/refund-timing"],
                "We check returns within 5 working days of them arriving and then issue the refund. A card "
                "refund then takes 3–5 working days to appear; PayPal within 24 hours.",
            ),
            handoff("that's way too slow. get me a manager"),
        ),
        dialogue(
            ["escalate", "returns"],
            handoff(
                "The warehouse confirmed they got my Aura 2 Pro back last week, it was faulty. Can you just "
                "issue the €259 refund now please?",
                "I can't issue refunds myself, so I'm passing this to a member of our support team now with "
                "the details. Normally we check returns within 5 working days and then issue the refund.",
                docs=["returns/refund-timing", "returns/faulty-items"],
            ),
        ),
        dialogue(
            ["escalate", "account"],
            kb(
                "i lost my phone, how do i get into my account with 2fa on",
                ["account/two-factor-authentication"],
                "Choose Use a backup code on the code screen and enter one of your saved backup codes. Once "
                "signed in, set up 2FA again on your new phone.",
            ),
            handoff(
                "don't have the backup codes either. can you switch 2fa off for me",
                "Removing two-factor authentication has to be done by a person, so I'm passing this to our "
                "support team. An agent verifies your identity with details of recent orders; this takes up "
                "to 3 working days.",
                docs=["account/two-factor-authentication"],
            ),
        ),
        dialogue(
            ["escalate", "contact"],
            handoff(
                "I want to make a formal complaint. The DPD driver threw my parcel over the gate and then "
                "marked it delivered.",
                "I'm sorry about that. I'm passing your complaint to a person with high priority; you'll "
                "get an acknowledgement and a reference within 2 working days.",
                docs=["contact/complaints"],
            ),
        ),
        dialogue(
            ["escalate", "orders"],
            handoff(
                "ok so long story. I ordered a beacon max for my dad's 70th, delivery to his address not "
                "mine, paid for next day. the tracking has said out for delivery since tuesday and he's "
                "been waiting in all week. I've checked with his neighbours already. would really prefer "
                "if someone from your team could just look into it properly",
            ),
        ),
        dialogue(
            ["escalate", "orders"],
            handoff(
                "put the wrong house number on my order and it's already showing processing, can you change "
                "it to 14 instead of 41",
                "Once an order is processing it can no longer be changed online, so I'm passing this to a "
                "person who can try to update it; it can't be guaranteed. If it can't be stopped you can "
                "refuse or return it.",
                docs=["orders/change-or-cancel-an-order"],
            ),
        ),
        dialogue(
            ["escalate", "billing", "html"],
            kb(
                "you dropped the price of the beacon max 3 days after I bought it. can I get a price match?",
                ["billing/price-match"],
                "Our own price drops aren't covered by the price match promise. Club members can ask for a "
                "one-off goodwill credit within 7 days of buying.",
            ),
            handoff(
                "i'm on plus so yes please, i'd like that credit",
                "Goodwill credits are decided by a person, so I'm passing your request to our support team "
                "now with the details.",
                docs=["billing/price-match"],
            ),
        ),
        dialogue(
            ["escalate", "contact"],
            handoff(
                "I've been messed around for a month now. If this isn't sorted by friday I'm taking you to "
                "the small claims court."
            ),
        ),
        dialogue(
            ["escalate", "contact"],
            kb(
                "what time are your agents there till on saturday",
                ["contact/contact-us"],
                "The UK and Ireland team works 9:00–17:00 on Saturdays. The German, French and Dutch teams "
                "are closed at weekends; chat with the virtual assistant is available 24/7.",
            ),
            handoff("ok its 11 now so could you connect me with one of them please"),
        ),
        dialogue(
            ["escalate", "contact"],
            kb(
                "whats your phone number? I'm premium, in the uk",
                ["contact/phone-support"],
                "Premium members in the UK can call +44 20 7946 0310, Mon–Fri 8:00–20:00 and Sat "
                "9:00–17:00. Have your KC- membership number ready.",
            ),
        ),
        dialogue(
            ["escalate", "contact", "docx"],
            kb(
                "is customer service open on boxing day? want to sort out a return with someone",
                ["contact/service-levels"],
                "No, customer service is closed on 25 and 26 December and 1 January. The virtual assistant "
                "is available every day, and safety issues are handled 24 hours a day.",
            ),
        ),
        dialogue(
            ["escalate", "contact"],
            kb(
                "what address do i send a written complaint to",
                ["contact/complaints"],
                "Write to Kestrel Retail Ltd, Complaints, Unit 4 Harbour Road, Bristol BS1 9KX, United "
                "Kingdom, or email complaints@kestrel.example.",
            ),
            kb(
                "how long before i hear back",
                ["contact/complaints"],
                "We acknowledge complaints within 2 working days, aim to resolve most within 10 working "
                "days, and send a final written response at the latest 8 weeks after receiving it.",
            ),
        ),
    ]


def urgent() -> list[Dialogue]:
    """Safety problems and account takeover: search, then hand over."""
    return [
        dialogue(
            ["urgent", "troubleshooting"],
            handoff(
                "the left earcup of my aura 2 pro has gone all puffy and the plastic is splitting",
                "Please stop using them, don't charge or press on them, and put them on a non-flammable "
                "surface. Don't post them back. I'm passing this to a person now as an urgent safety case.",
                docs=["troubleshooting/battery-safety"],
            ),
        ),
        dialogue(
            ["urgent", "troubleshooting"],
            handoff(
                "beacon mini plug cracked when I pulled it out of the socket, you can see metal bits inside",
                "Stop using the adapter and unplug it from the wall when it's safe to do so. Adapters with "
                "batch codes 2309–2311 are recalled. I'm passing this to a person now as an urgent safety "
                "case.",
                docs=["contact/product-recalls", "troubleshooting/battery-safety"],
            ),
        ),
        dialogue(
            ["urgent", "troubleshooting"],
            kb(
                "what does the blinking amber light mean when my aura 2 is charging",
                ["troubleshooting/aura-charging-and-battery"],
                "Blinking amber means charging has paused, because the temperature is outside 5–35 °C or "
                "there is a problem with the charger.",
            ),
            handoff(
                "hm it's really hot now and theres a weird sweet smell coming off it",
                "Please unplug them if you can do so safely, don't charge them again and put them on a "
                "non-flammable surface. I'm handing this to a person now as an urgent safety issue.",
                docs=["troubleshooting/battery-safety"],
            ),
        ),
        dialogue(
            ["urgent", "security"],
            handoff(
                "Got an email saying my password was changed but it wasn't me, and now I can't log in!!",
                "I'm passing this to a person now as an urgent case. The team can freeze your account for "
                "24 hours, cancel undispatched orders and restore your email if it was changed.",
                docs=["security/account-compromised"],
            ),
        ),
        dialogue(
            ["urgent", "security"],
            handoff(
                "theres an order on my account for 3 beacon max going to an address in leeds I've never "
                "heard of. I didn't place it",
                "This looks like someone else has access to your account, so I'm handing it to a person "
                "urgently; they can cancel undispatched orders and freeze the account. Please reset your "
                "password and sign out everywhere now.",
                docs=["security/account-compromised"],
            ),
        ),
        dialogue(
            ["urgent", "troubleshooting"],
            handoff(
                "my son's pulse watch was on the charger and it's smoking, we've put it on the patio",
                "Well done moving it outside. Keep away from it and call the emergency services if there is "
                "fire. I'm passing this to a person now as an urgent safety case; it's handled free of "
                "charge.",
                docs=["troubleshooting/battery-safety"],
            ),
        ),
    ]


def frustrated() -> list[Dialogue]:
    """Implicit escalation: repeated failure or frustration without asking for a person."""
    return [
        dialogue(
            ["frustrated", "troubleshooting"],
            kb(
                "beacon mini won't join my wifi",
                ["troubleshooting/beacon-mini-wifi-setup"],
                "Beacon Mini needs a 2.4 GHz WPA2 network. If your network isn't listed it's probably 5 GHz "
                "only; turn on 2.4 GHz on your router.",
            ),
            kb(
                "it is 2.4. it's a mesh system if that matters",
                ["troubleshooting/beacon-mini-wifi-setup"],
                "With mesh Wi-Fi, turn off band steering during setup or create a 2.4 GHz guest network.",
            ),
            handoff(
                "did that. still nothing. 3rd evening wasting my time on this thing",
                docs=["troubleshooting/beacon-mini-wifi-setup"],
            ),
        ),
        dialogue(
            ["frustrated", "troubleshooting"],
            kb(
                "how do i reset my aura 2",
                ["troubleshooting/aura-2-pairing-and-reset"],
                "Switch them on and hold power and volume down together for 10 seconds until the light "
                "flashes red three times.",
            ),
            handoff(
                "I've done that twice now and the light never flashes red, it just turns off. Your "
                "instructions are not helping at all",
                docs=["troubleshooting/aura-2-pairing-and-reset"],
            ),
        ),
        dialogue(
            ["frustrated", "troubleshooting"],
            kb(
                "pulse hasn't synced since sunday",
                ["troubleshooting/pulse-watch-not-syncing"],
                "Pull down on the Today screen in the app to sync manually, check Bluetooth is on and keep "
                "the watch near your phone. Syncing stops when the battery is below 10%.",
            ),
            kb(
                "done all that. its an android phone",
                ["troubleshooting/pulse-watch-not-syncing"],
                "On Android, set battery usage for the Kestrel app to Unrestricted; battery optimisation "
                "often stops background syncing.",
            ),
            handoff(
                "still not syncing and I'm going to lose my marathon training runs. this is so frustrating",
                docs=["troubleshooting/pulse-watch-not-syncing"],
            ),
        ),
        dialogue(
            ["frustrated", "account"],
            handoff(
                "no. that doesnt work either. nothing you tell me works",
                docs=["account/sign-in-problems"],
            ),
            context=[
                ("user", "cant log in, says email or password is incorrect"),
                (
                    "assistant",
                    "Check for typos and that Caps Lock is off, then try Forgot password? to set a new one.",
                ),
                ("user", "reset email never comes"),
                (
                    "assistant",
                    "Please check your spam folder and make sure you typed the email you signed up with, "
                    "then wait 10 minutes before requesting another link.",
                ),
            ],
        ),
        dialogue(
            ["frustrated", "returns"],
            kb(
                "got the refund email a week ago but no money yet",
                ["returns/refund-timing"],
                "Card refunds take 3–5 working days to appear after we issue them. If the refund email is "
                "more than 5 working days old, we can send you a refund reference for your bank.",
            ),
            handoff(
                "already asked my bank twice, they say nothing's coming. I'm fed up of being passed back and "
                "forth",
                docs=["returns/refund-timing"],
            ),
        ),
        dialogue(
            ["frustrated", "orders"],
            handoff(
                "this is the THIRD order in a row that's turned up late. every single time. why do I even "
                "bother",
                docs=["orders/missing-or-late-parcel"],
            ),
        ),
    ]


def chitchat() -> list[Dialogue]:
    """Greetings, thanks and small talk around questions."""
    return [
        dialogue(
            ["chitchat", "billing"],
            hello(0),
            kb(
                "can a gift card pay for club membership",
                ["billing/gift-cards"],
                "No, gift cards can be used for products only, not for Kestrel Club membership. Club can be "
                "paid by card or PayPal.",
            ),
            thanks(0),
        ),
        dialogue(
            ["chitchat", "orders"],
            say(
                "are you a bot?",
                "Yes, I'm Kestrel's virtual assistant. I can answer most questions straight away. What can I "
                "help with?",
            ),
            kb(
                "ok bot, do you deliver to belgium",
                ["orders/countries-we-deliver-to"],
                "Sorry, no. We only deliver within the UK, Ireland, Germany, France and the Netherlands, not "
                "to Belgium.",
            ),
            thanks(2),
        ),
        dialogue(
            ["chitchat", "orders"],
            hello(4),
            kb(
                "Is evening delivery possible in Utrecht? I work all day",
                ["orders/delivery-netherlands"],
                "Yes, PostNL evening delivery arrives the next working day between 18:00 and 22:00 for "
                "€6.95, if you order by 4pm Monday to Friday.",
            ),
            thanks(4),
        ),
        dialogue(
            ["chitchat", "billing", "csv"],
            say(
                "morning :) absolutely loving my aura 2s by the way",
                "Good morning, that's great to hear! Is there anything I can help you with?",
            ),
            kb(
                "do the spare ear cushions fit the pro as well? thinking of getting a pair for my partner",
                ["billing/price-list"],
                "Yes, the replacement ear cushions fit both Aura 2 and Aura 2 Pro. They cost £19 / €22.",
            ),
            say("lol ok you're very helpful", "Thank you! Anything else I can do?"),
            thanks(1),
        ),
        dialogue(
            ["chitchat", "account"],
            hello(2),
            say(
                "bit of a rainy day here, perfect for online shopping haha",
                "Sounds like a cosy plan! What can I help you with?",
            ),
            kb(
                "how old do you have to be to make an account",
                ["account/create-an-account"],
                "You must be 16 or older to open a Kestrel account.",
            ),
            thanks(6),
        ),
        dialogue(
            ["chitchat", "smalltalk"],
            hello(5),
            say("sorry, wrong window, ignore me", "No problem at all! I'm here if you need anything."),
            thanks(2),
        ),
    ]
