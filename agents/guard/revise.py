"""Simple, mechanical fixes for blocking violations, so the guard can revise instead of reject.

Only fixes that keep the proposal's intent are made: a discount lowered to the stated maximum
(with the percentage in the copy), a send deferred to the suggested time (with the validity window
moving alongside), the required SMS opt-out text appended, the estimated cost raised to the face
value. Each reads the numbers from the violation's facts, never from the copy. A revision is a
candidate: the guard re-checks it with the rules server and revises only if it passes.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agents.guard.decision import GuardReason
from policies.proposal import OfferProposal
from policies.rule_ids import RuleId
from policies.violation import Violation

_DISCOUNT_RULES = frozenset(
    {RuleId.MAX_DISCOUNT_SEGMENT, RuleId.MAX_DISCOUNT_CATEGORY, RuleId.MAX_DISCOUNT_FULL_PRICE}
)
_DEFERRAL_RULES = frozenset({RuleId.QUIET_HOURS_LOCAL, RuleId.FREQUENCY_CHANNEL_GAP})
FIXABLE = _DISCOUNT_RULES | _DEFERRAL_RULES | {RuleId.SMS_OPT_OUT_TEXT, RuleId.COST_UNDERSTATED}
_MESSAGE_TEXT_FIELDS = ("subject", "body", "cta")


@dataclass(frozen=True)
class Revision:
    proposal: OfferProposal
    changes: tuple[GuardReason, ...]


class _CannotFix(Exception):
    pass


def revise(proposal: OfferProposal, blocking: Sequence[Violation]) -> Revision | None:
    """A corrected proposal fixing every blocking violation, or None when one has no simple fix."""
    if not blocking or any(v.rule_id not in FIXABLE for v in blocking):
        return None
    data = proposal.model_dump(mode="json")
    changes: list[GuardReason] = []
    discount = [v for v in blocking if v.rule_id in _DISCOUNT_RULES]
    deferral = [v for v in blocking if v.rule_id in _DEFERRAL_RULES]
    opt_out = next((v for v in blocking if v.rule_id is RuleId.SMS_OPT_OUT_TEXT), None)
    understated = next((v for v in blocking if v.rule_id is RuleId.COST_UNDERSTATED), None)
    try:
        if discount:
            changes.append(_lower_discount(data, discount))
        if deferral:
            changes.append(_defer(data, deferral))
        if opt_out is not None:
            changes.append(_append_opt_out(data, opt_out))
        if understated is not None:
            changes.append(_raise_cost(data, understated))
        return Revision(OfferProposal.model_validate(data), tuple(changes))
    except (_CannotFix, KeyError, TypeError, ValueError):  # ValueError covers pydantic's ValidationError
        return None


def _number(violation: Violation, fact: str) -> float:
    value = violation.facts[fact]
    if isinstance(value, str):
        raise _CannotFix(f"{violation.rule_id}: fact {fact} is not a number")
    return float(value)


def _lower_discount(data: dict[str, Any], violations: list[Violation]) -> GuardReason:
    if any(v.field != "offer.discount_pct" for v in violations):
        raise _CannotFix("only a percentage discount is lowered")  # an amount's depth needs the basket
    ceiling = min(_number(v, "max_pct") for v in violations)
    if ceiling <= 0:
        raise _CannotFix("no discount is allowed at all")
    old = float(data["offer"]["discount_pct"])
    data["offer"]["discount_pct"] = ceiling
    in_copy = re.compile(rf"(?<![\d.]){re.escape(f'{old:g}')}(?=\s*%)")
    message = data["message"]
    for name in _MESSAGE_TEXT_FIELDS:
        if message.get(name):
            message[name] = in_copy.sub(f"{ceiling:g}", message[name])
    rules = ", ".join(sorted({str(v.rule_id) for v in violations}))
    return GuardReason(
        code=str(violations[0].rule_id),
        field="offer.discount_pct",
        message=f"Revised: discount lowered from {old:g}% to {ceiling:g}%, in the copy too ({rules}).",
    )


def _defer(data: dict[str, Any], violations: list[Violation]) -> GuardReason:
    target = max(datetime.fromisoformat(str(v.facts["next_allowed"])) for v in violations)
    send_at = datetime.fromisoformat(data["send_at"])
    delay = target - send_at
    if delay.total_seconds() <= 0:
        raise _CannotFix("the suggested time is not later")
    for name in ("send_at", "valid_from", "valid_until"):
        data[name] = (datetime.fromisoformat(data[name]) + delay).isoformat()
    rules = ", ".join(sorted({str(v.rule_id) for v in violations}))
    return GuardReason(
        code=str(violations[0].rule_id),
        field="send_at",
        message=f"Revised: send deferred to {target.isoformat()} with the validity window ({rules}).",
    )


def _append_opt_out(data: dict[str, Any], violation: Violation) -> GuardReason:
    required = str(violation.facts["required_text"])
    data["message"]["body"] = f"{data['message']['body'].rstrip()} {required}"
    return GuardReason(
        code=str(violation.rule_id),
        field="message.body",
        message=f'Revised: appended the required opt-out text "{required}".',
    )


def _raise_cost(data: dict[str, Any], violation: Violation) -> GuardReason:
    face_value = math.ceil(_number(violation, "face_value") * 100) / 100
    data["estimated_cost"] = face_value
    return GuardReason(
        code=str(violation.rule_id),
        field="estimated_cost",
        message=f"Revised: estimated_cost raised to the offer's face value {face_value:.2f}.",
    )
