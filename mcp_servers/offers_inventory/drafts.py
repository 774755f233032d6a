"""A scored candidate as a complete offer proposal, so a client never assembles its fields.

The copy is plain and factual — what the offer is and until when, and for SMS the opt-out text —
so the draft passes the rules as it stands; a specialist replaces `message` with its own words.
"""

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from policies.proposal import Message, Offer, OfferProposal, ValueEstimate
from policies.vocabulary import Channel, OfferType, Tone, UseCase


def _what(candidate: dict[str, Any]) -> str:
    kind = OfferType(candidate["offer_type"])
    scope = ", ".join(candidate.get("categories") or []) or "your next order"
    if kind in (OfferType.PERCENT_OFF, OfferType.BUNDLE) and candidate.get("discount_pct"):
        return f"{candidate['discount_pct']:g}% off {scope}"
    if kind is OfferType.AMOUNT_OFF:
        return f"{candidate['amount_off']:g} off {scope}"
    if kind is OfferType.POINTS_MULTIPLIER:
        return f"{candidate['points_multiplier']:g}x points on {scope}"
    if kind is OfferType.BONUS_POINTS:
        return f"{candidate['bonus_points']:,} bonus points on {scope}"
    if kind is OfferType.FREE_SHIPPING:
        return "free shipping on your next order"
    return f"something for you on {scope}"


def draft_proposal(
    candidate: dict[str, Any], customer_id: int, use_case: UseCase, sequence_step: int, sms_opt_out_text: str
) -> OfferProposal | None:
    """The candidate as a proposal, or None for doing nothing (or an action the proposal cannot
    express, which the rules would refuse anyway)."""
    if candidate["do_nothing"] or candidate.get("channel") is None:
        return None
    channel = Channel(candidate["channel"])
    send_at = datetime.fromisoformat(candidate["send_at"])
    valid_until = datetime.fromisoformat(candidate["valid_until"])
    body = f"{_what(candidate)[:1].upper()}{_what(candidate)[1:]}, until {valid_until:%d %B}."
    if channel is Channel.SMS:
        body = f"{body} {sms_opt_out_text}"
    values = {
        key: candidate[key]
        for key in ("discount_pct", "amount_off", "points_multiplier", "bonus_points")
        if candidate.get(key)
    }
    try:
        return OfferProposal(
            customer_id=customer_id,
            use_case=use_case,
            channel=channel,
            send_at=send_at,
            valid_from=send_at,
            valid_until=valid_until,
            sequence_step=sequence_step,
            rationale=candidate["rationale"],
            offer=Offer(
                type=OfferType(candidate["offer_type"]),
                free_shipping=bool(candidate.get("free_shipping")),
                skus=tuple(candidate.get("skus") or ()),
                categories=tuple(candidate.get("categories") or ()),
                **values,
            ),
            message=Message(
                tone=Tone.WARM, body=body, subject=None if channel is Channel.SMS else "An offer for you"
            ),
            value=ValueEstimate(
                propensity=candidate["propensity"],
                uplift=candidate["uplift"],
                expected_margin=candidate["expected_margin"],
                cost=candidate["cost"],
                fatigue_penalty=candidate["fatigue_penalty"],
                expected_value=candidate["value"],
            ),
            estimated_cost=candidate["cost_if_redeemed"],
        )
    except ValidationError:
        return None
