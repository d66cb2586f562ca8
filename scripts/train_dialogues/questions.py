"""Single questions about each topic of the help centre (first writer)."""

from __future__ import annotations

from demo_dialogues.turns import dialogue, hello, kb, thanks
from written_apart import Dialogue


def faq_account() -> list[Dialogue]:
    """Questions about the account pages."""
    return [
        dialogue(
            ["faq", "account", "html"],
            hello(3),
            kb(
                "can i save my parents address in germany on my uk account? want to send them stuff "
                "sometimes",
                ["account/address-book"],
                "No. All saved addresses must be in the country of your store region, so a UK account can't "
                "save a German address. You can save up to 10 addresses under Account › Addresses.",
            ),
        ),
        dialogue(
            ["faq", "account"],
            kb(
                "changed my email on my account an hour ago but all the emails still go to the old one??",
                ["account/change-email-address"],
                "The change only completes when you open the confirmation link we send to the new address, "
                "within 24 hours. Until you confirm, your old address stays active for sign-in and all "
                "emails.",
            ),
            thanks(0),
        ),
        dialogue(
            ["faq", "account", "typo"],
            kb(
                "Im moving from Dublin to Berlin next month, can I just swich my account over to the German "
                "store?",
                ["account/create-an-account"],
                "No, the store region can't be changed after the account is created. For the German store "
                "you need a new account with a different email address; your order history stays in the old "
                "account.",
            ),
        ),
        dialogue(
            ["faq", "account", "followup"],
            kb(
                "if i delete my kestrel account and then change my mind, can i get it back?",
                ["account/delete-your-account"],
                "Yes, for 30 days: sign in again and choose Restore my account. After 30 days the account "
                "is deleted permanently.",
            ),
            kb(
                "tbh i mostly just want the emails to stop. can i do that without deleting it?",
                ["account/marketing-preferences"],
                "Yes, no need to delete the account. Turn off the newsletter and other channels under "
                "Account › Communication, or use the Unsubscribe link in any marketing email. Changes can "
                "take up to 48 hours; order and security emails are always sent.",
            ),
            thanks(4),
        ),
        dialogue(
            ["faq", "account"],
            kb(
                "How many people can I add to my Premium household? It's me, my wife and our three kids "
                "(17, 15 and 12).",
                ["account/household-sharing"],
                "Up to 3 additional members, so 4 people including you. Each member must be 16 or older and "
                "have their own Kestrel account in the same store region, so of your children only the "
                "17-year-old could join.",
            ),
        ),
        dialogue(
            ["faq", "account"],
            kb(
                "setting up 2fa now. how many backup codes do i get and can each one be used more than once?",
                ["account/two-factor-authentication"],
                "You get 10 backup codes and each one works only once. Setting up 2FA again on a new phone "
                "creates a fresh set of codes and cancels the old ones.",
            ),
        ),
        dialogue(
            ["faq", "account", "typo", "followup"],
            kb(
                "locked out of my acount after typing the wrong password a bunch of times. how long till i "
                "can try again",
                ["account/sign-in-problems"],
                "After 5 failed attempts in a row the account is locked for 30 minutes, and the lock lifts "
                "by itself. Support agents can't lift it early.",
            ),
            kb(
                "would resetting the password get me in faster?",
                ["account/sign-in-problems", "account/reset-password"],
                "Yes, a password reset also removes the lock. Choose Forgot password? on the sign-in page "
                "and use the link within 60 minutes; the new password needs at least 10 characters with a "
                "letter and a number.",
            ),
        ),
        dialogue(
            ["faq", "account"],
            kb(
                "I signed up with Google. Can I unlink Google from my account and just use email and "
                "password?",
                ["account/sign-in-with-apple-or-google"],
                "Yes, once the account has a Kestrel password. Sign out, choose Forgot password? and follow "
                "the link to set one, then disconnect Google under Account › Security › Connected sign-in.",
            ),
        ),
    ]


