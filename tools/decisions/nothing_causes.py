"""Why a decision was "nothing", as one of a few causes a person can act on.

The local specialists name the cause in their answer (`cause`, one of the values below); an answer
without one (Claude's, or an older log) is classified from its reason text. The worker and the
report count "nothing" by these causes, so "386 nothing" reads as "300 no consented channel, 80
stale data, 6 no action beats doing nothing" — and says what to fix.
"""

import re
from enum import StrEnum
from typing import Any


class NothingCause(StrEnum):
    NO_CONSENTED_CHANNEL = "no consented channel"
    STALE_DATA = "stale data"
    BUDGET = "budget exhausted or absent"
    CONTACT_CAP = "contact cap"
    NO_ELIGIBLE_OFFER = "no eligible offer"
    NOT_APPLICABLE = "use case does not apply"
    NOTHING_BEATS = "no action beats doing nothing"
    OTHER = "other"


# Rule ids (policies/default.toml) whose block says which cause stopped every candidate.
RULE_CAUSES = (
    (("consent.",), NothingCause.NO_CONSENTED_CHANNEL),
    (("data.freshness",), NothingCause.STALE_DATA),
    (("budget.",), NothingCause.BUDGET),
    (("frequency.", "fatigue.", "duplicate."), NothingCause.CONTACT_CAP),
    (
        ("inventory.", "max_discount.", "margin.", "validity.", "points.", "cart.", "cost.", "fairness."),
        NothingCause.NO_ELIGIBLE_OFFER,
    ),
)
TEXT_CAUSES = (
    (re.compile(r"no consented channel|no consent|opted out", re.I), NothingCause.NO_CONSENTED_CHANNEL),
    (re.compile(r"stale", re.I), NothingCause.STALE_DATA),
    (re.compile(r"budget|paused", re.I), NothingCause.BUDGET),
    (re.compile(r"frequency|cap\b|capped|fatigue|contacted recently", re.I), NothingCause.CONTACT_CAP),
    (re.compile(r"nothing to do|not lapsed|does not apply", re.I), NothingCause.NOT_APPLICABLE),
    (re.compile(r"beats doing nothing", re.I), NothingCause.NOTHING_BEATS),
)


BROKE = re.compile(r"they broke ([\w., ]+?)\)")


def cause_of_rules(rule_ids: set[str]) -> NothingCause:
    """The cause behind the rules that blocked every candidate: the first in `RULE_CAUSES` order
    (consent before budget before caps...), since fixing that one is needed whatever the rest."""
    for prefixes, cause in RULE_CAUSES:
        if any(rule.startswith(prefixes) for rule in rule_ids):
            return cause
    return NothingCause.OTHER


def cause_of(answer: dict[str, Any]) -> NothingCause:
    """The cause of a "nothing" answer: its own `cause` when it names a known one, else read from
    its reason."""
    named = answer.get("cause")
    if isinstance(named, str) and named in NothingCause._value2member_map_:
        return NothingCause(named)
    text = " ".join(str(answer.get(key) or "") for key in ("reason", "detail"))
    broken = answer.get("broken_rules") or BROKE.findall(text)
    if broken:
        return cause_of_rules({rule.strip() for rules in broken for rule in str(rules).split(",")})
    return next((cause for pattern, cause in TEXT_CAUSES if pattern.search(text)), NothingCause.OTHER)
