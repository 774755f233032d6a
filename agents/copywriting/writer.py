"""Message copy for the local model: templates by use case, tone and channel.

Customer-controlled text (first names, product and cart item names) is data: it is used only if
it fits the grammar of what it claims to be (`agents.copywriting.names`), and is otherwise replaced
by a neutral word, so nothing a member or seller typed — a link, a phone number, a request for a
PIN, an instruction — can reach another member's message or act as an instruction.
"""

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from agents.copywriting.names import catalogue_name, first_name
from policies.vocabulary import Channel, OfferType, Tone, UseCase

REPLENISHMENT = "replenishment"  # the phrase set for restock reminders
SMS_LIMIT = 160
PUSH_LIMIT = 120
IN_STORE_LIMIT = 80
INSTRUCTION_WORDS = re.compile(r"\b(ignore|instruction|approve|system|assistant|prompt|discount|%)\b", re.I)


@dataclass(frozen=True)
class CopyBrief:
    use_case: UseCase
    channel: Channel
    tone: Tone
    offer_type: OfferType
    offer_value: str  # "10%", "$15", "2x", "500" — already formatted
    valid_until: datetime  # in the member's local time
    first_name: str | None
    category: str | None
    product: str | None
    opt_out_text: str
    # The category is one the member buys regularly and is due again: an upsell is then a restock
    # reminder that names it ("your coffee beans may be running low"), not a cross-sell.
    replenishment: bool = False


@dataclass(frozen=True)
class Copy:
    subject: str | None
    body: str
    cta: str | None


@cache
def _phrases() -> dict:
    with (Path(__file__).parent / "phrases.toml").open("rb") as handle:
        return tomllib.load(handle)


def safe_name(raw: str | None) -> str:
    name = first_name(raw)
    if name is not None and not INSTRUCTION_WORDS.search(name):
        return name.capitalize()
    return "there"


def safe_label(raw: str | None, fallback: str) -> str:
    label = catalogue_name(raw)
    if label is not None and not INSTRUCTION_WORDS.search(label):
        return label.lower() if label.isupper() else label
    return fallback


def write(brief: CopyBrief) -> Copy:
    phrases = _phrases()
    tone = brief.tone.value
    use_case = (
        REPLENISHMENT if brief.replenishment and brief.use_case is UseCase.UPSELL else brief.use_case.value
    )
    category = safe_label(brief.category, "favourites")
    fields = {
        "name": safe_name(brief.first_name),
        "category": category,
        # Without a named product an upsell points at the category, never at a garment it may not be.
        "product": safe_label(
            brief.product,
            f"something from our {category} range" if brief.use_case is UseCase.UPSELL else "item",
        ),
        "offer": brief.offer_value,
        "valid": f"{brief.valid_until:%a %d %b}",
    }
    named = fields["name"] != "there"
    opener = _fill(phrases["openers"][use_case][tone], fields, named)
    body = _fill(phrases["bodies"][use_case][tone], fields, named)
    offer = _fill(phrases["offers"][brief.offer_type.value], fields, named)
    cta = phrases["ctas"][tone]
    subject = _fill(phrases["subjects"][use_case][tone], fields, named)
    sentences = " ".join(part for part in (opener, body, offer) if part)
    return _shape(brief.channel, subject, sentences, offer, opener, cta, brief.opt_out_text)


def _fill(template: str, fields: dict[str, str], named: bool) -> str:
    """Format a template; without a usable name, address the member without one."""
    if not named:
        for pattern in ("Hi {name}, ", "Hey {name}, ", "{name}, ", ", {name}", " {name}"):
            template = template.replace(pattern, "Hi, " if pattern.startswith("Hi") else "")
    text = template.format(**fields)
    return text[:1].upper() + text[1:]


def _shape(
    channel: Channel, subject: str, full: str, offer: str, opener: str, cta: str, opt_out: str
) -> Copy:
    if channel is Channel.EMAIL:
        return Copy(subject=subject, body=full, cta=cta)
    if channel is Channel.SMS:
        # Body and opt-out text share one 160-character segment; drop detail before meaning.
        for text in (full, f"{opener} {offer}".strip(), offer or opener):
            candidate = f"{text} {opt_out}"
            if len(candidate) <= SMS_LIMIT:
                return Copy(subject=None, body=candidate, cta=None)
        return Copy(
            subject=None, body=f"{offer or opener}"[: SMS_LIMIT - len(opt_out) - 1] + f" {opt_out}", cta=None
        )
    if channel is Channel.PUSH:
        text = full if len(full) <= PUSH_LIMIT else (offer or opener)
        return Copy(subject=subject[:60], body=text[:PUSH_LIMIT], cta=None)
    if channel is Channel.IN_STORE:
        return Copy(subject=None, body=(offer or opener)[:IN_STORE_LIMIT], cta=None)
    return Copy(subject=subject, body=full, cta=cta)