def faq_billing() -> list[Dialogue]:
    """Questions about billing, prices and Kestrel Club."""
    return [
        dialogue(
            ["faq", "billing", "csv", "html", "followup"],
            hello(0),
            kb(
                "how much r the aura 2 pro headphones in the uk shop?",
                ["billing/price-list"],
                "Aura 2 Pro headphones cost £229 in the UK store, in black or navy (€259 in the euro "
                "stores).",
            ),
            kb(
                "just saw them for £15 less at another uk retailer and i only bought mine 3 days ago. can "
                "you match it?",
                ["billing/price-match"],
                "Yes, if it's a listed UK retailer selling the identical model and colour, new and in "
                "stock, at a price open to everyone. Claim within 7 days under Account › Orders › Price "
                "match; we check within 2 working days and refund the difference.",
            ),
        ),
        dialogue(
            ["faq", "billing", "pdf"],
            kb(
                "is there a max number of returns before you cancel my club membership? i send a lot back "
                "lol",
                ["billing/club-terms"],
                "Yes. Under the Club terms a membership may be ended if the account makes more than 10 "
                "returns in 90 days, not counting faulty items. We tell you the reason by email.",
            ),
        ),
        dialogue(
            ["faq", "billing"],
            kb(
                "I started annual Plus 10 days ago and already used free delivery on one order. If I cancel "
                "now, do I get my money back?",
                ["billing/cancel-membership"],
                "Partly. Cancelling an annual plan within 14 days of starting gives a refund minus the "
                "value of the benefits you've used, such as that free delivery. It goes back to your card "
                "or PayPal within 5 working days.",
            ),
            thanks(2),
        ),
        dialogue(
            ["faq", "billing", "pdf"],
            kb(
                "my card expired and the club renewal failed, do i lose my premium benefits straight away?",
                ["billing/failed-payments", "billing/club-terms"],
                "No, you keep all Club benefits for 14 days. We retry on day 3 and day 7; if payment still "
                "fails on day 14 you move to Basic. Update your card under Account › Payment methods and "
                "choose Retry payment now on the Club page.",
            ),
        ),
        dialogue(
            ["faq", "billing", "followup"],
            hello(5),
            kb(
                "when does the free plus trial start charging me and how much? i picked monthly",
                ["billing/free-trial"],
                "The trial lasts 30 days. If you do nothing, monthly Plus starts on day 31 and the first "
                "payment of £4.99 / €5.99 is taken. We email a reminder 3 days before; cancel before the "
                "end of day 30 to avoid the charge.",
            ),
            kb(
                "can i do the trial on premium instead?",
                ["billing/free-trial", "billing/premium-plan", "billing/kestrel-club-plans"],
                "No, there is no free trial of Premium. You can upgrade from the Plus trial to Premium at "
                "any time, but the trial then ends and Premium billing starts that day.",
            ),
        ),
        dialogue(
            ["faq", "billing"],
            kb(
                "my aunt in cork sent me a kestrel gift card in euros, can i use it on the uk site?",
                ["billing/gift-cards"],
                "No. A gift card only works in the store of its currency, so a euro gift card works in the "
                "Irish, German, French and Dutch stores but not in the UK store.",
            ),
        ),
        dialogue(
            ["faq", "billing"],
            kb(
                "Need the invoice for an order from 3 weeks ago redone with my company name and VAT number. "
                "Still possible?",
                ["billing/invoices-and-vat"],
                "Yes. Ask us in chat within 30 days of the order date and we reissue the invoice with your "
                "company details; after 30 days invoices can't be changed. For future orders, add them "
                "under Account › Business details. VAT can't be removed.",
            ),
        ),
        dialogue(
            ["faq", "billing"],
            kb(
                "Im a student in Munich, can I get the student price for Plus?",
                ["billing/student-discount"],
                "Not at the moment. The student discount (Plus monthly at £2.49 / €2.99) is only for "
                "students in the UK and Ireland; students in Germany, France and the Netherlands aren't "
                "eligible.",
            ),
        ),
        dialogue(
            ["faq", "billing", "typo", "followup"],
            kb(
                "does the 5% plus discount work on the pulse watch itself or only accesories like straps?",
                ["billing/plus-plan"],
                "Only on accessories: cases, cables, chargers, straps, ear cushions and mounts. It's "
                "applied automatically at checkout and doesn't apply to devices such as the Pulse watch, or "
                "to gift cards.",
            ),
            kb(
                "ok what would it cost to jump to premium now? im about halfway thru my monthly plus",
                ["billing/switching-plans"],
                "Upgrades take effect immediately and you pay the pro-rated difference for the rest of the "
                "period: about £2.50 halfway through a £4.99 Plus month. After that the plan renews at the "
                "Premium price (£9.99) on your usual date.",
            ),
        ),
    ]


