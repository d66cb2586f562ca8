"""Single questions, each answered by one or two articles. Every third one opens with a greeting and
every third one ends with thanks, so the dialogues also contain turns that need no knowledge."""

from __future__ import annotations

from typing import Any

from .turns import dialogue, hello, kb, thanks

# (text as a customer writes it, gold doc ids, reference answer written from the article, extra tags)
QUESTIONS: list[tuple[str, list[str], str, list[str]]] = [
    (
        "how long is the email verification link good for? i didnt click it yet",
        ["account/create-an-account"],
        "The verification link is valid for 24 hours. If it has expired, sign in and choose "
        "'Resend verification email'. You can't place an order until your email is verified.",
        ["typo"],
    ),
    (
        "It says my account is temporarily locked. Can you unlock it now please?",
        ["account/sign-in-problems"],
        "The account locks for 30 minutes after 5 failed sign-in attempts in a row, and the lock lifts by "
        "itself. Our agents can't lift it early, but resetting your password also removes the lock.",
        [],
    ),
    (
        "the password reset link says 'this link is no longer valid'??",
        ["account/reset-password"],
        "Only the most recent reset link works, and each link is valid for 60 minutes. Use the newest "
        "email, or request a new link with 'Forgot password?'.",
        [],
    ),
    (
        "If I change my email address will my old invoices show the new one?",
        ["account/change-email-address"],
        "No. Orders placed before the change keep the old email address on their invoices, and invoices "
        "aren't reissued for an email change.",
        [],
    ),
    (
        "i lost my phone which had the authenticator app on it. how do i get into my account",
        ["account/two-factor-authentication"],
        "On the code screen choose 'Use a backup code' and enter one of your 10 saved backup codes, then "
        "set up two-factor authentication again on your new phone. If you have no backup codes, our "
        "support team verifies your identity with recent order details, which takes up to 3 working days.",
        [],
    ),
    (
        "If I delete my account what happens to the money left on my gift card?",
        ["account/delete-your-account"],
        "Any gift card balance on the account is lost when the account is deleted, so spend it first or "
        "note the card codes before you delete.",
        [],
    ),
    (
        "how do I stop getting the sale texts",
        ["account/marketing-preferences"],
        "Reply STOP to any offer text, or turn off 'SMS offers' under Account > Communication. Changes can "
        "take up to 48 hours, and order and security messages are still sent.",
        [],
    ),
    (
        "Can I have things delivered to a PO box in the UK?",
        ["account/address-book", "orders/delivery-uk"],
        "Sorry, no: PO Boxes and BFPO addresses can't be used for delivery in the UK. Please use a home "
        "or work address.",
        [],
    ),
    (
        "I made my account with Sign in with Apple - how do I get a normal password?",
        ["account/sign-in-with-apple-or-google"],
        "Sign out, choose 'Forgot password?' and enter your account's email address (the Apple relay "
        "address if you used Hide My Email), then follow the link to set a Kestrel password.",
        [],
    ),
    (
        "whats the price of premium per year in germany",
        ["billing/kestrel-club-plans", "billing/premium-plan"],
        "Kestrel Club Premium costs €119 a year in Germany (or €11.99 a month).",
        ["typo"],
    ),
    (
        "Is there a free trial for Premium?",
        ["billing/premium-plan", "billing/free-trial"],
        "There's no free trial of Premium. New members can try Plus free for 30 days, and you can upgrade "
        "from the Plus trial to Premium at any time, which ends the trial.",
        [],
    ),
    (
        "can i pay for my club membership with a gift card",
        ["billing/gift-cards", "billing/payment-methods"],
        "No, gift cards can only be used for products. Club membership can be paid by card or PayPal, "
        "and in Germany also by SEPA Direct Debit.",
        [],
    ),
    (
        "do you take amex in france?",
        ["billing/payment-methods"],
        "American Express isn't accepted in the French store; it's only available in the UK and Ireland. "
        "In France you can pay by Visa, Mastercard, Cartes Bancaires, PayPal, Apple Pay or Google Pay.",
        [],
    ),
    (
        "I need an invoice with our company name and VAT number for an order I made last week",
        ["billing/invoices-and-vat"],
        "Ask us in chat within 30 days of the order date and we'll reissue the invoice with your company "
        "details. For future orders, add them under Account > Business details before ordering.",
        [],
    ),
    (
        "Saw the Beacon Max £20 cheaper at another UK shop, I bought it from you 3 days ago",
        ["billing/price-match"],
        "Our UK price match promise covers this if you claim within 7 days of purchase and it's the "
        "identical model, new and in stock at a listed UK retailer. Open the order, choose 'Price match' "
        "and add the retailer and link; we check within 2 working days and refund the difference.",
        [],
    ),
    (
        "How much are replacement ear cushions for the aura 2",
        ["billing/price-list"],
        "Replacement ear cushions for Aura 2 and Aura 2 Pro cost £19.00 in the UK or €22.00 in the euro "
        "stores; Club members get their accessories discount on them.",
        [],
    ),
    (
        "can you guys cancel my membership because I return a lot of stuff?",
        ["billing/club-terms"],
        "Under the Club terms a membership may be ended if the account makes more than 10 returns in 90 "
        "days, not counting faulty items, or if fraud is detected. We'd tell you the reason by email.",
        [],
    ),
    (
        "how long does delivery to Munich take",
        ["orders/delivery-germany"],
        "Standard DHL delivery in Germany takes 3-5 working days and costs €4.95, free over €50. Express "
        "takes 1-2 working days for €9.95 if you order by 2pm on a weekday.",
        [],
    ),
    (
        "Can I get next day delivery to Inverness?",
        ["orders/delivery-uk"],
        "Inverness is in the Scottish Highlands, where next-day and Saturday delivery aren't available. "
        "Standard delivery there takes 3-6 working days.",
        [],
    ),
    (
        "do you deliver in the evening in amsterdam? im never home during the day",
        ["orders/delivery-netherlands"],
        "Yes. PostNL evening delivery brings your order the next working day between 18:00 and 22:00 for "
        "€6.95 if you order by 4pm on a weekday. It's free for Premium members.",
        [],
    ),
    (
        "will I have to pay customs or import tax on an order to Cork?",
        ["orders/delivery-ireland"],
        "No. Orders to Ireland ship from the UK, but Kestrel pays all duties and customs charges, so you "
        "never pay anything on delivery. If a courier asks you for customs fees, don't pay and contact us.",
        [],
    ),
    (
        "Do you ship to Belgium?",
        ["orders/countries-we-deliver-to"],
        "Not at the moment. We deliver only within the UK, Ireland, Germany, France and the Netherlands, "
        "and orders sent to a parcel forwarding address may be cancelled.",
        [],
    ),
    (
        "got the dispatch email yesterday but the tracking still shows nothing",
        ["orders/track-your-order"],
        "That's normal: the carrier's tracking can take up to 24 hours after dispatch to show the first "
        "scan. It doesn't mean the parcel is lost.",
        [],
    ),
    (
        "Can I add a charging cable to the order I placed 10 minutes ago?",
        ["orders/change-or-cancel-an-order"],
        "You can't add items to an existing order. Please place a new order for the cable; Club members "
        "pay no extra delivery.",
        [],
    ),
    (
        "when do you actually take the money for a pre order",
        ["orders/pre-orders", "billing/payment-methods"],
        "For pre-orders your card or PayPal is only authorised when you order; we charge you when the item "
        "is dispatched.",
        [],
    ),
    (
        "I want to buy 5 Pulse watches for my team at work",
        ["orders/order-limits"],
        "Orders are limited to 3 of the same Kestrel device. For larger quantities, please contact our "
        "business team at business@kestrel.example; business orders can be invoiced with 30-day terms.",
        [],
    ),
    (
        "the box arrived crushed and the speaker inside is cracked",
        ["orders/damaged-parcel"],
        "Sorry about that! Take photos of the box, the packaging and the speaker, and report it within 48 "
        "hours of delivery in chat or under Account > Orders > Report a problem. We send a replacement and "
        "arrange a free collection; keep the packaging until the case is closed.",
        [],
    ),
    (
        "how many days do plus members get for returns",
        ["returns/return-policy", "billing/plus-plan"],
        "Plus members have 45 days from the delivery date to return items, with free return postage.",
        [],
    ),
    (
        "Headphones I bought as a christmas present were delivered on 2 December, can they still be "
        "returned in January?",
        ["returns/return-policy"],
        "Yes. Items delivered between 15 November and 24 December can be returned until 31 January, or "
        "until the end of your normal returns window if that is later.",
        [],
    ),
    (
        "can i return ear tips i already opened? they dont fit",
        ["returns/non-returnable-items"],
        "Sorry, opened in-ear tips can't be returned for hygiene reasons unless they're faulty. Unopened "
        "ones with the hygiene seal intact can be returned normally.",
        ["typo"],
    ),
    (
        "I paid with paypal, how long until I see my refund?",
        ["returns/refund-timing"],
        "PayPal refunds appear within 24 hours of us issuing them. We issue the refund after checking the "
        "return, within 5 working days of it arriving at our warehouse.",
        [],
    ),
    (
        "If I send back just one thing from my order do I get the delivery charge back?",
        ["returns/refund-timing"],
        "The original delivery charge is only refunded if you return the whole order within the returns "
        "window, so not when you return just one item.",
        [],
    ),
    (
        "Can a courier come pick up my return in Germany?",
        ["returns/drop-off-germany"],
        "Home collection isn't available in Germany, also not for Premium members. Please drop the parcel "
        "at a DHL Postfiliale, Paketshop or Packstation with the QR code from your return email.",
        [],
    ),
    (
        "my aura 2 stopped charging, I've had them about 14 months",
        ["returns/warranty", "returns/warranty-claims"],
        "Kestrel devices have a 2-year warranty from delivery, so this is covered. Make a warranty claim "
        "under Account > Devices > Warranty claim; we review it within 3 working days, send a free label, "
        "and repairs take 7-10 working days.",
        [],
    ),
    (
        "the aura 2 pro I got 10 days ago crackles on the left side",
        ["returns/faulty-items"],
        "As it's within 30 days of delivery, you can choose a full refund, a replacement or a repair. "
        "Start a return, choose 'Faulty' and describe the crackling; return postage is free.",
        [],
    ),
    (
        "how do I reset aura 2 pro",
        ["troubleshooting/aura-2-pro-pairing-and-reset"],
        "Switch the headphones on, then hold power and the ANC button together for 15 seconds until the "
        "light flashes purple three times. Then remove them from your phone's Bluetooth list and pair again.",
        [],
    ),
    (
        "Can the Aura 2 be connected to my laptop and my phone at the same time?",
        ["troubleshooting/aura-2-pairing-and-reset"],
        "No, Aura 2 connects to one device at a time (it remembers up to 8). To switch, disconnect it from "
        "the first device. Multipoint for two devices at once is an Aura 2 Pro feature.",
        [],
    ),
    (
        "headphones blinking amber while plugged in??",
        ["troubleshooting/aura-charging-and-battery"],
        "Blinking amber means charging is paused, usually because the temperature is outside 5-35 °C or "
        "there's a charger problem. Move them somewhere at room temperature and check the charger.",
        [],
    ),
    (
        "Does the beacon max have a port for a network cable",
        ["troubleshooting/beacon-max-wifi-setup", "troubleshooting/beacon-quick-start"],
        "Yes, Beacon Max has an Ethernet port on the back. If you connect the cable before setup, the app "
        "skips the Wi-Fi step.",
        [],
    ),
    (
        "app says error K-204",
        ["troubleshooting/app-error-codes"],
        "K-204 means the device wasn't found. Turn on Bluetooth (on Android also allow Location for the "
        "Kestrel app) and keep the device within 1 metre of your phone.",
        [],
    ),
    (
        "can I make a stereo pair with a beacon max and a beacon mini?",
        ["troubleshooting/beacon-quick-start"],
        "No, a stereo pair needs two Beacon Max speakers. A Max and a Mini can still play together in the "
        "same group.",
        [],
    ),
    (
        "is it ok to go swimming with the pulse watch on",
        ["troubleshooting/pulse-watch-not-syncing"],
        "Yes, Pulse is water resistant to 5 ATM, so swimming and showering are fine, but not diving, water "
        "skiing or saunas. Dry the charging contacts before charging.",
        [],
    ),
    (
        "Is it possible to go back to the old firmware on my speaker? I preferred it",
        ["troubleshooting/firmware-updates"],
        "Sorry, it isn't possible to go back to an older firmware version.",
        [],
    ),
    (
        "Got a text saying I need to pay a customs fee for my Kestrel parcel, is that legit?",
        ["security/phishing-and-scams"],
        "No, that's a scam. Kestrel never asks you to pay customs or redelivery fees by text; we deliver "
        "only within our five countries and pay any duties ourselves. Don't click the link.",
        [],
    ),
    (
        "does the beacon keep recordings of what I say?",
        ["security/privacy-summary"],
        "Not by default: Beacon speakers process voice commands without storing recordings. Only if you "
        "turn on 'Help improve voice recognition' are recordings kept for 90 days; you can turn it off "
        "and delete them under Settings > Privacy in the app.",
        [],
    ),
    (
        "what is KESTREL*PREAUTH on my bank statement",
        ["security/payment-security"],
        "That's a pending pre-order authorisation. For pre-orders the card is authorised when you order "
        "and only charged (as KESTREL*SHOP) when the item is dispatched.",
        [],
    ),
    (
        "I think I found a security hole in your app. Do you pay bug bounties?",
        ["security/report-a-vulnerability"],
        "Please email the details to security@kestrel.example (you can use our PGP key); we acknowledge "
        "reports within 3 working days. Kestrel doesn't run a paid bug bounty at the moment, but can thank "
        "you by name on our acknowledgements page.",
        [],
    ),
    (
        "What time can I talk to an actual agent on a Saturday in the UK?",
        ["contact/contact-us"],
        "The UK and Ireland team is available on Saturdays from 9:00 to 17:00 UK time. Chat with the "
        "virtual assistant is open 24/7.",
        [],
    ),
    (
        "is there a phone number for customer service",
        ["contact/phone-support"],
        "Phone support is for Kestrel Club Premium members (UK: +44 20 7946 0310; Germany, France and the "
        "Netherlands use a callback in the app). Other members can use chat and email.",
        [],
    ),
    (
        "My beacon mini charger has batch code 2312 on it, is it part of the recall?",
        ["contact/product-recalls"],
        "No. Only Beacon Mini power adapters with batch codes 2309, 2310 or 2311 are recalled, so an "
        "adapter with batch code 2312 is not affected.",
        [],
    ),
    (
        "are you open on boxing day?",
        ["contact/service-levels"],
        "Customer service is closed on 26 December (and on 25 December and 1 January). The virtual "
        "assistant in chat is still available, and safety issues are handled by a person 24/7.",
        [],
    ),
    (
        "how long do you have to answer a formal complaint",
        ["contact/complaints"],
        "We acknowledge a complaint within 2 working days and aim to resolve most within 10 working days; "
        "the final written response comes at the latest 8 weeks after we receive it.",
        [],
    ),
    (
        "How can I download all the data you have about me?",
        ["security/data-export"],
        "Go to Account > Privacy > Download my data and choose 'Request a copy'. The ZIP file is usually "
        "ready within 72 hours (at most 30 days) and the download link is valid for 7 days.",
        [],
    ),
]


def build() -> list[dict[str, Any]]:
    """Turn the question list into dialogues of one, or two with a greeting or a thank-you."""
    dialogues = []
    for index, (text, docs, reference, extra) in enumerate(QUESTIONS):
        topic = docs[0].split("/")[0]
        question = kb(text, docs, reference)
        if index % 3 == 1:
            turns = (hello(index), question)
        elif index % 3 == 2:
            turns = (question, thanks(index))
        else:
            turns = (question,)
        dialogues.append(dialogue(["single-question", topic, *extra], *turns))
    return dialogues
