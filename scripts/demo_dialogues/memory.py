"""Dialogues where the customer states a fact (country, plan, device, order number, name, email) that
must be remembered, and later turns only pick the right one of several near-duplicate articles by using
it. The last two groups ask the assistant what it remembers."""

# ruff: noqa: E501 - dialogue text is data; long reference answers read better unbroken

from __future__ import annotations

from typing import Any

from .turns import dialogue, handoff, hello, kb, recall, say, thanks

MEM = "memory"


def facts_used_later() -> list[dict[str, Any]]:
    """A fact first, questions that depend on it afterwards."""
    return [
        dialogue(
            [MEM, "orders"],
            say(
                "Hi, I live in Germany",
                "Hello! Thanks, I've noted that you're in Germany. How can I help?",
                facts=["country"],
            ),
            kb(
                "how long does shipping take?",
                ["orders/delivery-germany"],
                "Standard delivery with DHL takes 3-5 working days and costs €4.95, free over €50.",
            ),
            kb(
                "and express?",
                ["orders/delivery-germany"],
                "Express takes 1-2 working days and costs €9.95; order by 2pm Monday to Friday. It's free for "
                "Premium members.",
            ),
            thanks(0),
        ),
        dialogue(
            [MEM, "orders"],
            kb(
                "I'm in France, near Lyon. What does delivery cost?",
                ["orders/delivery-france"],
                "Standard Colissimo delivery in France costs €5.95 and is free over €60; it takes 3-6 working "
                "days.",
                facts=["country"],
            ),
            kb(
                "anything cheaper?",
                ["orders/delivery-france"],
                "Yes, delivery to a Colissimo pickup point costs €3.95 (free over €60), also 3-6 working days. "
                "Parcels wait there for 10 days.",
            ),
            kb(
                "how fast is express",
                ["orders/delivery-france"],
                "Chronopost express takes 2 working days and costs €11.95 if you order by 1pm on a weekday.",
            ),
        ),
        dialogue(
            [MEM, "returns"],
            say(
                "I'm on Plus btw",
                "Thanks, noted that you're a Plus member. What can I help with?",
                facts=["plan"],
            ),
            kb(
                "how long do I have to return stuff",
                ["returns/return-policy", "billing/plus-plan"],
                "As a Plus member you have 45 days from the delivery date.",
            ),
            kb(
                "and do I pay the postage?",
                ["returns/return-policy", "billing/plus-plan"],
                "No, return postage is free for Plus members, including change-of-mind returns.",
            ),
            thanks(1),
        ),
        dialogue(
            [MEM, "troubleshooting"],
            say(
                "I've got the Aura 2 Pro headphones",
                "Thanks, noted: Aura 2 Pro. What's happening with them?",
                facts=["device"],
            ),
            kb(
                "how do I reset them?",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "Switch them on and hold power and the ANC button together for 15 seconds until the light "
                "flashes purple three times, then pair them again.",
            ),
            kb(
                "will that unpair my laptop too",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "Yes, a reset removes all paired devices, so you'll need to pair your laptop again (and set up "
                "multipoint again if you use it).",
            ),
        ),
        dialogue(
            [MEM, "troubleshooting"],
            hello(4),
            say("I have a beacon mini", "Thanks, noted: Beacon Mini. How can I help?", facts=["device"]),
            kb(
                "the app can't see my wifi network during setup",
                ["troubleshooting/beacon-mini-wifi-setup"],
                "Beacon Mini only works on 2.4 GHz Wi-Fi with WPA2, so a 5 GHz-only network isn't listed. Turn "
                "on 2.4 GHz on your router or create a separate 2.4 GHz network.",
            ),
            kb(
                "it's a mesh system",
                ["troubleshooting/beacon-mini-wifi-setup"],
                "With mesh Wi-Fi, turn off band steering during setup, or create a 2.4 GHz guest network for "
                "the speaker.",
            ),
            thanks(2),
        ),
        dialogue(
            [MEM, "orders", "escalation"],
            say(
                "my order number is KE-5512093",
                "Thanks, I've noted order KE-5512093. How can I help with it?",
                facts=["order_number"],
            ),
            kb(
                "it was supposed to arrive monday, its thursday now and nothing",
                ["orders/missing-or-late-parcel"],
                "If it hasn't arrived 2 working days after the latest estimated date, we open an investigation "
                "with the carrier. That's now the case for your order, so it's time to report it.",
            ),
            handoff(
                "yes please open the investigation",
                docs=["orders/missing-or-late-parcel"],
                reference="I'm passing order KE-5512093 to our team to open a claim with the carrier. "
                "The investigation takes up to 10 working days; then we send a replacement or refund.",
            ),
        ),
        dialogue(
            [MEM, "billing"],
            say(
                "I'm in the netherlands",
                "Thanks, noted: Netherlands. What can I help with?",
                facts=["country"],
            ),
            kb(
                "which payment methods can I use?",
                ["billing/payment-methods"],
                "In the Dutch store you can pay with Visa, Mastercard, PayPal, Apple Pay, Google Pay, iDEAL, "
                "Klarna pay in 30 days and Kestrel gift cards.",
            ),
            kb(
                "how much is premium a month for me",
                ["billing/kestrel-club-plans", "billing/premium-plan"],
                "In the Netherlands Premium costs €11.99 a month (or €119 a year).",
            ),
        ),
        dialogue(
            [MEM, "contact"],
            say(
                "I'm a premium member, based in Hamburg",
                "Thanks, noted: Premium, in Germany. How can I help?",
                facts=["plan", "country"],
            ),
            kb(
                "can I call someone?",
                ["contact/phone-support"],
                "Yes. In Germany, Premium phone support works as a callback: request it in the Kestrel app under "
                "Help > Call me back, and we call within 30 minutes during 8:00-18:00 CET on weekdays.",
            ),
            thanks(3),
        ),
        dialogue(
            [MEM, "account"],
            say("Hi, this is Marta Kowalska", "Hello Marta! How can I help you today?", facts=["name"]),
            kb(
                "I need to change the email address on my account",
                ["account/change-email-address"],
                "Go to Account > Profile, choose 'Change' next to your email, and enter the new address and "
                "your password. Confirm with the link sent to the new address within 24 hours.",
            ),
            kb(
                "will the old one stop working straight away?",
                ["account/change-email-address"],
                "No, your old address stays active until you confirm the change. Afterwards we send a notice to "
                "the old address.",
            ),
        ),
        dialogue(
            [MEM, "account"],
            kb(
                "my account email is tom.h@example.com and I can't log in, it says please verify your email",
                ["account/sign-in-problems", "account/create-an-account"],
                "That means the email address hasn't been verified yet. Choose 'Resend verification email' on "
                "the sign-in page and open the link within 24 hours.",
                facts=["email"],
            ),
            say("found it in spam, all good now", "Great, glad that's sorted! Anything else?"),
        ),
        dialogue(
            [MEM, "orders"],
            say("I'm ordering from Ireland", "Thanks, noted: Ireland. How can I help?", facts=["country"]),
            kb(
                "do you do next day delivery?",
                ["orders/delivery-ireland"],
                "Not in Ireland, sorry: there's only standard An Post delivery, 3-5 working days, €6.95 or free "
                "over €60.",
            ),
            kb(
                "even with premium?",
                ["orders/delivery-ireland"],
                "Yes, there's no express or next-day delivery in Ireland for Premium members either; they get "
                "free standard delivery.",
            ),
            thanks(4),
        ),
        dialogue(
            [MEM, "troubleshooting"],
            say(
                "got a pulse watch for my birthday",
                "Nice! Noted: Pulse watch. How can I help?",
                facts=["device"],
            ),
            kb(
                "it wont charge after i went swimming",
                ["troubleshooting/pulse-watch-not-syncing"],
                "Dry the charging contacts first: the watch doesn't charge while they're wet. Swimming itself is "
                "fine, as Pulse is water resistant to 5 ATM.",
            ),
        ),
        dialogue(
            [MEM, "returns"],
            say(
                "I'm a basic member in Germany",
                "Thanks, noted: Basic, in Germany. How can I help?",
                facts=["plan", "country"],
            ),
            kb(
                "I want to send back a speaker I don't like. do I pay for that?",
                ["returns/drop-off-germany", "returns/return-policy"],
                "For change-of-mind returns by Basic members, €3.95 return postage is deducted from your "
                "refund.",
            ),
            kb(
                "where do I drop it off",
                ["returns/drop-off-germany"],
                "At a DHL Postfiliale, Paketshop or Packstation, using the QR code from your return email, "
                "within 14 days of starting the return. Hermes, DPD and GLS aren't accepted.",
            ),
            thanks(5),
        ),
        dialogue(
            [MEM, "orders"],
            say("I'm in Scotland, on the Isle of Skye", "Thanks, noted. How can I help?", facts=["country"]),
            kb(
                "how long would a delivery take to me",
                ["orders/delivery-uk"],
                "Skye counts as the Highlands and Islands, so standard delivery takes 3-6 working days and "
                "next-day or Saturday delivery isn't available.",
            ),
        ),
        dialogue(
            [MEM, "billing"],
            say("i'm in the uk", "Thanks, noted: UK. What can I help with?", facts=["country"]),
            kb(
                "can I pay by amex",
                ["billing/payment-methods"],
                "Yes, American Express is accepted in the UK store.",
            ),
            kb(
                "can I split it into instalments",
                ["billing/payment-methods"],
                "Yes, in the UK you can use Klarna to pay in 3 instalments, subject to Klarna's approval; it "
                "isn't available for pre-orders or orders over £1,000.",
            ),
        ),
        dialogue(
            [MEM, "troubleshooting"],
            say(
                "my device is the Aura 2, the normal one not the pro",
                "Thanks, noted: Aura 2. What's up?",
                facts=["device"],
            ),
            kb(
                "how do I reset it",
                ["troubleshooting/aura-2-pairing-and-reset"],
                "Switch them on, then hold power and volume down together for 10 seconds until the light "
                "flashes red three times. Remove them from your Bluetooth list and pair again.",
            ),
            kb(
                "how long does the battery last",
                ["troubleshooting/aura-charging-and-battery"],
                "Aura 2 lasts up to 30 hours with noise cancelling on, or 38 hours with it off.",
            ),
        ),
    ]


def recalls() -> list[dict[str, Any]]:
    """The customer asks what the assistant has on file."""
    return [
        dialogue(
            [MEM, "recall"],
            hello(5),
            recall(
                "do you still have my details from last time?",
                "Let me check what I have saved for you. Here are the details I remember from earlier "
                "conversations (or, if nothing is saved yet, I'll tell you so).",
            ),
        ),
        dialogue(
            [MEM, "recall"],
            recall(
                "what do you know about me?",
                "Here is everything I've saved about you, such as your plan, country or order numbers. If "
                "nothing is saved, I'll say so; you can tell me anything you'd like me to remember.",
            ),
            thanks(6),
        ),
        dialogue(
            [MEM, "recall"],
            recall(
                "which order number did I give you last week? I can't find the email",
                "Let me look at the details saved for you. If an order number is saved, I'll show it; "
                "otherwise you can find all your orders under Account > Orders.",
            ),
        ),
    ]


def build() -> dict[str, list[dict[str, Any]]]:
    """The memory categories."""
    return {"memory": facts_used_later(), "recall": recalls()}