def faq_orders() -> list[Dialogue]:
    """Questions about orders and delivery."""
    return [
        dialogue(
            ["faq", "orders", "followup"],
            kb(
                "my order was dispatched yesterday evening but the tracking link still shows nothing, is it "
                "lost??",
                ["orders/track-your-order"],
                "Probably not. The carrier's tracking can take up to 24 hours after dispatch to show the "
                "first scan; that's normal and doesn't mean the parcel is lost.",
            ),
            kb(
                "ok and if it still hasnt come after the estimated date?",
                ["orders/missing-or-late-parcel"],
                "If it hasn't arrived 2 working days after the latest estimated date, contact us and we "
                "open an investigation with the carrier (up to 10 working days). If it isn't found, we send "
                "a replacement or give a full refund.",
            ),
            thanks(6),
        ),
        dialogue(
            ["faq", "orders"],
            kb(
                "how much is evening delivery in the netherlands and by when do i need to order?",
                ["orders/delivery-netherlands"],
                "Evening delivery with PostNL costs €6.95 and arrives the next working day between 18:00 "
                "and 22:00. Order by 4pm, Monday to Friday. It's free for Premium members and not available "
                "on the Wadden Islands.",
            ),
        ),
        dialogue(
            ["faq", "orders"],
            hello(2),
            kb(
                "We'd like to order 5 Beacon Minis for the office in one go, is that ok?",
                ["orders/order-limits"],
                "Not in one order: Kestrel devices are limited to 3 of the same model per order. For larger "
                "quantities, contact the business team at business@kestrel.example.",
            ),
        ),
        dialogue(
            ["faq", "orders"],
            kb(
                "when does my card actually get charged for a preorder?",
                ["orders/pre-orders", "billing/payment-methods"],
                "When you pre-order, your card or PayPal is only authorised; you are charged when the item "
                "is dispatched. Authorisations are renewed every 7 days, so a pending amount can show more "
                "than once, but only one payment is taken.",
            ),
        ),
        dialogue(
            ["faq", "orders"],
            kb(
                "just opened my parcel and the beacon mini inside has a big crack. box looked fine from the "
                "outside. what now",
                ["orders/damaged-parcel"],
                "Take photos of the box, the packaging and the speaker, including the label with the order "
                "number, and report it within 48 hours of delivery in chat or under Account › Orders › "
                "Report a problem. Keep the packaging; we send a replacement and collect the damaged one "
                "free.",
            ),
            thanks(1),
        ),
        dialogue(
            ["faq", "orders", "followup"],
            kb(
                "whats next day delivery cost in the uk and whats the cut off",
                ["orders/delivery-uk"],
                "Next-day delivery with DPD costs £5.95 if you order by 8pm, Monday to Friday. It's free "
                "for Premium members.",
            ),
            kb(
                "i placed my order 10 mins ago with standard, can i still change it to that?",
                ["orders/change-or-cancel-an-order", "orders/track-your-order"],
                "Yes, while the order status is Received (usually the first 30 minutes) you can still "
                "change the delivery option; the price difference is charged. Once it's Processing it can "
                "no longer be changed online.",
            ),
        ),
        dialogue(
            ["faq", "orders", "html", "typo"],
            hello(4),
            kb(
                "can i get express delivery to my packstaion? im in germany",
                ["orders/delivery-germany", "account/address-book"],
                "No. Only standard DHL orders (3–5 working days) can go to a Packstation or Postfiliale, "
                "using your Postnummer. Express orders can't be delivered to a Packstation.",
            ),
        ),
        dialogue(
            ["faq", "orders"],
            kb(
                "Bonjour, how long does delivery to Corsica take and can I choose express?",
                ["orders/delivery-france"],
                "Only standard and pickup point delivery go to Corsica, with 2 extra working days on top of "
                "the usual 3–6 working days. Express (Chronopost) isn't available there.",
            ),
        ),
        dialogue(
            ["faq", "orders", "html", "typo", "followup"],
            kb(
                "will i have to pay custums when my order arrives in galway since it comes from the uk?",
                ["orders/delivery-ireland"],
                "No. Kestrel pays all duties and customs charges on orders from the Irish store, so you "
                "never pay anything on delivery. If a courier asks you for customs fees, don't pay and "
                "contact us.",
            ),
            kb(
                "and can the same store send one to my friend in belfast?",
                ["orders/countries-we-deliver-to", "orders/delivery-ireland", "account/address-book"],
                "No, Northern Ireland is served by the UK store, not the Irish one. To send something to "
                "Belfast, order from the UK store (kestrel.example/uk) with a payment method accepted "
                "there.",
            ),
        ),
    ]


