"""Sensitive categories of the catalogue taxonomy, loaded from `sensitive_topics.toml` (data, so a
retailer can review and extend them without touching code; each topic carries its reasoning)."""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_TAXONOMY = Path(__file__).with_name("sensitive_topics.toml")
ALWAYS_JUDGED = "en"


@dataclass(frozen=True, slots=True)
class SensitiveTopic:
    name: str
    reasoning: str
    opt_in: str  # the member preference that allows it; "none" when nothing does
    categories: frozenset[str]  # catalogue category and department names, lower case
    pattern: re.Pattern[str]  # every term of the judged languages


@cache
def topics(languages: tuple[str, ...] = (ALWAYS_JUDGED,)) -> tuple[SensitiveTopic, ...]:
    """The taxonomy's topics, their terms in `languages` (English always)."""
    with _TAXONOMY.open("rb") as handle:
        raw = tomllib.load(handle)["topics"]
    wanted = dict.fromkeys((ALWAYS_JUDGED, *languages))
    built = []
    for name, topic in raw.items():
        terms = [term for language in wanted for term in topic["terms"].get(language, [])]
        built.append(SensitiveTopic(
            name=name,
            reasoning=topic["reasoning"],
            opt_in=topic["opt_in"],
            categories=frozenset(c.lower() for c in topic["categories"]),
            pattern=re.compile(r"(?<![\w])(?:" + "|".join(terms) + r")", re.IGNORECASE),
        ))
    return tuple(built)


def topics_in(text: str, judged: tuple[SensitiveTopic, ...], opted_in: frozenset[str]) -> list[str]:
    return [t.name for t in judged if t.opt_in not in opted_in and t.pattern.search(text)]


def topics_of_categories(labels: tuple[str, ...], judged: tuple[SensitiveTopic, ...],
                         opted_in: frozenset[str]) -> list[str]:
    lowered = {label.lower().replace("_", " ").replace("-", " ") for label in labels}
    return [t.name for t in judged if t.opt_in not in opted_in and lowered & t.categories]
