"""What the first page says: the demo company, what its help centre covers, and questions to try.

Text only, no Gradio: `blocks.py` lays it out and `chat_tab.py` turns each example into a button
that sends it. The examples cover what the demo shows: a price, steps, a rule that depends on the
country, a question the help centre cannot answer, and a hand-off to a person.
"""

from __future__ import annotations

COMPANY = "Kestrel"
HEADER = f"""## 🛟 {COMPANY} help desk · a demo of an AI support agent
**{COMPANY}** is a made-up electronics shop: Aura headphones, Beacon speakers, Pulse watches and the
{COMPANY} Club membership, delivered to the UK, Ireland, France, Germany and the Netherlands. The agent
answers from {COMPANY}'s help centre (account, billing and Club plans, orders and delivery, returns and
warranty, security, troubleshooting), cites the articles it used, and hands you to a person when it
cannot help.
"""
HOW_IT_WORKS = (
    "Your conversations belong to this browser (no sign-up): reload the page and you are back where "
    "you left off, or pick an earlier one under *Resume a conversation*. Rate an answer with 👍 / 👎."
)
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("💷 A price", "How much does Kestrel Club Premium cost per month?"),
    ("🔑 Steps", "How do I reset my password?"),
    ("🇮🇪 A country rule", "Can I get next-day delivery to Ireland?"),
    ("❓ Not in the help centre", "Do you sell electric scooters?"),
    ("👤 A person, please", "My parcel is missing, I want to talk to a human agent please"),
)
