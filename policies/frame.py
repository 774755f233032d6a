"""A batch of (proposal, context) pairs laid out as columns, built once per check.

Rules compare whole columns with numpy instead of looping over proposals. The per-member lists
(segments, offer categories and SKUs, recent contacts) are flattened into long columns with a
`row` column pointing back at their proposal, so "any contact on the same channel within 16 h"
is one vectorised comparison plus a per-row reduction.

Only what cannot be vectorised is done here, once per proposal: reading the pydantic models and
converting the send time to the member's local wall-clock time.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from policies.context import RuleContext
from policies.model import Valuation
from policies.offer_value import OfferEconomics, OfferTerms, value_offers
from policies.proposal import Offer, OfferProposal, offer_fingerprint

Rows = NDArray[np.intp]
Strings = NDArray[np.str_]
Times = NDArray[np.datetime64]

_TIME_UNIT = "datetime64[us]"


def _times(values: list[datetime]) -> Times:
    # numpy refuses time-zone-aware datetimes; every time in the models is already UTC.
    return np.array([value.replace(tzinfo=None) for value in values], dtype=_TIME_UNIT)


def _strings(values: list[str]) -> Strings:
    return np.array(values, dtype=np.str_)


def _rows(values: list[int]) -> Rows:
    return np.array(values, dtype=np.intp)


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelColumns:
    row: Rows
    label: Strings


@dataclass(frozen=True, slots=True, kw_only=True)
class SkuColumns:
    """The offer's SKUs and gift SKU, with the context's facts; unknown SKUs have `known` false."""

    row: Rows
    sku: Strings
    is_gift: NDArray[np.bool_]
    known: NDArray[np.bool_]
    available: NDArray[np.int64]
    full_price: NDArray[np.bool_]
    price: NDArray[np.float64]
    unit_cost: NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactColumns:
    row: Rows
    channel: Strings
    sent_at: Times
    fingerprint: Strings
    use_case: Strings


@dataclass(frozen=True, slots=True, kw_only=True)
class Frame:
    size: int
    channel: Strings
    use_case: Strings
    tier: Strings
    sequence_step: NDArray[np.int64]
    now: Times
    send_at: Times
    valid_from: Times
    valid_until: Times
    time_zone: Strings
    local_seconds: NDArray[np.int64]  # send_at as seconds after local midnight
    text: tuple[str, ...]  # message text as a text-only channel delivers it
    fingerprint: Strings  # offer fingerprint
    has_consent: NDArray[np.bool_]  # for the proposal's channel
    opted_out: NDArray[np.bool_]  # from the proposal's channel
    consecutive_ignored: NDArray[np.int64]
    profile_stale: NDArray[np.bool_]
    data_age_hours: NDArray[np.float64]
    budget_remaining: NDArray[np.float64]
    postcode_group: Strings  # "" where unknown
    demographic_group: Strings  # "" where unknown
    terms: OfferTerms
    economics: OfferEconomics
    segments: LabelColumns
    categories: LabelColumns  # the offer's categories and its SKUs' categories
    skus: SkuColumns
    contacts: ContactColumns


def build_frame(
    proposals: Sequence[OfferProposal], contexts: Sequence[RuleContext], valuation: Valuation
) -> Frame:
    pairs = _paired(proposals, contexts)
    skus = _sku_columns(pairs)
    terms = _offer_terms(pairs, skus)
    return Frame(
        size=len(pairs),
        channel=_strings([p.channel for p in proposals]),
        use_case=_strings([p.use_case for p in proposals]),
        tier=_strings([c.tier for c in contexts]),
        sequence_step=np.array([p.sequence_step for p in proposals], dtype=np.int64),
        now=_times([c.now for c in contexts]),
        send_at=_times([p.send_at for p in proposals]),
        valid_from=_times([p.valid_from for p in proposals]),
        valid_until=_times([p.valid_until for p in proposals]),
        time_zone=_strings([c.time_zone for c in contexts]),
        local_seconds=np.array([_local_seconds(p, c) for p, c in pairs], dtype=np.int64),
        text=tuple(p.message.text for p in proposals),
        fingerprint=_strings([offer_fingerprint(p.offer) for p in proposals]),
        has_consent=np.array([c.consents.get(p.channel, False) for p, c in pairs], dtype=np.bool_),
        opted_out=np.array([p.channel in c.opted_out for p, c in pairs], dtype=np.bool_),
        consecutive_ignored=np.array([c.consecutive_ignored for c in contexts], dtype=np.int64),
        profile_stale=np.array([c.profile_stale for c in contexts], dtype=np.bool_),
        data_age_hours=np.array([c.data_age_hours for c in contexts], dtype=np.float64),
        budget_remaining=np.array([c.budget_remaining for c in contexts], dtype=np.float64),
        postcode_group=_strings([c.postcode_group or "" for c in contexts]),
        demographic_group=_strings([c.demographic_group or "" for c in contexts]),
        terms=terms,
        economics=value_offers(terms, valuation),
        segments=_labels(
            [(row, segment) for row, c in enumerate(contexts) for segment in sorted(c.segments)]
        ),
        categories=_labels(
            [(row, category) for row, pair in enumerate(pairs) for category in _categories(*pair)]
        ),
        skus=skus,
        contacts=_contact_columns(contexts),
    )


def _paired(
    proposals: Sequence[OfferProposal], contexts: Sequence[RuleContext]
) -> list[tuple[OfferProposal, RuleContext]]:
    if len(proposals) != len(contexts):
        raise ValueError(f"{len(proposals)} proposals but {len(contexts)} contexts")
    for index, (proposal, context) in enumerate(zip(proposals, contexts, strict=True)):
        if proposal.customer_id != context.customer_id:
            raise ValueError(
                f"proposal {index} is for customer {proposal.customer_id} "
                f"but its context is for customer {context.customer_id}"
            )
    return list(zip(proposals, contexts, strict=True))


def _local_seconds(proposal: OfferProposal, context: RuleContext) -> int:
    local = proposal.send_at.astimezone(ZoneInfo(context.time_zone))
    return local.hour * 3600 + local.minute * 60 + local.second


def _categories(proposal: OfferProposal, context: RuleContext) -> list[str]:
    """The offer's own categories and those of the SKUs it discounts (a gift is not discounted)."""
    categories = set(proposal.offer.categories)
    for sku in proposal.offer.skus:
        facts = context.skus.get(sku)
        if facts is not None and facts.category is not None:
            categories.add(facts.category)
    return sorted(categories)