def faq_returns() -> list[Dialogue]:
    """Questions about returns, refunds and warranty."""
    return [
        dialogue(
            ["faq", "returns"],
            kb(
                "bought headphones for my dad for xmas, they were delivered on the 2nd of december. can he "
                "still return them mid january? im on basic",
                ["returns/return-policy"],
                "Yes. Items delivered between 15 November and 24 December can be returned until 31 January, "
                "or until the end of your normal window if that's later. On Basic, £2.95 / €3.95 return "
                "postage is deducted for change-of-mind returns.",
            ),
        ),
        dialogue(
            ["faq", "returns"],
            kb(
                "can dpd collect my return from home? and do i pay for that on plus",
                ["returns/drop-off-uk", "returns/start-a-return"],
                "Yes, choose Collection when you start the return and pick a weekday; DPD collects between "
                "7am and 6pm and brings the label. It costs £4.95 for Basic and Plus members, and is free "
                "for Premium or when the item is faulty.",
            ),
        ),
        dialogue(
            ["faq", "returns"],
            kb(
                "Theres a Hermes shop right next to my flat in Köln, can I send my return from there?",
                ["returns/drop-off-germany"],
                "No, returns in Germany go with DHL only: a Postfiliale, Paketshop or Packstation, using "
                "the QR code from your return email. Hermes, DPD and GLS aren't accepted. Hand the parcel "
                "over within 14 days of starting the return.",
            ),
        ),
        dialogue(
            ["faq", "returns", "typo"],
            kb(
                "recieved my aura 2 yesterday and it wont switch on at all, even after charging",
                ["returns/faulty-items"],
                "That counts as dead on arrival. Report it within 7 days of delivery and we send a "
                "replacement straight away; you then return the faulty one in the packaging of the new one.",
            ),
            thanks(3),
        ),
        dialogue(
            ["faq", "returns"],
            kb(
                "ordered an aura 2 with my name engraved on the headband and changed my mind. can i send it "
                "back?",
                ["returns/non-returnable-items"],
                "Unfortunately not. Personalised items, such as an Aura 2 with an engraved headband, can't "
                "be returned for a change of mind; they can only be returned if they are faulty.",
            ),
        ),
        dialogue(
            ["faq", "returns"],
            kb(
                "sent my return back on monday, paid with paypal. roughly when will i see the money",
                ["returns/refund-timing"],
                "We check returns within 5 working days of them reaching the warehouse (usually 2–5 working "
                "days after drop-off) and issue the refund then. PayPal refunds appear within 24 hours, so "
                "the whole process normally takes 1–2 weeks.",
            ),
        ),
        dialogue(
            ["faq", "returns"],
            kb(
                "I checked out as a guest. How do I start a return without an account?",
                ["returns/start-a-return"],
                "Use the Returns portal link at the bottom of any page and enter your order number and "
                "email address. Choose the items and a reason, then drop the parcel off within 14 days of "
                "starting the return.",
            ),
        ),
        dialogue(
            ["faq", "returns", "docx", "followup"],
            kb(
                "my pulse watch battery barely lasts a day now, bought it about 18 months ago. is that "
                "covered?",
                ["returns/warranty"],
                "It can be. Kestrel devices have a 2-year warranty from delivery, and a battery that holds "
                "less than 70% of its original capacity within that period is covered. Repairs take 7–10 "
                "working days.",
            ),
            kb(
                "how do i make the claim then?",
                ["returns/warranty-claims"],
                "Go to Account › Devices, select the watch and choose Warranty claim. You need the serial "
                "number (12 characters, starting KP for Pulse) and proof of purchase. You get a W- "
                "reference by email; we review it within 3 working days and send a free shipping label.",
            ),
            thanks(5),
        ),
    ]


