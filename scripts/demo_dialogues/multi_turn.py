"""Multi-turn dialogues whose later questions only make sense with the earlier turns ("and on the
annual plan?"), plus dialogues that start from seeded history (the `context` field)."""

# ruff: noqa: E501 - dialogue text is data; long reference answers read better unbroken

from __future__ import annotations

from typing import Any

from .turns import dialogue, handoff, hello, kb, say, thanks

MT = "multi-turn"


def follow_ups() -> list[dict[str, Any]]:
    """Follow-up questions that depend on the previous turn."""
    return [
        dialogue(
            [MT, "billing"],
            hello(0),
            kb(
                "how much is plus",
                ["billing/plus-plan", "billing/kestrel-club-plans"],
                "Kestrel Club Plus costs £4.99 a month in the UK, or €5.99 a month in Ireland, Germany, "
                "France and the Netherlands.",
            ),
            kb(
                "and on the annual plan?",
                ["billing/plus-plan", "billing/kestrel-club-plans"],
                "Annual Plus costs £49 a year in the UK or €59 a year in the euro stores.",
            ),
            kb(
                "what do I actually get for that",
                ["billing/plus-plan"],
                "Plus gives you free standard delivery on every order, a 45-day returns window with free "
                "return postage, 5% off accessories and 24-hour early access to Club sales.",
            ),
            thanks(0),
        ),
        dialogue(
            [MT, "returns"],
            kb(
                "whats the return window for basic members",
                ["returns/return-policy"],
                "Basic members can return items within 30 days of delivery.",
            ),
            kb(
                "and premium?",
                ["returns/return-policy", "billing/premium-plan"],
                "Premium members get 60 days from the delivery date.",
            ),
            kb(
                "do basic members pay for the return postage?",
                ["returns/return-policy"],
                "For change-of-mind returns, Basic members pay £2.95 / €3.95, which is deducted from the "
                "refund. Return postage is always free for faulty or damaged items.",
            ),
        ),
        dialogue(
            [MT, "orders"],
            kb(
                "How much is next day delivery?",
                ["orders/delivery-uk"],
                "In the UK, next-day delivery with DPD costs £5.95 if you order by 8pm Monday to Friday.",
            ),
            kb(
                "what about saturday",
                ["orders/delivery-uk"],
                "Saturday delivery costs £7.95; order by 8pm on Friday.",
            ),
            kb(
                "is that free with plus?",
                ["billing/plus-plan", "orders/delivery-uk"],
                "No. Plus includes free standard delivery only; next-day and Saturday delivery are charged "
                "normally. They're free for Premium members.",
            ),
            thanks(1),
        ),
        dialogue(
            [MT, "troubleshooting"],
            kb(
                "my aura 2 won't show up in bluetooth on my phone",
                ["troubleshooting/aura-2-pairing-and-reset"],
                "Switch the headphones off, then hold the power button for 5 seconds until the light "
                "flashes blue and white, and choose 'Kestrel Aura 2' in your phone's Bluetooth settings "
                "(PIN 0000 if asked).",
            ),
            kb(
                "still nothing. how do I reset them then?",
                ["troubleshooting/aura-2-pairing-and-reset"],
                "With the headphones on, hold power and volume down together for 10 seconds until the light "
                "flashes red three times. Remove 'Kestrel Aura 2' from your Bluetooth list and pair again. "
                "Charge them for 15 minutes first if the battery might be low.",
            ),
            say("ok that worked!!", "Great, glad they're working again! Anything else I can help with?"),
        ),
        dialogue(
            [MT, "troubleshooting"],
            kb(
                "my aura 2 pro keeps jumping between my laptop and phone, really annoying",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "That's multipoint: Aura 2 Pro can be connected to two devices at once, and audio switches to "
                "whichever starts playing. You can turn multipoint off in the Kestrel app.",
            ),
            kb(
                "if I reset them does that setting go too?",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "Yes. A reset removes all paired devices, your sound settings and the multipoint setting; it "
                "doesn't change the firmware version.",
            ),
        ),
        dialogue(
            [MT, "troubleshooting"],
            hello(1),
            kb(
                "setting up my new beacon max, does it work with WPA3?",
                ["troubleshooting/beacon-max-wifi-setup"],
                "Yes, Beacon Max supports WPA2 and WPA3, on both 2.4 GHz and 5 GHz networks.",
            ),
            kb(
                "now the light is blinking red",
                ["troubleshooting/beacon-max-wifi-setup"],
                "A blinking red light bar means the Wi-Fi password was wrong. Press the action button twice "
                "and try again.",
            ),
            thanks(2),
        ),
        dialogue(
            [MT, "billing"],
            kb(
                "If I upgrade from plus to premium halfway through the month what do I pay?",
                ["billing/switching-plans"],
                "Upgrades take effect immediately and you pay the pro-rated difference for the rest of the "
                "billing period, for example about £2.50 halfway through a Plus month in the UK.",
            ),
            kb(
                "and if I want to go back down later?",
                ["billing/switching-plans"],
                "Downgrades take effect at your next renewal date. You keep Premium until then, with no "
                "refund for the rest of the period.",
            ),
            kb(
                "can I switch back and forth every week",
                ["billing/switching-plans"],
                "No, you can change plan at most once per billing period.",
            ),
        ),
        dialogue(
            [MT, "billing"],
            kb(
                "I want to cancel my annual plus, do I get money back?",
                ["billing/cancel-membership"],
                "Within 14 days of starting or renewing you get a full refund if you haven't used Club "
                "benefits (minus their value if you have). After 14 days there's no refund, but the benefits "
                "continue until the end of the year and the plan doesn't renew.",
            ),
            kb(
                "I joined 3 weeks ago",
                ["billing/cancel-membership"],
                "Then it's past the 14 days, so there's no refund. If you cancel now, you keep Plus until the "
                "end of your annual term and it won't renew.",
            ),
            thanks(3),
        ),
        dialogue(
            [MT, "returns"],
            kb(
                "how do I send back a speaker, I'm in the UK",
                ["returns/start-a-return", "returns/drop-off-uk"],
                "Start the return under Account > Orders > Return items, then drop the parcel at a Post Office "
                "or an InPost locker with the label or QR code within 14 days. You can also book a DPD home "
                "collection.",
                facts=["country"],
            ),
            kb(
                "can someone just pick it up from my flat?",
                ["returns/drop-off-uk", "returns/start-a-return"],
                "Yes, choose 'Collection' when you start the return and DPD collects on a weekday between 7am "
                "and 6pm. It costs £4.95 for Basic and Plus members and is free for Premium members, or for "
                "faulty items.",
            ),
            say("I'm on premium", "Then the collection is free for you.", facts=["plan"]),
        ),
        dialogue(
            [MT, "returns"],
            kb(
                "I returned headphones last week. when will I get the refund?",
                ["returns/refund-timing"],
                "We check returns within 5 working days of them arriving at our warehouse and then issue the "
                "refund to your original payment method; the whole process usually takes 1-2 weeks.",
            ),
            kb(
                "I paid with Klarna",
                ["returns/refund-timing"],
                "For Klarna, the refund shows within 1-2 days of us issuing it: Klarna updates or cancels "
                "your invoice.",
            ),
        ),
        dialogue(
            [MT, "security"],
            kb(
                "how can I tell if an email is really from kestrel",
                ["security/phishing-and-scams"],
                "Genuine emails come only from addresses ending in @kestrel.example or @mail.kestrel.example, "
                "address you by your account name, and never ask for your password, full card number or "
                "two-factor codes.",
            ),
            kb(
                "what about texts?",
                ["security/phishing-and-scams"],
                "Our texts come from the sender name KESTREL and link only to kestrel.example or our carriers' "
                "websites. We never ask for customs or redelivery fees by text.",
            ),
            kb(
                "where do I report a dodgy one",
                ["security/phishing-and-scams"],
                "Forward suspicious emails to phishing@kestrel.example and then delete them. Forward texts to "
                "your mobile network's spam reporting number.",
            ),
        ),
        dialogue(
            [MT, "billing"],
            kb(
                "how long is a kestrel gift card valid for",
                ["billing/gift-cards"],
                "Gift cards are valid for 24 months from the date of purchase.",
            ),
            kb(
                "can I use a UK one on the German site?",
                ["billing/gift-cards"],
                "No, a pound gift card only works in the UK store. Euro gift cards work in any of the euro "
                "stores.",
            ),
            kb(
                "how many can I put on one order",
                ["billing/gift-cards"],
                "You can use up to 3 gift cards in one order and pay any remainder another way.",
            ),
            thanks(4),
        ),
        dialogue(
            [MT, "security"],
            kb(
                "how do i get a copy of my data",
                ["security/data-export"],
                "Go to Account > Privacy > Download my data and choose 'Request a copy'. We email you when the "
                "ZIP file is ready, usually within 72 hours.",
            ),
            kb(
                "how long does the download link work",
                ["security/data-export"],
                "The link is valid for 7 days and works only when you're signed in.",
            ),
            kb(
                "could I request it again next week?",
                ["security/data-export"],
                "You can request a copy once every 30 days, so not next week.",
            ),
        ),
        dialogue(
            [MT, "billing"],
            kb(
                "do you do any kind of free trial",
                ["billing/free-trial"],
                "New members can try Kestrel Club Plus free for 30 days.",
            ),
            kb(
                "my husband had one last month on his account, we live together. can I still get one?",
                ["billing/free-trial"],
                "Unfortunately not: it's one trial per household, and the offer isn't shown if another account "
                "at the same delivery address had a trial in the last 12 months.",
            ),
        ),
        dialogue(
            [MT, "orders"],
            kb(
                "can i use klarna for a pre-order?",
                ["orders/pre-orders", "billing/payment-methods"],
                "No, Klarna, iDEAL and gift cards can't be used for pre-orders. Card, PayPal, Apple Pay and "
                "Google Pay are fine.",
            ),
            kb(
                "what happens if it comes out late",
                ["orders/pre-orders"],
                "We email you the new date. If the delay is more than 30 days, you can cancel and we also give "
                "you a £10 / €10 voucher for your next order.",
            ),
            thanks(5),
        ),
        dialogue(
            [MT, "returns"],
            hello(2),
            kb(
                "what warranty do I get on a Pulse watch?",
                ["returns/warranty"],
                "Kestrel devices, including Pulse, have a 2-year warranty from the delivery date.",
            ),
            kb(
                "and if I'm premium?",
                ["returns/warranty", "billing/premium-plan"],
                "Premium members get Kestrel Care, an extra year, so 3 years in total on Kestrel devices "
                "bought while they're Premium.",
            ),
            kb(
                "would that cover me cracking the screen",
                ["returns/warranty", "billing/premium-plan"],
                "No, the warranty doesn't cover accidental damage. As a Premium member you can use accidental "
                "damage repair: one repair per membership year for a fixed fee of £25 / €29.",
            ),
        ),
        dialogue(
            [MT, "billing"],
            kb(
                "where do I find the invoice for my order",
                ["billing/invoices-and-vat"],
                "Go to Account > Orders, open the order and choose 'Download invoice (PDF)'.",
            ),
            kb(
                "it isn't there",
                ["billing/invoices-and-vat"],
                "The invoice appears once the order has been dispatched. If the order is still being prepared, "
                "it will show up after dispatch; guest orders use the link in the dispatch email.",
            ),
        ),
        dialogue(
            [MT, "troubleshooting"],
            kb(
                "how do I factory reset a beacon mini",
                ["troubleshooting/beacon-factory-reset"],
                "Keep it plugged in and hold the microphone mute button for 20 seconds until the light ring "
                "turns orange and it plays a tone. After about a minute it's ready to set up again.",
            ),
            kb(
                "and the max?",
                ["troubleshooting/beacon-factory-reset"],
                "For Beacon Max, press inside the reset hole on the back, next to the power socket, with a "
                "paper clip for 10 seconds. The light bar turns white and it restarts in about two minutes.",
            ),
            kb(
                "do I need to do anything in the app after",
                ["troubleshooting/beacon-factory-reset"],
                "Yes, select the speaker in the Kestrel app and choose 'Remove device' so it's no longer in "
                "your account.",
            ),
            thanks(6),
        ),
        dialogue(
            [MT, "troubleshooting"],
            kb(
                "how do I update my pulse watch",
                ["troubleshooting/firmware-updates"],
                "Pulse updates through the Kestrel app: the watch needs at least 30% battery and must be on its "
                "charger.",
            ),
            kb(
                "how long does it take",
                ["troubleshooting/firmware-updates"],
                "Up to 15 minutes. Keep the app open and the watch near your phone until it finishes.",
            ),
        ),
        dialogue(
            [MT, "orders", "escalation"],
            kb(
                "I put the wrong address on my order like 10 minutes ago",
                ["orders/change-or-cancel-an-order"],
                "While the status is 'Received' (usually the first 30 minutes) you can change it under "
                "Account > Orders > Change address, to another address in the same country.",
            ),
            handoff(
                "it already says processing. can you change it",
                docs=["orders/change-or-cancel-an-order"],
                reference="Once an order is processing it can't be changed online and I can't change it "
                "myself. I'm passing this to our team now so they can try to stop it; we can't guarantee "
                "it, but if it can't be stopped you can return it after delivery.",
            ),
        ),
        dialogue(
            [MT, "orders"],
            kb(
                "do you deliver to Texel",
                ["orders/delivery-netherlands"],
                "Yes, deliveries to the Wadden Islands including Texel take one extra working day. Evening "
                "delivery isn't available there.",
            ),
            kb(
                "and bonaire?",
                ["orders/delivery-netherlands"],
                "No, we don't deliver to Bonaire, Sint Eustatius or Saba.",
            ),
        ),
        dialogue(
            [MT, "account"],
            kb(
                "Want to turn on two factor, which option should I use?",
                ["account/two-factor-authentication"],
                "We recommend an authenticator app; SMS codes are also available. Go to Account > Security > "
                "Two-factor authentication and save your 10 backup codes.",
            ),
            kb(
                "can I use my US mobile number for the texts",
                ["account/two-factor-authentication"],
                "No, SMS codes only work with numbers from the UK, Ireland, Germany, France and the "
                "Netherlands. An authenticator app works anywhere.",
            ),
            thanks(0),
        ),
        dialogue(
            [MT, "contact"],
            kb(
                "is there german speaking support on saturdays?",
                ["contact/contact-us"],
                "No, the German team works Monday to Friday, 8:00-18:00 CET. The virtual assistant in chat is "
                "available 24/7.",
            ),
            kb(
                "and by phone?",
                ["contact/phone-support"],
                "Phone support is for Premium members; in Germany it works as a callback you request in the "
                "Kestrel app under Help > Call me back, Monday to Friday 8:00-18:00 CET.",
            ),
        ),
        dialogue(
            [MT, "orders"],
            kb(
                "is there a maximum order value?",
                ["orders/order-limits"],
                "Yes, a single order can be at most £5,000 in the UK store or €6,000 in the euro stores.",
            ),
            kb(
                "and if I pay with klarna?",
                ["orders/order-limits", "billing/payment-methods"],
                "Klarna has a lower limit: it isn't available for orders over £1,000 / €1,000.",
            ),
        ),
        dialogue(
            [MT, "billing"],
            hello(3),
            kb(
                "Is there a student discount?",
                ["billing/student-discount"],
                "Yes, students in the UK and Ireland get Kestrel Club Plus monthly at half price: £2.49 or "
                "€2.99 a month, verified with a student email address.",
            ),
            kb(
                "can I get it on the yearly plan",
                ["billing/student-discount"],
                "No, the student discount applies to monthly Plus only, not to annual Plus or Premium.",
            ),
            kb(
                "how often do i have to verify",
                ["billing/student-discount"],
                "Every 12 months. We remind you by email 14 days before it expires.",
            ),
            thanks(1),
        ),
        dialogue(
            [MT, "billing"],
            kb(
                "how much is the beacon max",
                ["billing/price-list"],
                "Beacon Max costs £179 in the UK or €199 in the euro stores.",
            ),
            kb(
                "do plus members get 5% off it?",
                ["billing/plus-plan", "billing/price-list"],
                "No, the Plus discount applies to accessories only, not to devices like Beacon Max.",
            ),
            kb(
                "what about the floor stand for it",
                ["billing/price-list", "billing/plus-plan"],
                "Yes, the Beacon Max floor stand is an accessory, so Plus members get 5% off its price of "
                "£59 / €65.",
            ),
        ),
        dialogue(
            [MT, "contact"],
            kb(
                "how long does it take you to answer a complaint?",
                ["contact/complaints"],
                "We acknowledge it within 2 working days, aim to resolve most within 10 working days, and send "
                "a final written response at the latest 8 weeks after receiving it.",
            ),
            kb(
                "and if i'm still not happy after that",
                ["contact/complaints"],
                "Our final response letter explains how to take it to an independent alternative dispute "
                "resolution (ADR) body, which is free for you. Your statutory rights aren't affected.",
            ),
        ),
        dialogue(
            [MT, "account"],
            kb(
                "can my flatmate use my premium free delivery",
                ["account/household-sharing"],
                "Yes, Premium members can add up to 3 household members, aged 16 or over, with their own "
                "account in the same store region. They get free delivery, the 60-day returns window and 10% "
                "off accessories.",
            ),
            kb(
                "does she get the phone line too",
                ["account/household-sharing"],
                "No, phone support and accidental damage repair stay with the main member only.",
            ),
            kb(
                "how long does she have to accept the invite",
                ["account/household-sharing"],
                "Invitations expire after 7 days.",
            ),
        ),
    ]