def _labels(entries: list[tuple[int, str]]) -> LabelColumns:
    return LabelColumns(
        row=_rows([row for row, _ in entries]), label=_strings([label for _, label in entries])
    )


def _offered_skus(offer: Offer) -> list[tuple[str, bool]]:
    """(sku, is_gift) for every product the offer names."""
    offered = [(sku, False) for sku in offer.skus]
    if offer.gift_sku is not None:
        offered.append((offer.gift_sku, True))
    return offered


def _sku_columns(pairs: list[tuple[OfferProposal, RuleContext]]) -> SkuColumns:
    entries = [
        (row, sku, is_gift, context.skus.get(sku))
        for row, (proposal, context) in enumerate(pairs)
        for sku, is_gift in _offered_skus(proposal.offer)
    ]
    facts = [f for _, _, _, f in entries]
    return SkuColumns(
        row=_rows([row for row, _, _, _ in entries]),
        sku=_strings([sku for _, sku, _, _ in entries]),
        is_gift=np.array([is_gift for _, _, is_gift, _ in entries], dtype=np.bool_),
        known=np.array([f is not None for f in facts], dtype=np.bool_),
        available=np.array([0 if f is None else f.available_units for f in facts], dtype=np.int64),
        full_price=np.array([f is not None and f.full_price for f in facts], dtype=np.bool_),
        price=np.array([0.0 if f is None else f.price for f in facts], dtype=np.float64),
        unit_cost=np.array([0.0 if f is None else f.unit_cost for f in facts], dtype=np.float64),
    )


def _offer_terms(pairs: list[tuple[OfferProposal, RuleContext]], skus: SkuColumns) -> OfferTerms:
    offers = [proposal.offer for proposal, _ in pairs]
    priced = skus.known & ~skus.is_gift
    return OfferTerms(
        offer_type=_strings([offer.type for offer in offers]),
        discount_pct=_optional_floats([offer.discount_pct for offer in offers]),
        amount_off=_optional_floats([offer.amount_off for offer in offers]),
        points_multiplier=_optional_floats([offer.points_multiplier for offer in offers]),
        bonus_points=np.array([offer.bonus_points or 0 for offer in offers], dtype=np.float64),
        free_shipping=np.array([offer.free_shipping for offer in offers], dtype=np.bool_),
        min_spend=np.array([offer.min_spend or 0.0 for offer in offers], dtype=np.float64),
        sku_list_value=_sum_per_row(len(pairs), skus.row[priced], skus.price[priced]),
        gift_cost=_sum_per_row(len(pairs), skus.row[skus.is_gift], skus.unit_cost[skus.is_gift]),
        stated_cost=np.array([proposal.estimated_cost for proposal, _ in pairs], dtype=np.float64),
        basket_value=np.array([context.expected_basket_value for _, context in pairs], dtype=np.float64),
        basket_margin=np.array([context.expected_basket_margin for _, context in pairs], dtype=np.float64),
    )


def _contact_columns(contexts: Sequence[RuleContext]) -> ContactColumns:
    entries = [(row, contact) for row, context in enumerate(contexts) for contact in context.recent_contacts]
    return ContactColumns(
        row=_rows([row for row, _ in entries]),
        channel=_strings([contact.channel for _, contact in entries]),
        sent_at=_times([contact.sent_at for _, contact in entries]),
        fingerprint=_strings([contact.offer_fingerprint for _, contact in entries]),
        use_case=_strings([contact.use_case for _, contact in entries]),
    )


def _sum_per_row(size: int, rows: Rows, values: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.bincount(rows, weights=values, minlength=size).astype(np.float64)


def _optional_floats(values: list[float | None]) -> NDArray[np.float64]:
    return np.array([np.nan if value is None else value for value in values], dtype=np.float64)