def faq_security() -> list[Dialogue]:
    """Questions about security and privacy."""
    return [
        dialogue(
            ["faq", "security"],
            kb(
                "my sisters account got hacked last month. how would i even notice if someone was in mine?",
                ["security/account-compromised"],
                "Watch for security emails about sign-ins, password or email changes you didn't make; "
                "orders, addresses or payment methods you don't recognise; devices in your Kestrel app that "
                "aren't yours; or your usual password no longer working.",
            ),
        ),
        dialogue(
            ["faq", "security", "typo"],
            kb(
                "how do i turn off the marketting cookies in the kestrel app",
                ["security/cookies"],
                "In the app, go to Profile › Privacy › Tracking (on the website, Cookie settings at the "
                "bottom of any page). Your choice is stored for 12 months, then we ask again.",
            ),
        ),
        dialogue(
            ["faq", "security"],
            kb(
                "I requested a copy of my data. How long before it's ready, and what format is it in?",
                ["security/data-export"],
                "It's usually ready within 72 hours (by law we have up to 30 days). You get a ZIP file with "
                "JSON and CSV files; the download link is valid for 7 days and works only when you're "
                "signed in.",
            ),
        ),
        dialogue(
            ["faq", "security"],
            kb(
                "theres a pending charge on my card that says KESTREL*PREAUTH, what is that?",
                ["security/payment-security"],
                "That's a Kestrel pre-order authorisation, shown as pending only. Check your pre-orders "
                "under Account › Orders; if you still don't recognise it, contact us with the date and "
                "amount, without your full card number.",
            ),
        ),
        dialogue(
            ["faq", "security", "typo"],
            hello(1),
            kb(
                "got a text saying my kestrel parcle is on hold until i pay a £1.99 customs fee through a "
                "link. is this real?",
                ["security/phishing-and-scams"],
                "No, that's a scam. Kestrel never asks you to pay customs or redelivery fees by text; we "
                "pay all duties ourselves, and genuine texts come from the sender KESTREL. Don't click the "
                "link; forward the text to your mobile network's spam reporting number.",
            ),
        ),
        dialogue(
            ["faq", "security"],
            kb(
                "Does my Beacon Mini keep recordings of what we say at home?",
                ["security/privacy-summary"],
                "Not by default: Beacon speakers don't store recordings. Only if you turn on Help improve "
                "voice recognition are recordings kept for 90 days and possibly reviewed by staff. You can "
                "turn it off and delete them under Settings › Privacy in the app.",
            ),
        ),
        dialogue(
            ["faq", "security", "html"],
            kb(
                "i think i found a security hole in your website login. where do i report it, and is there "
                "a bug bounty?",
                ["security/report-a-vulnerability"],
                "Email security@kestrel.example (you can encrypt with the PGP key at "
                "kestrel.example/security.txt), not the support chat. We acknowledge reports within 3 "
                "working days. There's no paid bug bounty programme at the moment.",
            ),
            thanks(6),
        ),
    ]


