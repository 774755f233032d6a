"""Evaluators: small typed functions, each judging one expected property of a decision.

Each takes the expected value and what was `Seen`, and returns a `Check` — passed or not, and why,
in words a CRM analyst can act on. Message properties are judged on what reached the member or the
review queue; when nothing did, they do not apply (the `decision` evaluator says whether that was
right). `evaluate` runs the evaluators a case's expectations name, plus `completed` always.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from evals.harness.decision import Decision
from evals.harness.run_results import Check
from evals.harness.suite import CopyRules, Expectations, GuardOutcome
from policies.proposal import Offer, OfferProposal
from policies.vocabulary import Channel, OfferType, UseCase

ACTED = ("sent", "review")  # a message went out or waits for a person to approve it
HELD_BACK = ("nothing", "rejected", "refused")  # nothing reached the member
TIMELESS_CHANNELS = (Channel.IN_STORE,)  # shown when the member shops: no send hour to judge
PASSIVE_CHANNELS = (Channel.IN_APP, Channel.IN_STORE)  # seen when the member looks: no quiet hours


@dataclass(frozen=True)
class Seen:
    """A decision and the facts about its case an evaluator may need."""

    decision: Decision
    time_zone: str
    quiet_hours: tuple[int, int]  # the member's local [start, end)
    basket_value: float | None  # what an order-level amount-off applies to
    sku_prices: Mapping[str, float]

    @property
    def message(self) -> OfferProposal | None:
        """The proposal that reached the member or the review queue, if any."""
        return self.decision.proposal if self.decision.outcome in ACTED else None

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.time_zone))


def _ok(name: str, reason: str) -> Check:
    return Check(evaluator=name, passed=True, reason=reason)


def _fail(name: str, reason: str) -> Check:
    return Check(evaluator=name, passed=False, reason=reason)


def _not_applicable(name: str, seen: Seen) -> Check:
    return Check(
        evaluator=name,
        passed=True,
        applicable=False,
        reason=f"nothing reached the member ({seen.decision.outcome}): no message to judge",
    )


def completed(seen: Seen) -> Check:
    """The run finished on its own, undegraded, its answer names what actually happened, and
    nothing the guard approved was then refused at the channels server (the two disagree)."""
    d, name = seen.decision, "completed"
    if d.termination != "completed":
        return _fail(name, f"the run ended with {d.termination}, not an answer")
    if d.degraded:
        return _fail(name, "a fallback model answered (degraded)")
    if d.stated != d.outcome:
        return _fail(name, f"the answer says {d.stated!r} but the run shows {d.outcome!r}")
    if d.outcome == "refused":
        return _fail(name, f"the guard approved a proposal the channels server then refused: {d.refusal}")
    return _ok(
        name, f"answered {d.outcome!r} in {d.model_requests} model calls and {d.tool_calls} tool calls"
    )


def use_case(expected: UseCase, seen: Seen) -> Check:
    got = seen.decision.proposal.use_case.value if seen.decision.proposal else seen.decision.use_case
    if got == expected.value:
        return _ok("use_case", f"handled as {got}")
    return _fail("use_case", f"handled as {got}, expected {expected.value}")


def decision(expected: str, seen: Seen) -> Check:
    d = seen.decision
    summary = f"{d.outcome}: {d.detail or 'no reason given'}"
    if expected == "act":
        return (_ok if d.outcome in ACTED else _fail)("decision", summary)
    if d.outcome == "rejected":
        return _ok(
            "decision",
            f"nothing reached the member, but only because the guard rejected the specialist's "
            f"proposal ({d.detail})",
        )
    return (_ok if d.outcome in HELD_BACK else _fail)("decision", summary)


def channel_in(expected: tuple[Channel, ...], seen: Seen) -> Check:
    message = seen.message
    if message is None:
        return _not_applicable("channel_in", seen)
    allowed = ", ".join(c.value for c in expected)
    return (_ok if message.channel in expected else _fail)(
        "channel_in", f"{message.channel.value} (allowed: {allowed})"
    )


def offer_type_in(expected: tuple[OfferType, ...], seen: Seen) -> Check:
    message = seen.message
    if message is None:
        return _not_applicable("offer_type_in", seen)
    allowed = ", ".join(t.value for t in expected)
    return (_ok if message.offer.type in expected else _fail)(
        "offer_type_in", f"{describe_offer(message.offer)} (allowed: {allowed})"
    )


def discount_depth(offer: Offer, sku_prices: Mapping[str, float], basket: float | None) -> float | None:
    """The price cut as a percentage of what it applies to (None when that is unknown); points,
    free shipping, access and gifts are not price cuts."""
    if offer.type in (OfferType.PERCENT_OFF, OfferType.BUNDLE):
        return offer.discount_pct or 0.0
    if offer.type is not OfferType.AMOUNT_OFF or offer.amount_off is None:
        return 0.0
    if offer.skus and all(sku in sku_prices for sku in offer.skus):
        base: float | None = sum(sku_prices[sku] for sku in offer.skus)
    else:
        base = basket
    if base is None:
        return None
    base = max(base, offer.min_spend or 0.0)
    return round(100.0 * min(offer.amount_off, base) / base, 2) if base > 0 else None


def _depth_check(name: str, seen: Seen, passes: Callable[[float], bool], bound: str) -> Check:
    message = seen.message
    if message is None:
        return _not_applicable(name, seen)
    depth = discount_depth(message.offer, seen.sku_prices, seen.basket_value)
    if depth is None:
        return _fail(name, f"{describe_offer(message.offer)}: cannot tell what it applies to")
    return (_ok if passes(depth) else _fail)(
        name, f"{describe_offer(message.offer)} is a {depth:g}% cut ({bound})"
    )


def discount_at_most(expected: float, seen: Seen) -> Check:
    return _depth_check(
        "discount_at_most", seen, lambda depth: depth <= expected + 1e-9, f"at most {expected:g}%"
    )


def discount_at_least(expected: float, seen: Seen) -> Check:
    return _depth_check(
        "discount_at_least", seen, lambda depth: depth >= expected - 1e-9, f"at least {expected:g}%"
    )


def validity_hours(expected: tuple[float, float], seen: Seen) -> Check:
    message = seen.message
    if message is None:
        return _not_applicable("validity_hours", seen)
    usable = (message.valid_until - max(message.send_at, message.valid_from)).total_seconds() / 3600
    low, high = expected
    return (_ok if low <= usable <= high else _fail)(
        "validity_hours", f"usable for {usable:.1f} h after it arrives (expected {low:g}-{high:g} h)"
    )


def _in_quiet_hours(hour: int, quiet: tuple[int, int]) -> bool:
    start, end = quiet
    return start <= hour or hour < end if start > end else start <= hour < end


def send_in_member_window(seen: Seen) -> Check:
    message, name = seen.message, "send_in_member_window"
    if message is None:
        return _not_applicable(name, seen)
    if message.channel in PASSIVE_CHANNELS:
        return Check(
            evaluator=name,
            passed=True,
            applicable=False,
            reason=f"{message.channel.value} is seen when the member looks: no quiet hours",
        )
    local = seen.local(message.send_at)
    start, end = seen.quiet_hours
    inside = not _in_quiet_hours(local.hour, seen.quiet_hours)
    return (_ok if inside else _fail)(
        name,
        f"{message.channel.value} at {local:%a %H:%M} local ({seen.time_zone}); the member's quiet hours "
        f"are {start:02d}:00-{end:02d}:00",
    )


def send_hour_near(expected: int, tolerance: int, seen: Seen) -> Check:
    message, name = seen.message, "send_hour_near"
    if message is None:
        return _not_applicable(name, seen)
    if message.channel in TIMELESS_CHANNELS:
        return Check(
            evaluator=name, passed=True, applicable=False, reason="in-store: shown when the member shops"
        )
    local = seen.local(message.send_at)
    distance = min((local.hour - expected) % 24, (expected - local.hour) % 24)
    return (_ok if distance <= tolerance else _fail)(
        name, f"sent at {local:%H:%M} local; the member's usual hour is {expected:02d}:00 (±{tolerance} h)"
    )


def copy_rules(expected: CopyRules, seen: Seen) -> Check:
    message, name = seen.message, "copy"
    if message is None:
        return _not_applicable(name, seen)
    delivered = message.message.text
    everything = " ".join(p for p in (message.message.subject, delivered) if p)
    lowered = everything.lower()
    problems = []
    if expected.max_length is not None and len(delivered) > expected.max_length:
        problems.append(f"{len(delivered)} characters (max {expected.max_length})")
    problems += [f"lacks {word!r}" for word in expected.must_contain if word.lower() not in lowered]
    if expected.must_contain_any and not any(word.lower() in lowered for word in expected.must_contain_any):
        problems.append(f"names none of {list(expected.must_contain_any)}")
    problems += [f"contains {word!r}" for word in expected.must_not_contain if word.lower() in lowered]
    quoted = everything if len(everything) <= 160 else everything[:157] + "..."
    return (
        _fail(name, "; ".join(problems) + f" in: {quoted!r}")
        if problems
        else _ok(name, f"{len(delivered)} characters: {quoted!r}")
    )


def reason_mentions_any(expected: tuple[str, ...], seen: Seen) -> Check:
    detail = seen.decision.detail
    found = [word for word in expected if word.lower() in detail.lower()]
    return (_ok if found else _fail)("reason_mentions_any", f"reason: {detail or '(none given)'!r}")


def guard_in(expected: tuple[GuardOutcome, ...], seen: Seen) -> Check:
    guard = seen.decision.guard
    label = guard.label if guard is not None else "not_reviewed"
    why = f" ({'; '.join(guard.reasons)})" if guard is not None else ""
    return (_ok if label in expected else _fail)("guard_in", f"{label}{why}; expected {', '.join(expected)}")


def no_rule_violations(seen: Seen) -> Check:
    d, name = seen.decision, "no_rule_violations"
    message = seen.message
    if message is None:
        return _not_applicable(name, seen)
    if not d.content_checked:
        return _fail(name, "the rules server never checked the exact content that went out")
    allowed = ("warn", "review") if d.outcome == "review" else ("warn",)
    broken = [f"{v.rule_id} ({v.severity}): {v.message}" for v in d.violations if v.severity not in allowed]
    if broken:
        return _fail(name, "; ".join(broken))
    return _ok(name, "the rules server found nothing blocking in what went out")


def describe_offer(offer: Offer) -> str:
    value = {
        OfferType.PERCENT_OFF: f"{offer.discount_pct:g}% off" if offer.discount_pct else "",
        OfferType.AMOUNT_OFF: f"${offer.amount_off:g} off" if offer.amount_off else "",
        OfferType.POINTS_MULTIPLIER: f"{offer.points_multiplier:g}x points"
        if offer.points_multiplier
        else "",
        OfferType.BONUS_POINTS: f"{offer.bonus_points} bonus points" if offer.bonus_points else "",
        OfferType.BUNDLE: f"bundle of {len(offer.skus)}"
        + (f" at {offer.discount_pct:g}% off" if offer.discount_pct else ""),
    }.get(offer.type, "")
    return f"{offer.type.value}" + (f" ({value})" if value else "")


def evaluate(expect: Expectations, seen: Seen) -> tuple[Check, ...]:
    """Every check a case's expectations call for, `completed` first."""
    checks = [completed(seen)]
    stated: list[tuple[Any, Callable[[Any, Seen], Check]]] = [
        (expect.use_case, use_case),
        (expect.decision, decision),
        (expect.channel_in, channel_in),
        (expect.offer_type_in, offer_type_in),
        (expect.discount_at_most, discount_at_most),
        (expect.discount_at_least, discount_at_least),
        (expect.validity_hours, validity_hours),
        (expect.copy_rules, copy_rules),
        (expect.reason_mentions_any or None, reason_mentions_any),
        (expect.guard_in, guard_in),
    ]
    checks += [judge(value, seen) for value, judge in stated if value is not None]
    if expect.send_in_member_window:
        checks.append(send_in_member_window(seen))
    if expect.send_hour_near is not None:
        checks.append(send_hour_near(expect.send_hour_near, expect.send_hour_tolerance, seen))
    if expect.no_rule_violations:
        checks.append(no_rule_violations(seen))
    return tuple(checks)
