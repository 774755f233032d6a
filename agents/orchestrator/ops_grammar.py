"""The fixed grammar of ops requests the local model understands (Claude takes free text).

    plan <use case> for <segment> budget <amount> [limit <n>]   plan a campaign and preview it
    confirm                                                     execute the planned campaign
    cancel                                                      drop the planned campaign
    offer for member <id> [for <use case>]                      what we would offer now, and why (dry run)
    explain <trace id>                                          explain a past decision
    segment <segment id>                                        show a segment
    rejections [<n>]                                            the guard's recent rejections, by rule
    reviews                                                     the human review queue
    approve review <id> | reject review <id>                    decide a queued proposal
    dead letters [<n>]                                          messages no channel could deliver
    pause <use case> | resume <use case>                        stop or restart a use case's sends
    help                                                        this list

Words are case-insensitive; amounts may be written 5000, $5,000 or 5k; use cases as
`cart_abandonment` or `cart abandonment`. Anything else gets a plain "I can't do that" and this list.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Command:
    operation: str  # the name of an ops operation (the composition root lists them)
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Help:
    text: str


@dataclass(frozen=True)
class Unsupported:
    message: str


@dataclass(frozen=True)
class _Form:
    verb: str  # the word a request of this form starts with
    usage: str
    meaning: str
    pattern: re.Pattern[str]
    build: Callable[[dict[str, str]], Command | Help]


_USE_CASE = r"(?P<use_case>[a-z][a-z_ ]*?)"


def _use_case(text: str) -> str:
    return "_".join(text.lower().split())


def _amount(text: str) -> float:
    cleaned = text.replace(",", "").lstrip("$").lower()
    return float(cleaned[:-1]) * 1_000 if cleaned.endswith("k") else float(cleaned)


Build = Callable[[dict[str, str]], Command | Help]


def _form(verb: str, usage: str, meaning: str, pattern: str, build: Build) -> _Form:
    return _Form(verb, usage, meaning, re.compile(rf"^{pattern}$", re.IGNORECASE), build)


FORMS = (
    _form(
        "plan",
        "plan <use case> for <segment> budget <amount> [limit <n>]",
        "plan a campaign and preview it",
        rf"plan (?:an? )?{_USE_CASE} (?:campaign )?for (?P<segment>[\w-]+) (?:with )?budget "
        r"(?P<budget>\$?\d[\d,]*(?:\.\d+)?k?)(?: limit (?P<limit>\d+))?",
        lambda m: Command(
            "plan_campaign",
            {
                "use_case": _use_case(m["use_case"]),
                "segment": m["segment"].lower(),
                "budget": _amount(m["budget"]),
                **({"limit": int(m["limit"])} if m["limit"] else {}),
            },
        ),
    ),
    _form(
        "confirm",
        "confirm",
        "execute the planned campaign",
        r"confirm(?: campaign)?(?: (?P<id>[0-9a-f]{6,}))?",
        lambda m: Command("confirm_campaign", {"campaign_id": m["id"]} if m["id"] else {}),
    ),
    _form(
        "cancel",
        "cancel",
        "drop the planned campaign",
        r"cancel(?: campaign)?",
        lambda m: Command("cancel_campaign", {}),
    ),
    _form(
        "offer",
        "offer for member <id> [for <use case>]",
        "what we would offer a member now, and why (dry run)",
        rf"(?:what would you )?offer (?:for |to )?member (?P<member>[\w:.-]+)(?: now)?(?: (?:for|in) {_USE_CASE})?",
        lambda m: Command(
            "offer_for_member",
            {"member": m["member"], **({"use_case": _use_case(m["use_case"])} if m["use_case"] else {})},
        ),
    ),
    _form(
        "explain",
        "explain <trace id>",
        "explain a past decision from the decision log",
        r"explain (?:decision )?(?P<trace>[\w-]{4,64})",
        lambda m: Command("explain_decision", {"trace_id": m["trace"]}),
    ),
    _form(
        "segment",
        "segment <segment id>",
        "show a segment",
        r"(?:show )?segment (?P<segment>[\w-]+)",
        lambda m: Command("show_segment", {"segment": m["segment"].lower()}),
    ),
    _form(
        "rejections",
        "rejections [<n>]",
        "the guard's recent rejections, by rule",
        r"(?:show )?(?:guard )?rejections(?: (?P<limit>\d+))?",
        lambda m: Command("guard_rejections", {"limit": int(m["limit"])} if m["limit"] else {}),
    ),
    _form(
        "reviews",
        "reviews",
        "the human review queue",
        r"(?:show |list )?(?:the )?(?:human )?reviews?(?: queue)?",
        lambda m: Command("review_queue", {}),
    ),
    _form(
        "approve",
        "approve review <id>",
        "approve a queued proposal (it is then queued for delivery)",
        r"approve review (?P<id>\d+)",
        lambda m: Command("decide_review", {"review_id": int(m["id"]), "approve": True}),
    ),
    _form(
        "reject",
        "reject review <id>",
        "reject a queued proposal",
        r"reject review (?P<id>\d+)",
        lambda m: Command("decide_review", {"review_id": int(m["id"]), "approve": False}),
    ),
    _form(
        "dead",
        "dead letters [<n>]",
        "messages no consented channel could deliver, with why",
        r"(?:show |list )?(?:the )?dead[- ]?letters?(?: list)?(?: (?P<limit>\d+))?",
        lambda m: Command("dead_letters", {"limit": int(m["limit"])} if m["limit"] else {}),
    ),
    _form(
        "pause",
        "pause <use case>",
        "stop a use case's sends (its budget pays nothing)",
        rf"pause {_USE_CASE}",
        lambda m: Command("pause_use_case", {"use_case": _use_case(m["use_case"])}),
    ),
    _form(
        "resume",
        "resume <use case>",
        "restart a paused use case",
        rf"resume {_USE_CASE}",
        lambda m: Command("resume_use_case", {"use_case": _use_case(m["use_case"])}),
    ),
    _form("help", "help", "this list", r"help|\?", lambda m: Help(HELP)),
)

HELP: str = "I understand these requests:\n" + "\n".join(f"  {f.usage:<58} {f.meaning}" for f in FORMS)


def parse(text: str) -> Command | Help | Unsupported:
    words = " ".join(text.split()).rstrip(".!?") or "?"
    for form in FORMS:
        if match := form.pattern.match(words):
            return form.build(match.groupdict())
    verb = words.split(" ", 1)[0].lower()
    for form in FORMS:
        if form.verb == verb:
            return Unsupported(f"I can't read that as a request to {form.meaning}; say it as: {form.usage}")
    return Unsupported(f"I can't do that: {text.strip()[:120]!r} is not a request I know.\n{HELP}")