def faq_contact() -> list[Dialogue]:
    """Questions about contacting Kestrel."""
    return [
        dialogue(
            ["faq", "contact", "typo"],
            kb(
                "whats the email adress for complaints and how soon do you get back to people",
                ["contact/complaints"],
                "Email complaints@kestrel.example with your name, account email, order number and what "
                "you'd like us to do. We acknowledge complaints with a reference within 2 working days and "
                "aim to resolve most within 10 working days.",
            ),
        ),
        dialogue(
            ["faq", "contact"],
            hello(2),
            kb(
                "are your customer service agents working on sundays? im in the uk",
                ["contact/contact-us"],
                "No, the UK and Ireland team works Monday–Friday 8:00–20:00 and Saturday 9:00–17:00 UK "
                "time, and is closed on Sundays and public holidays. The chat assistant runs 24/7; outside "
                "those hours an agent replies to your ticket by email.",
            ),
        ),
        dialogue(
            ["faq", "contact", "docx"],
            kb(
                "When the chat bot passes you on to a real person, how long does it usually take for them "
                "to answer?",
                ["contact/escalation-policy", "contact/service-levels"],
                "It depends on the ticket priority: urgent (safety, account takeover) within 1 hour, high "
                "within 4 working hours, normal within 1 working day and low within 3 working days. During "
                "opening hours you're usually connected in the same chat.",
            ),
        ),
        dialogue(
            ["faq", "contact"],
            kb(
                "premium phone number for ireland?",
                ["contact/phone-support"],
                "Premium members in Ireland call +44 20 7946 0311 (an English-speaking team in the UK), "
                "Monday–Friday 8:00–20:00 and Saturday 9:00–17:00 UK time. Have your KC- membership number "
                "ready; two-factor authentication must be on.",
            ),
        ),
        dialogue(
            ["faq", "contact"],
            kb(
                "my beacon mini plug has 2310 printed on the side. is that one of the recalled ones?",
                ["contact/product-recalls"],
                "Yes, adapters with batch code 2309, 2310 or 2311 are recalled. Stop using it, fill in the "
                "form at kestrel.example/recall with the batch code and a photo, and we send a free "
                "replacement adapter within 5 working days. The speaker itself is fine.",
            ),
        ),
        dialogue(
            ["faq", "contact", "docx"],
            hello(3),
            kb(
                "are you guys open on boxing day?",
                ["contact/service-levels"],
                "No, customer service is closed on 25 and 26 December and 1 January. The virtual assistant "
                "in chat is available every day, and safety issues are handled by a person 24 hours a day.",
            ),
            thanks(2),
        ),
        dialogue(
            ["faq", "contact"],
            kb(
                "My ticket was marked resolved last week but the issue is back. Do I have to open a new one?",
                ["contact/ticket-status"],
                "No, reply within 14 days of the ticket being resolved and it reopens with the same number. "
                "After 14 days it's closed and you'd need to start a new chat.",
            ),
        ),
    ]