def seeded() -> list[dict[str, Any]]:
    """Dialogues that start from earlier history: the first scored turn depends on the context."""
    return [
        dialogue(
            ["context", "billing"],
            kb(
                "and does that include phone support?",
                ["billing/premium-plan", "contact/phone-support"],
                "Yes, phone support is included with Premium.",
            ),
            kb(
                "whats the number",
                ["contact/phone-support"],
                "In the UK the Premium line is +44 20 7946 0310, Monday to Friday 8:00-20:00 and Saturday "
                "9:00-17:00. Have your KC- membership number ready.",
            ),
            context=[
                ("user", "How much is Premium?"),
                ("assistant", "Kestrel Club Premium costs £9.99 a month or £99 a year in the UK."),
            ],
        ),
        dialogue(
            ["context", "returns"],
            kb(
                "what about over christmas?",
                ["returns/return-policy"],
                "Items delivered between 15 November and 24 December can be returned until 31 January, or "
                "until the end of your normal window if that's later.",
            ),
            context=[
                ("user", "How long do I have to return things on Basic?"),
                ("assistant", "Basic members have 30 days from delivery to return items."),
            ],
        ),
        dialogue(
            ["context", "troubleshooting"],
            kb(
                "ok how do I reset it",
                ["troubleshooting/beacon-factory-reset"],
                "For Beacon Max, keep it plugged in and press inside the reset hole on the back with a paper "
                "clip for 10 seconds; the light bar turns white and it restarts.",
            ),
            thanks(2),
            context=[
                ("user", "My Beacon Max lost its Wi-Fi after I changed router"),
                (
                    "assistant",
                    "If the old network is gone, you'll need to reset the speaker and set it "
                    "up again in the Kestrel app.",
                ),
            ],
        ),
        dialogue(
            ["context", "orders"],
            kb(
                "can I use a packstation for express?",
                ["orders/delivery-germany", "account/address-book"],
                "No, Packstation and Postfiliale delivery is only possible for standard orders. Express orders "
                "need a street address.",
            ),
            context=[
                ("user", "Wie lange dauert der Versand? Sorry - how long is shipping to Berlin?"),
                ("assistant", "Standard delivery in Germany takes 3-5 working days; express takes 1-2."),
            ],
        ),
        dialogue(
            ["context", "troubleshooting"],
            kb(
                "and how long to fully charge them?",
                ["troubleshooting/aura-charging-and-battery"],
                "Aura 2 Pro takes 2.5 hours to charge fully. Ten minutes of quick charge gives about 5 hours "
                "of playback.",
            ),
            thanks(4),
            context=[
                ("user", "What's the battery life on the Aura 2 Pro?"),
                ("assistant", "Up to 40 hours with noise cancelling on, or 50 hours with it off."),
            ],
        ),
        dialogue(
            ["context", "billing"],
            kb(
                "what VAT rate is on my invoices then?",
                ["billing/invoices-and-vat"],
                "Orders from the Irish store include VAT at 23%.",
            ),
            thanks(3),
            context=[
                ("user", "I'm ordering from Galway"),
                ("assistant", "Great, orders to Galway go through our Irish store."),
            ],
        ),
        dialogue(
            ["context", "billing"],
            kb(
                "how much is it in Ireland then",
                ["billing/student-discount"],
                "In Ireland the student price for Plus monthly is €2.99 instead of €5.99.",
            ),
            context=[
                ("user", "What's the student price for Plus?"),
                ("assistant", "In the UK, students pay £2.49 a month instead of £4.99."),
            ],
        ),
        dialogue(
            ["context", "troubleshooting"],
            kb(
                "how many days does it keep if I don't sync?",
                ["troubleshooting/pulse-watch-not-syncing"],
                "The watch stores up to 7 days of activity; older unsynced data is overwritten, so sync at "
                "least once a week.",
            ),
            thanks(5),
            context=[
                ("user", "My Pulse watch hasn't synced since my holiday"),
                ("assistant", "Open the Kestrel app and pull down on the Today screen to sync manually."),
            ],
        ),
    ]


def build() -> dict[str, list[dict[str, Any]]]:
    """The multi-turn categories."""
    return {"followup": follow_ups(), "context": seeded()}
