"""The offer proposal: what a specialist proposes, the guard audits and the channels server sends.

One model for every layer, so what was checked is exactly what is sent. Validation is strict where
a loose reading would change the meaning: unknown fields are refused, numbers must be numbers (no
`"15"` or `true` standing in for 15), times must carry a time zone and are stored in UTC, strings
are bounded, and each offer type takes exactly the value fields that make sense for it.

Money is in the retailer's currency, as floats: the rules compare amounts with a small tolerance
rather than to the cent.
"""

import hashlib
import json
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from policies.fields import Label, Money, UtcDatetime
from policies.vocabulary import Channel, OfferType, Tone, UseCase

_MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

# Which value fields each offer type requires, and which it may add on; every other value field
# must be left unset, so an offer never carries a number nobody will honour.
_VALUE_FIELDS = (
    "discount_pct",
    "amount_off",
    "points_multiplier",
    "bonus_points",
    "gift_sku",
    "free_shipping",
)
_REQUIRED: dict[OfferType, frozenset[str]] = {
    OfferType.PERCENT_OFF: frozenset({"discount_pct"}),
    OfferType.AMOUNT_OFF: frozenset({"amount_off"}),
    OfferType.FREE_SHIPPING: frozenset({"free_shipping"}),
    OfferType.BONUS_POINTS: frozenset({"bonus_points"}),
    OfferType.POINTS_MULTIPLIER: frozenset({"points_multiplier"}),
    OfferType.GIFT: frozenset({"gift_sku"}),
}
_ADD_ONS: dict[OfferType, frozenset[str]] = {
    OfferType.PERCENT_OFF: frozenset({"free_shipping"}),
    OfferType.AMOUNT_OFF: frozenset({"free_shipping"}),
    OfferType.BUNDLE: frozenset({"discount_pct", "free_shipping"}),
}
# The fields a member actually receives; the content hash covers exactly these.
_SENT_FIELDS = frozenset(
    {"customer_id", "channel", "send_at", "valid_from", "valid_until", "offer", "message"}
)


class Offer(BaseModel):
    """The incentive. `skus` and `categories` scope it; an offer with neither applies to the order."""

    model_config = _MODEL_CONFIG

    type: OfferType
    discount_pct: Annotated[float, Strict(), Field(gt=0, le=100)] | None = None
    amount_off: Annotated[float, Strict(), Field(gt=0, le=100_000)] | None = None
    points_multiplier: Annotated[float, Strict(), Field(gt=1, le=10)] | None = None
    bonus_points: Annotated[int, Strict(), Field(gt=0, le=10_000_000)] | None = None
    gift_sku: Label | None = None  # the product given away with the order
    free_shipping: Annotated[bool, Strict()] = False  # the offer itself, or an add-on to a price offer
    skus: tuple[Label, ...] = Field(default=(), max_length=50)
    categories: tuple[Label, ...] = Field(default=(), max_length=20)
    min_spend: Money | None = None
    template_code: Label | None = None  # the retailer's coupon / template code, when one is issued

    @model_validator(mode="after")
    def _value_fields_fit_type(self) -> Self:
        given = {name for name in _VALUE_FIELDS if getattr(self, name) not in (None, False)}
        required = _REQUIRED.get(self.type, frozenset())
        if missing := sorted(required - given):
            raise ValueError(f"offer type '{self.type}' needs {', '.join(missing)}")
        if unexpected := sorted(given - required - _ADD_ONS.get(self.type, frozenset())):
            raise ValueError(f"offer type '{self.type}' does not take {', '.join(unexpected)}")
        if self.type is OfferType.BUNDLE and len(self.skus) < 2:
            raise ValueError("a bundle names at least two skus")
        if self.type is OfferType.NONE and self.min_spend is not None:
            raise ValueError("an offer of type 'none' has no minimum spend")
        for name in ("skus", "categories"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                raise ValueError(f"{name} are listed more than once")
        return self


class Message(BaseModel):
    model_config = _MODEL_CONFIG

    tone: Tone
    subject: str | None = Field(default=None, min_length=1, max_length=150)  # e-mail subject / push title
    body: str = Field(min_length=1, max_length=5_000)
    cta: str | None = Field(default=None, min_length=1, max_length=200)

    @property
    def text(self) -> str:
        """What a text-only channel delivers: the body, then the call to action on its own line."""
        return self.body if self.cta is None else f"{self.body}\n{self.cta}"


class ValueEstimate(BaseModel):
    """The scored terms of the action's value for this member, as a draft from scoring carries them."""

    model_config = _MODEL_CONFIG

    propensity: Annotated[float, Strict(), Field(ge=0, le=1)]  # P(buy | action)
    uplift: Annotated[float, Strict(), Field(ge=-1, le=1)]  # P(buy | action) − P(buy | nothing)
    expected_margin: Annotated[
        float, Strict(), Field(ge=-1_000_000, le=1_000_000)
    ]  # E[basket margin | action]
    cost: Money  # expected cost of the offer (redemption-weighted) plus contact cost
    fatigue_penalty: Money
    expected_value: Annotated[float, Strict(), Field(ge=-1_000_000, le=1_000_000)]  # value(a, c) of §5


class OfferProposal(BaseModel):
    model_config = _MODEL_CONFIG

    customer_id: Annotated[int, Strict(), Field(ge=1)]
    use_case: UseCase
    channel: Channel
    send_at: UtcDatetime
    valid_from: UtcDatetime
    valid_until: UtcDatetime
    offer: Offer
    message: Message
    sequence_step: Annotated[int, Strict(), Field(ge=1, le=10)] = 1  # position in a message sequence
    rationale: str = Field(min_length=1, max_length=2_000)
    value: ValueEstimate
    # Money the retailer gives away if the offer is redeemed on the expected order. The engine
    # never uses less than the offer's own face value, so understating it gains nothing.
    estimated_cost: Money

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        if self.channel is Channel.SMS and self.message.subject is not None:
            raise ValueError("an SMS has no subject")
        return self


def _sha256_of_json(payload: object) -> str:
    canonical = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_hash(proposal: OfferProposal) -> str:
    """SHA-256 of what the member receives: customer, channel, send time, validity, offer, message.

    An approval is bound to this hash, so any change of content needs a new approval, while the
    rationale and value estimate (never sent) can be annotated freely.
    """
    return _sha256_of_json(proposal.model_dump(mode="json", include=set(_SENT_FIELDS)))


def offer_fingerprint(offer: Offer) -> str:
    """SHA-256 identifying the incentive itself, whatever channel, copy or coupon code carries it.

    Two messages with the same fingerprint make the same offer; the duplicate rule compares these.
    """
    payload = offer.model_dump(mode="json", exclude={"template_code"})
    payload["skus"] = sorted(payload["skus"])
    payload["categories"] = sorted(payload["categories"])
    return _sha256_of_json(payload)