def faq_troubleshooting() -> list[Dialogue]:
    """Questions about setting up and fixing devices."""
    return [
        dialogue(
            ["faq", "troubleshooting"],
            hello(0),
            kb(
                "bought a beacon max second hand and the app keeps saying K-402 when i try to add it",
                ["troubleshooting/app-error-codes"],
                "K-402 means the speaker is still linked to another account, and a factory reset doesn't "
                "remove that. Ask the seller to remove it in their Kestrel app; if you can't reach them, "
                "send us a photo of the serial number and proof of purchase and we remove the link within 3 "
                "working days.",
            ),
        ),
        dialogue(
            ["faq", "troubleshooting", "followup"],
            kb(
                "can my aura 2 stay connected to my laptop and my phone at the same time?",
                ["troubleshooting/aura-2-pairing-and-reset"],
                "No, Aura 2 doesn't support multipoint: it remembers up to 8 devices but connects to one at "
                "a time. To switch, disconnect it in the first device's Bluetooth settings, then connect "
                "the second.",
            ),
            kb(
                "would the pro version do that?",
                ["troubleshooting/aura-2-pro-pairing-and-reset"],
                "Yes, Aura 2 Pro supports multipoint: it can be connected to two devices at the same time, "
                "and audio switches to whichever device starts playing. You can turn multipoint on or off "
                "in the Kestrel app.",
            ),
            thanks(4),
        ),
        dialogue(
            ["faq", "troubleshooting", "typo"],
            kb(
                "aura 2 pro battery life with noice cancelling on?",
                ["troubleshooting/aura-charging-and-battery"],
                "Up to 40 hours with noise cancelling on (50 hours with it off). A full charge takes 2.5 "
                "hours, and 10 minutes of charging gives about 5 hours of playback.",
            ),
        ),
        dialogue(
            ["faq", "troubleshooting"],
            kb(
                "is it ok to leave my headphones charging overnight on the bed?",
                ["troubleshooting/battery-safety"],
                "Better not: don't charge devices on beds, sofas or under pillows. Use the supplied cable "
                "and a charger from a reputable brand, and keep devices away from radiators and out of "
                "direct sunlight in cars.",
            ),
        ),
        dialogue(
            ["faq", "troubleshooting", "typo"],
            kb(
                "giving my beacon mini to my nephew, how do i factroy reset it first?",
                ["troubleshooting/beacon-factory-reset"],
                "Keep it plugged in and hold the microphone mute button for 20 seconds until the light ring "
                "turns orange and it plays a tone. After about a minute the ring pulses orange. Then remove "
                "the speaker from your account in the Kestrel app.",
            ),
        ),
        dialogue(
            ["faq", "troubleshooting"],
            hello(5),
            kb(
                "setting up my beacon mini and my wifi just doesnt show up in the list, my phone sees it "
                "fine",
                ["troubleshooting/beacon-mini-wifi-setup"],
                "Your network is probably 5 GHz only. Beacon Mini works only on 2.4 GHz, so turn on 2.4 GHz "
                "on your router or create a separate 2.4 GHz network. WPA3-only networks aren't supported "
                "either; use WPA2 or mixed mode.",
            ),
        ),
        dialogue(
            ["faq", "troubleshooting", "pdf", "followup"],
            kb(
                "Can I plug a network cable into the Beacon Max instead of using wifi?",
                ["troubleshooting/beacon-max-wifi-setup", "troubleshooting/beacon-quick-start"],
                "Yes, Beacon Max has an Ethernet port on the back. If you connect the cable before setup, "
                "the app skips the Wi-Fi step.",
            ),
            kb(
                "nice. and can it be a stereo pair with the beacon mini i already have?",
                ["troubleshooting/beacon-quick-start"],
                "No, a Beacon Max can only form a stereo pair with another Beacon Max. It can't pair in "
                "stereo with a Beacon Mini, but both can play in the same group.",
            ),
        ),
        dialogue(
            ["faq", "troubleshooting", "followup"],
            kb(
                "havent opened the app in about 10 days, will my pulse lose the steps it hasnt synced?",
                ["troubleshooting/pulse-watch-not-syncing"],
                "Possibly. The watch stores up to 7 days of activity, and unsynced data older than that is "
                "overwritten. Sync now by pulling down on the Today screen, and sync at least once a week.",
            ),
            kb(
                "its also asking for an update, battery is at 40% but it wont start",
                ["troubleshooting/firmware-updates"],
                "Pulse updates need at least 30% battery and the watch on its charger, so put it on the "
                "charger and try again. Keep the app open and the phone nearby; an update takes up to 15 "
                "minutes.",
            ),
        ),
    ]
