"""Longer conversations (five or six turns) that move between topics the way real chats do: a fact early
on decides which near-duplicate article answers a later question, and some end with a hand-over."""

# ruff: noqa: E501 - dialogue text is data; long reference answers read better unbroken

from __future__ import annotations

from typing import Any

from .turns import attached, dialogue, handoff, hello, kb, say, thanks

J = "journey"


def build() -> dict[str, list[dict[str, Any]]]:
    """The journey category."""
    return {
        "journey": [
            dialogue(
                [J, "memory", "billing"],
                hello(0),
                say(
                    "I'm thinking of joining the club. I live in Utrecht",
                    "Great! Noted that you're in the Netherlands. What would you like to know?",
                    facts=["country"],
                ),
                kb(
                    "what's the difference between plus and premium",
                    ["billing/kestrel-club-plans"],
                    "Plus gives free standard delivery, 45-day returns with free return postage and 5% off "
                    "accessories. Premium adds free express (evening) delivery, 60-day returns, 10% off accessories, "
                    "an extra year of warranty (Kestrel Care), one accidental damage repair a year, phone support "
                    "and household sharing.",
                ),
                kb(
                    "how much is premium for me then",
                    ["billing/kestrel-club-plans", "billing/premium-plan"],
                    "In the Netherlands Premium is €11.99 a month or €119 a year.",
                ),
                kb(
                    "would I get evening delivery free with it?",
                    ["orders/delivery-netherlands"],
                    "Yes, Premium members get PostNL evening delivery free (normally €6.95).",
                ),
                thanks(0),
            ),
            dialogue(
                [J, "memory", "returns"],
                say(
                    "hi, order KE-3308154 here",
                    "Hi! I've noted order KE-3308154. How can I help?",
                    facts=["order_number"],
                ),
                kb(
                    "I want to return the beacon max from it, how long do I have? I'm on basic",
                    ["returns/return-policy"],
                    "On Basic you have 30 days from the delivery date to return it.",
                    facts=["plan"],
                ),
                kb(
                    "what do I need to do with the speaker before sending it",
                    ["returns/return-policy", "returns/start-a-return"],
                    "Reset it to factory settings and remove it from the Kestrel app, and include everything that "
                    "came in the box. Devices still linked to your account are sent back to you.",
                ),
                kb(
                    "how do I reset a max again",
                    ["troubleshooting/beacon-factory-reset"],
                    "Keep it plugged in and press inside the reset hole on the back with a paper clip for 10 "
                    "seconds; the light bar turns white and it restarts.",
                ),
                thanks(1),
            ),
            dialogue(
                [J, "memory", "troubleshooting"],
                say(
                    "I have the aura 2 pro and a pixel phone",
                    "Thanks, noted: Aura 2 Pro. How can I help?",
                    facts=["device"],
                ),
                kb(
                    "app says K-204 when I try to add them",
                    ["troubleshooting/app-error-codes"],
                    "K-204 means the device wasn't found. Turn on Bluetooth, and on Android also allow Location "
                    "for the Kestrel app; keep the headphones within 1 metre of the phone.",
                ),
                say("location was off, it found them now", "Great! Anything else?"),
                kb(
                    "there's an update available, anything I should know",
                    ["troubleshooting/firmware-updates"],
                    "For Aura headphones the battery needs to be at least 50% and the phone within 1 metre. The "
                    "update takes up to 15 minutes; don't close the app or switch the headphones off.",
                ),
                kb(
                    "battery life on these?",
                    ["troubleshooting/aura-charging-and-battery"],
                    "Aura 2 Pro lasts up to 40 hours with noise cancelling on and 50 hours with it off.",
                ),
            ),
            dialogue(
                [J, "memory", "orders"],
                say(
                    "Moin! I'm in Germany",
                    "Moin! Noted that you're in Germany. How can I help?",
                    facts=["country"],
                ),
                kb(
                    "can I have my order sent to a packstation",
                    ["orders/delivery-germany", "account/address-book"],
                    "Yes, standard orders can go to a DHL Packstation or Postfiliale; enter your Postnummer in the "
                    "address. Express orders can't.",
                ),
                kb(
                    "and if it's worth like 700 euros?",
                    ["orders/delivery-germany"],
                    "Orders over €600 need a signature, so DHL won't leave them with a neighbour; if you're not home "
                    "it goes to the nearest Postfiliale for 7 days.",
                ),
                kb(
                    "how can i pay",
                    ["billing/payment-methods"],
                    "In Germany you can pay by Visa, Mastercard, PayPal, Apple Pay, Google Pay, Klarna pay in 30 "
                    "days (not over €1,000) or a Kestrel gift card.",
                ),
                thanks(2),
            ),
            dialogue(
                [J, "account"],
                hello(1),
                kb(
                    "I want to close my account",
                    ["account/delete-your-account"],
                    "You can do it under Account > Privacy > Delete my account. It's blocked while an order is "
                    "undelivered, a return is in progress or a support ticket is open.",
                ),
                kb(
                    "what happens to my plus membership",
                    ["account/delete-your-account", "billing/cancel-membership"],
                    "It's cancelled. A monthly plan isn't refunded for the current month; an annual plan is only "
                    "refunded under the 14-day rule.",
                ),
                kb(
                    "and if I regret it?",
                    ["account/delete-your-account"],
                    "For 30 days you can restore it by signing in and choosing 'Restore my account'. After that "
                    "the deletion is permanent.",
                ),
                kb(
                    "do you keep anything after that",
                    ["account/delete-your-account", "security/privacy-summary"],
                    "Order records and invoices are kept for 7 years because tax law requires it; they aren't used "
                    "to contact you.",
                ),
            ),
            dialogue(
                [J, "memory", "troubleshooting", "escalation"],
                say(
                    "my beacon max won't connect. I'm on premium if that matters",
                    "Sorry to hear that. Noted: Premium. What happens when you try?",
                    facts=["plan", "device"],
                ),
                kb(
                    "light bar blinks red when I put the password in",
                    ["troubleshooting/beacon-max-wifi-setup"],
                    "Blinking red means the Wi-Fi password was wrong. Press the action button twice and enter it "
                    "again carefully.",
                ),
                kb(
                    "password is definitely right. hotel wifi with a login page",
                    ["troubleshooting/beacon-max-wifi-setup"],
                    "Wi-Fi with a login page isn't supported; Beacon Max can't open login pages. If the room has a "
                    "network socket, use the Ethernet port instead.",
                ),
                kb(
                    "no cable here. can I use it without wifi at all?",
                    ["troubleshooting/beacon-quick-start"],
                    "Yes, Beacon Max plays from any phone over Bluetooth. Hold the action button for 3 seconds until "
                    "the light bar flashes blue, then pick Kestrel Beacon Max on your phone.",
                ),
                thanks(3),
            ),
            dialogue(
                [J, "billing"],
                kb(
                    "I got charged twice for club this month",
                    ["security/payment-security", "billing/switching-plans"],
                    "Check Account > Club > Billing history first: an upgrade mid-period charges a pro-rated "
                    "difference, and a household member's orders appear on their own card.",
                ),
                say(
                    "no upgrade, two identical charges of 4.99 on the same day",
                    "Thanks, that doesn't look right.",
                ),
                handoff(
                    "can you refund one of them",
                    docs=["contact/escalation-policy"],
                    reference="I can't issue refunds myself, so I'm passing this to our team with the details "
                    "of the two £4.99 charges; a person will check and refund the duplicate.",
                ),
                thanks(4),
            ),
            dialogue(
                [J, "memory", "orders"],
                say(
                    "hello, I'm in Ireland, Galway",
                    "Hello! Noted: Ireland. How can I help?",
                    facts=["country"],
                ),
                kb(
                    "how much is shipping",
                    ["orders/delivery-ireland"],
                    "Standard An Post delivery is €6.95, free over €60, and takes 3-5 working days.",
                ),
                kb(
                    "i live on inis mor actually",
                    ["orders/delivery-ireland"],
                    "Offshore islands like the Aran Islands can take 2 extra working days.",
                ),
                kb(
                    "does it need an eircode",
                    ["orders/delivery-ireland"],
                    "Please include it: parcels without an Eircode can be delayed by up to 2 working days.",
                ),
                kb(
                    "can I pay with amex",
                    ["billing/payment-methods"],
                    "Yes, American Express is accepted in the Irish store.",
                ),
            ),
            dialogue(
                [J, "returns", "attachment"],
                attached(
                    "I want to return the carry case from this order",
                    "attachments/invoice-KE-4417302.pdf",
                    "Your invoice shows the carry case on order KE-4417302 and a Plus membership, so you have 45 "
                    "days from delivery and return postage is free. Start the return under Account > Orders > "
                    "Return items.",
                    docs=["returns/return-policy", "returns/start-a-return"],
                ),
                kb(
                    "do I get the discounted price back or the full price",
                    ["returns/refund-timing"],
                    "You get back the price you paid for the item, so the discounted £23.75.",
                ),
                kb(
                    "and the next day delivery fee?",
                    ["returns/refund-timing"],
                    "The delivery charge is only refunded when you return the whole order, so not for the case "
                    "alone.",
                ),
                kb(
                    "ok where do I drop it",
                    ["returns/drop-off-uk"],
                    "At a Post Office or an InPost locker, with the QR code or printed label, within 14 days of "
                    "starting the return.",
                ),
                thanks(5),
            ),
            dialogue(
                [J, "memory", "security"],
                say(
                    "Name's Daniel Reyes, email dreyes@example.org",
                    "Hi Daniel, thanks. Noted your name and email. How can I help?",
                    facts=["name", "email"],
                ),
                kb(
                    "I clicked a link in a weird kestrel email and typed my password",
                    ["security/phishing-and-scams", "security/account-compromised"],
                    "Change your Kestrel password straight away and turn on two-factor authentication. If you also "
                    "entered card details, call your bank and block the card.",
                ),
                kb(
                    "done. anything else I should check",
                    ["security/account-compromised"],
                    "Choose 'Sign out everywhere' under Account > Security, and check your addresses and payment "
                    "methods for anything you don't recognise.",
                ),
                say(
                    "there's an address in Leeds I never added",
                    "Thanks for checking. That suggests someone else used your account.",
                ),
                handoff(
                    "please lock it or something",
                    docs=["security/account-compromised"],
                    reference="I'm passing this to our team as urgent. They can freeze your account for 24 "
                    "hours, cancel any orders not yet dispatched and remove what was added.",
                ),
            ),
            dialogue(
                [J, "orders"],
                kb(
                    "can I still cancel my order? placed it 5 min ago",
                    ["orders/change-or-cancel-an-order"],
                    "Yes, while the status is 'Received' you can cancel it under Account > Orders > Cancel order.",
                ),
                kb(
                    "when do I get my money back",
                    ["orders/change-or-cancel-an-order"],
                    "Refunds for cancelled orders are issued within 24 hours and reach your account in 3-5 working "
                    "days.",
                ),
                kb(
                    "what if I had already been charged for a pre-order item",
                    ["orders/pre-orders"],
                    "Pre-orders aren't charged until dispatch, so there's nothing to refund: the authorisation is "
                    "released by your bank within a few days.",
                ),
                thanks(6),
            ),
            dialogue(
                [J, "memory", "contact"],
                say("I'm on plus", "Thanks, noted: Plus. What can I help with?", facts=["plan"]),
                kb(
                    "can I ring you",
                    ["contact/phone-support"],
                    "Phone support is for Premium members, so on Plus you can use chat (24/7 with the assistant, "
                    "agents at set hours) or email support@kestrel.example.",
                ),
                kb(
                    "how fast do you answer emails",
                    ["contact/contact-us", "contact/service-levels"],
                    "We reply to emails within 1 working day.",
                ),
                kb(
                    "and in chat with a real person?",
                    ["contact/service-levels"],
                    "Our target is to answer chats with a person within 2 minutes during opening hours.",
                ),
            ),
            dialogue(
                [J, "memory", "troubleshooting"],
                say(
                    "my pulse watch isn't syncing with my phone",
                    "Sorry about that. Noted: Pulse watch. Let's fix it.",
                    facts=["device"],
                ),
                kb(
                    "pulled down on the today screen already, bluetooth is on",
                    ["troubleshooting/pulse-watch-not-syncing"],
                    "Check that the watch battery is above 10% (syncing stops below that), and that your phone lets "
                    "the Kestrel app run in the background.",
                ),
                kb(
                    "it's an android phone",
                    ["troubleshooting/pulse-watch-not-syncing"],
                    "Set battery usage for the Kestrel app to 'Unrestricted'; battery optimisation often stops "
                    "syncing in the background.",
                ),
                kb(
                    "how do I restart the watch",
                    ["troubleshooting/pulse-watch-not-syncing"],
                    "Hold the side button for 12 seconds until the Kestrel logo appears. Your data on the watch is "
                    "kept.",
                ),
                thanks(0),
            ),
            dialogue(
                [J, "memory", "billing"],
                say(
                    "I'm a student at Trinity in Dublin",
                    "Hi! Noted that you're in Ireland. How can I help?",
                    facts=["country"],
                ),
                kb(
                    "is there a student deal on the club thing",
                    ["billing/student-discount"],
                    "Yes, students in Ireland get Plus monthly for €2.99 instead of €5.99.",
                ),
                kb(
                    "can I get the free month first and then the discount",
                    ["billing/student-discount", "billing/free-trial"],
                    "No, the student discount can't be combined with the free trial.",
                ),
                kb(
                    "how do I sign up for it",
                    ["billing/student-discount"],
                    "Go to Account > Club > Student discount, enter your student email, confirm the verification "
                    "email within 48 hours, then choose 'Join Plus at student price'.",
                ),
                thanks(1),
            ),
        ]
    }
