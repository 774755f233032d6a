"""Offer-and-message variants: proposals that differ only in who receives them.

The guard agent judges a campaign once per variant (and every flagged member on their own): two
members with the same offer, channel, timing and copy up to their first name read the same to a
reviewer. The key masks the name as the copywriter writes it, nothing else.
"""

import hashlib
import json
import re
from functools import lru_cache

from policies.proposal import OfferProposal

NAME_SLOT = "{name}"


def written_name(first_name: str | None) -> str | None:
    """The form a first name takes in copy (first word, capitalised), as the copywriter writes it."""
    if not first_name or not first_name.strip():
        return None
    return first_name.strip().split(" ")[0].capitalize()


def variant_key(proposal: OfferProposal, first_name: str | None) -> str:
    name = written_name(first_name)
    pattern = _name_pattern(name) if name else None

    def masked(text: str | None) -> str | None:
        return text if text is None or pattern is None else pattern.sub(NAME_SLOT, text)

    message = proposal.message
    payload = {
        "use_case": proposal.use_case.value,
        "channel": proposal.channel.value,
        "offer": proposal.offer.model_dump(mode="json"),
        "validity_hours": round((proposal.valid_until - proposal.valid_from).total_seconds() / 3600, 2),
        "tone": message.tone.value,
        "subject": masked(message.subject),
        "body": masked(message.body),
        "cta": masked(message.cta),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


@lru_cache(maxsize=4096)  # names repeat across a member base; compiling each once is what costs
def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(name)}\b")
