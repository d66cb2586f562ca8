"""Dialogues that must end with a hand-over to a person: the customer asks for one, there is a safety or
security issue, or the customer is frustrated / the assistant has failed twice (implicit)."""

# ruff: noqa: E501 - dialogue text is data; long reference answers read better unbroken

from __future__ import annotations

from typing import Any

from .turns import dialogue, handoff, hello, kb, say, thanks, unanswerable

ESC = "escalation"


def explicit() -> list[dict[str, Any]]:
    """The customer asks for a person, or asks for something only a person may do."""
    return [
        dialogue([ESC, "explicit"], handoff("I want to speak to a real person please")),
        dialogue(
            [ESC, "explicit"],
            hello(0),
            handoff(
                "can I talk to a human about a refund",
                reference="Of course. I'm passing you to a member "
                "of our team, who can look at the refund with you. I've opened a ticket so you won't need "
                "to repeat the details.",
            ),
        ),
        dialogue(
            [ESC, "explicit", "returns"],
            kb(
                "how long do refunds take to a card",
                ["returns/refund-timing"],
                "Card refunds appear 3-5 working days after we issue them; we issue them within 5 working days "
                "of the return arriving at our warehouse.",
            ),
            handoff(
                "ok. let me talk to your manager, I want this looked at today",
                reference="I understand. I'm passing this to our team now and have opened a ticket; a "
                "person will pick it up and reply in this chat or by email.",
            ),
        ),
        dialogue(
            [ESC, "explicit", "complaint"],
            handoff(
                "I want to make a formal complaint about your courier. He threw my parcel over the fence",
                docs=["contact/complaints", "contact/escalation-policy"],
                reference="I'm very sorry. I've passed your complaint to our team with high priority. "
                "We acknowledge complaints within 2 working days and a specialist will contact you.",
            ),
            thanks(0),
        ),
        dialogue(
            [ESC, "explicit", "security"],
            handoff(
                "There's a £9.99 KESTREL CLUB charge on my card and I never signed up for anything",
                docs=["security/payment-security", "contact/escalation-policy"],
                reference="KESTREL CLUB is how Club payments appear on statements. Since you don't "
                "recognise it, I'm passing this to our team with high priority to investigate. Please "
                "don't send your card number; if you think the card is misused, block it with your bank.",
            ),
        ),
        dialogue(
            [ESC, "explicit", "returns"],
            say(
                "I returned a laptop worth £899 and the refund was reduced",
                "I'm sorry to hear that. What would you like to do?",
            ),
            handoff(
                "I want the full amount back, who can approve that?",
                docs=["contact/escalation-policy"],
                reference="Refunds over £250 need approval from a person, and I can't issue refunds "
                "myself, so I'm passing this to our team with the details; they will review it.",
            ),
        ),
        dialogue(
            [ESC, "explicit", "account"],
            kb(
                "lost my phone AND the backup codes for two factor. what now",
                ["account/two-factor-authentication"],
                "Then our support team needs to verify your identity with details of recent orders before "
                "removing two-factor authentication. The check takes up to 3 working days.",
            ),
            handoff(
                "ok please start that",
                docs=["account/two-factor-authentication"],
                reference="I'm passing your request to our team now. They'll verify your identity with "
                "details of recent orders and then remove two-factor authentication; this takes up to "
                "3 working days.",
            ),
        ),
        dialogue(
            [ESC, "explicit", "complaint"],
            handoff(
                "This is the last time I'm asking. Refund me or I'm taking you to the small claims court.",
                docs=["contact/escalation-policy"],
                reference="I understand you're very unhappy. I'm passing this to our team now with high "
                "priority so that a person can review your case and the refund.",
            ),
        ),
        dialogue(
            [ESC, "explicit"],
            unanswerable("does the aura 2 pro support the LDAC codec?"),
            handoff(
                "yes please get someone to check",
                reference="I've passed your question to our team; "
                "a person will reply in this chat or by email.",
            ),
        ),
    ]


def urgent() -> list[dict[str, Any]]:
    """Safety and security: hand over at once, with the safety steps from the help centre."""
    return [
        dialogue(
            [ESC, "safety"],
            handoff(
                "my aura headphones have gone all puffy on one side and they're hot",
                docs=["troubleshooting/battery-safety"],
                reference="Please stop using them now: unplug them if it's safe, don't charge or press on "
                "them, and put them on a non-flammable surface. I'm passing this to our team as urgent; "
                "please don't post them, we'll arrange special packaging and collection free of charge.",
            ),
        ),
        dialogue(
            [ESC, "safety"],
            handoff(
                "the beacon mini plug cracked when I pulled it out of the wall and I can see metal bits",
                docs=["contact/product-recalls", "troubleshooting/battery-safety"],
                reference="Please stop using the adapter and unplug it at the wall only when it's safe. "
                "Adapters with batch codes 2309-2311 are part of a recall with a free replacement. I'm "
                "passing this to our team as an urgent safety case.",
            ),
            say(
                "batch says 2310",
                "Thanks, that batch is recalled. Our team will send you a free replacement "
                "adapter with a prepaid envelope for the old one; you don't need to return the speaker.",
            ),
        ),
        dialogue(
            [ESC, "security"],
            handoff(
                "someone changed the email on my account and ordered a beacon max to an address in Leeds",
                docs=["security/account-compromised"],
                reference="I'm sorry. I'm passing this to our team as urgent: they can cancel orders not "
                "yet dispatched, freeze the account for 24 hours and restore your email address. Please "
                "also reset your password if you still can.",
            ),
        ),
        dialogue(
            [ESC, "safety"],
            handoff(
                "there's smoke coming out of the pulse charging dock!!",
                docs=["troubleshooting/battery-safety"],
                reference="If there is smoke or fire, leave the room and call the emergency services. If it's "
                "safe, unplug it and place it on a non-flammable surface. I'm passing this to our team as "
                "urgent right now.",
            ),
        ),
        dialogue(
            [ESC, "security"],
            hello(1),
            handoff(
                "I just got an email saying my password was changed but it wasn't me",
                docs=["security/account-compromised"],
                reference="Please reset your password now with 'Forgot password?', then choose 'Sign out "
                "everywhere' and turn on two-factor authentication. I'm also passing this to our team as "
                "urgent so they can check your account.",
            ),
        ),
    ]


