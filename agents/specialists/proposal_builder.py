"""Turning a scored candidate and a member's profile into an offer proposal with copy.

The candidate comes from the offers server's `score_candidate_actions`; the copy from the template
writer. Only observed, non-sensitive profile fields are used: first name, a category, a product.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from agents.copywriting import CopyBrief, write
from policies.vocabulary import Channel, OfferType, Tone, UseCase

PREMIUM_SEGMENTS = {"full_price_buyer", "high_frequency_high_value", "low_frequency_high_value"}
PLAYFUL_SEGMENTS = {"app_native", "new_member"}


def choose_tone(profile: dict[str, Any]) -> Tone:
    segments = set(profile.get("segments") or [])
    if profile.get("tier") in ("gold", "platinum") or segments & PREMIUM_SEGMENTS:
        return Tone.PREMIUM
    if segments & PLAYFUL_SEGMENTS:
        return Tone.PLAYFUL
    return Tone.WARM


def offer_value_text(candidate: dict[str, Any]) -> str:
    kind = OfferType(candidate["offer_type"])
    if kind in (OfferType.PERCENT_OFF, OfferType.BUNDLE) and candidate.get("discount_pct"):
        return f"{candidate['discount_pct']:g}%"
    if kind is OfferType.AMOUNT_OFF:
        return f"${candidate['amount_off']:g}"
    if kind is OfferType.POINTS_MULTIPLIER:
        return f"{candidate['points_multiplier']:g}x"
    if kind is OfferType.BONUS_POINTS:
        return f"{candidate['bonus_points']:,}"
    return ""


def build_proposal(
    candidate: dict[str, Any], profile: dict[str, Any], scoring: dict[str, Any], use_case: UseCase
) -> dict[str, Any]:
    channel = Channel(candidate["channel"])
    # The profile nests them (`get_member_profile`): tier under loyalty, the time zone under
    # demographics, the first name with the contact details.
    tone = choose_tone(
        {"tier": (profile.get("loyalty") or {}).get("tier"), "segments": profile.get("segments")}
    )
    zone = ZoneInfo((profile.get("demographics") or {}).get("time_zone") or "UTC")
    valid_until = datetime.fromisoformat(candidate["valid_until"])
    anchor = scoring.get("anchor") or {}
    copy = write(
        CopyBrief(
            use_case=use_case,
            channel=channel,
            tone=tone,
            offer_type=OfferType(candidate["offer_type"]),
            offer_value=offer_value_text(candidate),
            valid_until=valid_until.astimezone(zone),
            # The profile keeps it with the contact details (unmasked: it is the one detail copy uses).
            first_name=(profile.get("contact") or {}).get("first_name"),
            category=anchor.get("category"),
            product=anchor.get("product"),
            opt_out_text=scoring.get("sms_opt_out_text", "Reply STOP to opt out"),
            replenishment=bool(anchor.get("replenishment_due")),
        )
    )
    offer = {
        key: candidate[key]
        for key in ("discount_pct", "amount_off", "points_multiplier", "bonus_points")
        if candidate.get(key)
    }
    if candidate.get("free_shipping"):
        offer["free_shipping"] = True
    message = {"tone": tone.value, "body": copy.body}
    if copy.subject and channel is not Channel.SMS:
        message["subject"] = copy.subject
    if copy.cta:
        message["cta"] = copy.cta
    return {
        "customer_id": profile["customer_id"],
        "use_case": use_case.value,
        "channel": channel.value,
        "send_at": candidate["send_at"],
        "valid_from": candidate["send_at"],
        "valid_until": candidate["valid_until"],
        "offer": {
            "type": candidate["offer_type"],
            **offer,
            "skus": candidate.get("skus", []),
            "categories": candidate.get("categories", []),
        },
        "message": message,
        "sequence_step": int(scoring.get("sequence_step", 1)),
        "rationale": candidate["rationale"],
        "value": {
            "propensity": candidate["propensity"],
            "uplift": candidate["uplift"],
            "expected_margin": candidate["expected_margin"],
            "cost": candidate["cost"],
            "fatigue_penalty": candidate["fatigue_penalty"],
            "expected_value": candidate["value"],
        },
        "estimated_cost": candidate["cost_if_redeemed"],
    }
