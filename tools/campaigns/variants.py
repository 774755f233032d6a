"""Offer-and-message variants: proposals that differ only in whom and what they are addressed to.

Two keys, at two grains (`keys` gives both):

- the copy key: the exact copy and offer a member receives, up to their first name. The guard's pure
  judgement runs once per copy key (`tools.campaigns.screen`), so every text a member reads is
  judged, and first names are screened on their own.
- the variant key: the template behind the copy — the same with the category and the validity date
  masked too. The guard agent, whose review is recorded and (with Claude) costs a model call,
  reads one member per variant.
"""

import hashlib
import json
import re
from functools import lru_cache

from policies.proposal import OfferProposal

NAME_SLOT = "{name}"
CATEGORY_SLOT = "{category}"
DATE_SLOT = "{date}"
# How the copywriter writes a validity date ("Sun 08 Nov"), with or without a year.
_DATE = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w* \d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"\w*(?: \d{4})?\b"
)


def written_name(first_name: str | None) -> str | None:
    """The form a first name takes in copy (first word, capitalised), as the copywriter writes it."""
    if not first_name or not first_name.strip():
        return None
    return first_name.strip().split(" ")[0].capitalize()


def keys(proposal: OfferProposal, first_name: str | None, category: str | None) -> tuple[str, str]:
    """(copy key, variant key) of one proposal."""
    name = _word(written_name(first_name))
    offer = proposal.offer.model_dump(mode="json")
    exact = _key(proposal, offer, [(name, NAME_SLOT)])
    offer["categories"] = [CATEGORY_SLOT] * len(offer["categories"])
    template = _key(
        proposal, offer, [(name, NAME_SLOT), (_word(category), CATEGORY_SLOT), (_DATE, DATE_SLOT)]
    )
    return exact, template


def _key(
    proposal: OfferProposal, offer: dict[str, object], slots: list[tuple[re.Pattern[str] | None, str]]
) -> str:
    def masked(text: str | None) -> str | None:
        if text is None:
            return None
        for pattern, slot in slots:
            if pattern is not None:
                text = pattern.sub(slot, text)
        return text

    message = proposal.message
    payload = {
        "use_case": proposal.use_case.value,
        "channel": proposal.channel.value,
        "offer": offer,
        "validity_hours": round((proposal.valid_until - proposal.valid_from).total_seconds() / 3600, 2),
        "tone": message.tone.value,
        "subject": masked(message.subject),
        "body": masked(message.body),
        "cta": masked(message.cta),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _word(text: str | None) -> re.Pattern[str] | None:
    return _word_pattern(text) if text else None


@lru_cache(
    maxsize=4096
)  # names and categories repeat across a member base; compiling each once is what costs
def _word_pattern(text: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(text)}\b")