def implicit() -> list[dict[str, Any]]:
    """Frustration or repeated failure: no explicit request, but a person should take over."""
    return [
        dialogue(
            [ESC, "implicit", "troubleshooting"],
            kb(
                "beacon mini keeps dropping off the wifi",
                ["troubleshooting/beacon-mini-wifi-setup"],
                "Beacon Mini needs a 2.4 GHz network with WPA2. With mesh Wi-Fi, turn off band steering or "
                "create a separate 2.4 GHz network.",
            ),
            kb(
                "already did all that, it still drops",
                ["troubleshooting/beacon-factory-reset"],
                "Then try a factory reset: keep it plugged in and hold the microphone mute button for 20 "
                "seconds until the light ring turns orange, then set it up again in the app.",
            ),
            handoff(
                "reset it twice now. this is useless, nothing you say works",
                reference="I'm sorry that hasn't solved it. I'm passing this to our team with everything "
                "you've tried, so a person can take it from here.",
            ),
        ),
        dialogue(
            [ESC, "implicit", "troubleshooting"],
            kb(
                "aura 2 won't pair with anything",
                ["troubleshooting/aura-2-pairing-and-reset"],
                "Switch them off, hold power for 5 seconds until the light flashes blue and white, and select "
                "'Kestrel Aura 2' in Bluetooth settings.",
            ),
            kb(
                "tried that",
                ["troubleshooting/aura-2-pairing-and-reset"],
                "Then charge them for at least 15 minutes and reset them: hold power and volume down for 10 "
                "seconds until the light flashes red three times, then pair again.",
            ),
            handoff(
                "still nothing. this is the third time I'm contacting you about these headphones!!",
                reference="I'm really sorry. I'm handing this over to our team now so that a person can "
                "sort it out, for example with a replacement if they're faulty.",
            ),
        ),
        dialogue(
            [ESC, "implicit", "orders"],
            handoff(
                "this is ridiculous, third email this week about my missing parcel and nobody answers",
                reference="I'm sorry you've been waiting. I'm passing this to our team now so that a "
                "person picks it up; your messages are added to one ticket.",
            ),
        ),
        dialogue(
            [ESC, "implicit", "returns"],
            kb(
                "my refund still hasn't arrived",
                ["returns/refund-timing"],
                "Refunds are issued within 5 working days of the return arriving, then take 3-5 working days for "
                "cards. If the refund email is more than 5 working days old, we can send you the refund "
                "reference for your bank.",
            ),
            handoff(
                "it's been 3 weeks. your answers aren't helping",
                reference="I'm sorry. I'm passing this to our team so a person can check the refund and "
                "give you the reference.",
            ),
        ),
        dialogue(
            [ESC, "implicit", "troubleshooting"],
            kb(
                "the app says K-402 for my second hand beacon",
                ["troubleshooting/app-error-codes"],
                "K-402 means the speaker is still linked to the previous owner's account. They need to remove it "
                "in their Kestrel app; a factory reset alone doesn't remove the link.",
            ),
            handoff(
                "the seller won't reply to me. I have the receipt though",
                docs=["troubleshooting/app-error-codes"],
                reference="In that case our team can remove the link with a photo of the serial number and "
                "your proof of purchase, within 3 working days. I'm passing this to them now.",
            ),
        ),
        dialogue(
            [ESC, "implicit"],
            say("hi", "Hi! How can I help?"),
            handoff(
                "I've explained this four times already to different people. Just get me someone who can "
                "actually do something",
                reference="I'm sorry you've had to repeat yourself. I'm passing you to our team now and "
                "adding this conversation to your ticket.",
            ),
        ),
        dialogue(
            [ESC, "implicit", "billing"],
            kb(
                "club payment failed, what do I do",
                ["billing/failed-payments"],
                "Update your card under Account > Payment methods, then choose 'Retry payment now' on the Club "
                "page. You keep your benefits for 14 days meanwhile.",
            ),
            handoff(
                "I've updated the card three times and it still says declined. I'm fed up",
                docs=["billing/failed-payments"],
                reference="I'm sorry. We don't see why a bank declines a payment, so please also check "
                "with your bank; I'm passing this to our team to look at your account.",
            ),
        ),
        dialogue(
            [ESC, "implicit", "orders"],
            handoff(
                "I reported my damaged speaker a week ago and nobody has come back to me. seriously annoyed",
                reference="I'm sorry for the wait. I'm passing this to our team now so a person follows up "
                "on your damage report.",
            ),
            thanks(1),
        ),
    ]


def build() -> dict[str, list[dict[str, Any]]]:
    """The escalation categories."""
    return {"escalate": explicit(), "urgent": urgent(), "frustrated": implicit()}
