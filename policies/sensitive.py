"""Sensitive categories of the catalogue taxonomy, loaded from `sensitive_topics.toml` (data, so a
retailer can review and extend them without touching code; each topic carries its reasoning)."""

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

_TAXONOMY = Path(__file__).with_name("sensitive_topics.toml")


@dataclass(frozen=True, slots=True)
class SensitiveTopic:
    name: str
    reasoning: str
    opt_in: str  # the member preference that allows it; "none" when nothing does
    categories: frozenset[str]  # catalogue category and department names, lower case
    pattern: re.Pattern[str]  # every term of the judged languages


@cache
def _raw() -> dict[str, dict]:
    with _TAXONOMY.open("rb") as handle:
        return tomllib.load(handle)["topics"]


def languages() -> frozenset[str]:
    """The languages every topic has terms in: what a retailer may configure."""
    return frozenset.intersection(*(frozenset(t["terms"]) for t in _raw().values()))


@cache
def topics() -> tuple[SensitiveTopic, ...]:
    """The taxonomy's topics with their terms in every language it holds: a member may write, and a
    specialist may reason, in any of them whatever the retailer's own languages are."""
    built = []
    for name, topic in _raw().items():
        terms = [term for language_terms in topic["terms"].values() for term in language_terms]
        built.append(
            SensitiveTopic(
                name=name,
                reasoning=topic["reasoning"],
                opt_in=topic["opt_in"],
                categories=frozenset(c.lower() for c in topic["categories"]),
                pattern=re.compile(r"(?<![\w])(?:" + "|".join(terms) + r")", re.IGNORECASE),
            )
        )
    return tuple(built)


@lru_cache(maxsize=8192)
def topics_in(text: str, judged: tuple[SensitiveTopic, ...], opted_in: frozenset[str]) -> tuple[str, ...]:
    return tuple(t.name for t in judged if t.opt_in not in opted_in and t.pattern.search(text))


def topics_of_categories(
    labels: tuple[str, ...], judged: tuple[SensitiveTopic, ...], opted_in: frozenset[str]
) -> list[str]:
    lowered = {label.lower().replace("_", " ").replace("-", " ") for label in labels}
    return [t.name for t in judged if t.opt_in not in opted_in and lowered & t.categories]
