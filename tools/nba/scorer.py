"""Next-best-action value (DESIGN §5), for one member or a whole campaign at once.

    value(a, c) = (P(buy | a, c) − P(buy | nothing, c)) · (margin + lasting)
                − P(redeem | a, c) · cost_if_redeemed − contact cost − fatigue penalty

`lasting`: what a caused order is worth beyond its basket — from a lapsed member, the part of their
rhythm a return restores (`tools.nba.winback`), whatever the message is about; 0 for the rest.

Members who would have bought anyway while the offer is valid still redeem it if they see it: that
is the cannibalisation the subtraction of the do-nothing term and the redemption-weighted cost
capture. An offer valid for three days is redeemed by members who would have bought within those
three days, not within the whole horizon the message is judged over.
Every array here is (members × candidates); one member is a batch of one.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from policies.model import Valuation
from policies.vocabulary import Channel, OfferType, UseCase
from tools.nba.levers import DO_NOTHING, LEVERS, Lever
from tools.nba.response import (
    CONTACT_COST,
    INTRUSIVENESS,
    REACH_PRIOR_WEIGHT,
    LearnedLift,
    ResponsePriors,
    shrunk_reach,
)
from tools.nba.response_fit import ResponseRates
from tools.nba.uplift import POOLED

CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PUSH, Channel.IN_APP)
MAX_CANDIDATES = 50


@dataclass(frozen=True)
class MemberBatch:
    """Observed signals for n members, one array entry each (never hidden traits)."""

    customer_id: np.ndarray
    p_buy_anyway: np.ndarray  # P(buy within the action's horizon | nothing)
    basket_value: np.ndarray  # the cart, or the member's typical order
    margin_rate: np.ndarray  # gross margin share of that basket at full price
    price_sensitivity: np.ndarray  # 0..1, share of spend on discount or coupon
    full_price_buyer: np.ndarray  # bool
    clv_365: np.ndarray
    recent_contacts_7d: np.ndarray
    consecutive_ignored: np.ndarray
    opens: dict[Channel, np.ndarray]
    sends: dict[Channel, np.ndarray]
    reachable: dict[Channel, np.ndarray]  # consent given, not opted out
    churn_risk: np.ndarray | None = None  # P(no purchase in the churn horizon); None: no retention value
    competitor_discount_pct: np.ndarray | None = None  # a rival's promotion on the member's category
    reach_prior: dict[Channel, np.ndarray] = field(default_factory=dict)  # per-member priors, where known
    clicks: dict[Channel, np.ndarray] = field(default_factory=dict)  # per channel, where known
    # How much likelier than their usual rate the member is to buy what the message is about now
    # (1: no moment known): a regular purchase coming due (`tools.nba.member_scoring.moment_intent`).
    intent: np.ndarray | None = None
    # The member's rhythm, for what winning them back is worth (`tools.nba.winback`): days since
    # their last order and their median days between purchase days (NaN: unknown).
    days_since_order: np.ndarray | None = None
    median_gap_days: np.ndarray | None = None
    # P(buy while the offer is valid | nothing): only such orders can carry it (None: the horizon's)
    p_buy_while_valid: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.customer_id)


@dataclass(frozen=True)
class Candidate:
    lever: Lever
    channel: Channel | None  # None for do nothing


@dataclass(frozen=True)
class Scores:
    candidates: list[Candidate]
    propensity: np.ndarray  # P(buy | action)
    uplift: np.ndarray  # over doing nothing
    expected_margin: np.ndarray  # P(buy) · (basket margin + retained future margin), before the offer's cost
    cost: np.ndarray  # expected: redemption-weighted offer cost + contact cost
    cost_if_redeemed: np.ndarray  # face value of the offer on the expected order
    redeem: np.ndarray  # P(redeem | action): who pays the offer's cost
    fatigue_penalty: np.ndarray
    value: np.ndarray  # incremental over doing nothing; −inf where the channel is unreachable


def candidates_for(use_case: UseCase) -> list[Candidate]:
    grid = [Candidate(DO_NOTHING, None)] + [
        Candidate(lever, channel) for lever in LEVERS[use_case] for channel in CHANNELS
    ]
    return grid[:MAX_CANDIDATES]


def score(
    batch: MemberBatch,
    use_case: UseCase,
    valuation: Valuation,
    priors: ResponsePriors | None = None,
    learned: LearnedLift | Sequence[LearnedLift] | None = None,
    rates: ResponseRates | None = None,
) -> Scores:
    """`rates`: the response fitted from the retailer's own contacts and outcomes
    (`tools.nba.response_fit`); every message term then comes from them. Without any history
    (a retailer's first messages) the priors stand in. `learned` may hold one factor set per row
    (posterior draws scored against copies of one member)."""
    priors = priors or ResponsePriors()
    per_row = [learned] * len(batch) if learned is None or isinstance(learned, LearnedLift) else list(learned)
    per_row = [one or LearnedLift() for one in per_row]
    # One factor set for every row (the usual case, 64 copies of one member included): look each
    # lever's factor up once, not once per row.
    shared = (
        learned or LearnedLift()
        if learned is None or isinstance(learned, LearnedLift)
        else per_row[0]
        if per_row and all(one is per_row[0] for one in per_row)
        else None
    )
    fitted = rates is not None and not rates.empty
    cands = candidates_for(use_case)
    n, k = len(batch), len(cands)
    p0 = np.clip(batch.p_buy_anyway, 0.0, 0.99)[:, None]
    basket = np.maximum(batch.basket_value, 1.0)[:, None]
    margin = basket * np.clip(batch.margin_rate, 0.0, 0.95)[:, None]
    ps = np.clip(batch.price_sensitivity, 0.0, 1.0)[:, None]
    full_price = batch.full_price_buyer.astype(bool)[:, None]
    if use_case is UseCase.CART_ABANDONMENT and batch.competitor_discount_pct is not None:
        # A cart left while a rival discounts it: for this purchase price is the barrier, whatever
        # the member paid before.
        ps = np.maximum(ps, priors.cart_price_barrier)
        full_price = np.zeros_like(full_price)

    effect = np.zeros((n, k))  # the priors' conversion among members who see the message
    per_send = np.zeros((n, k))  # fitted: message-led orders per message sent
    reach = np.zeros((n, k))
    seen = np.zeros((n, k))  # who sees it, for redemptions: never below the channel's prior reach
    cost_if_redeemed = np.zeros((n, k))
    contact_cost = np.zeros((n, k))
    fatigue = np.zeros((n, k))
    reachable = np.ones((n, k), dtype=bool)
    lift = np.ones((n, k))
    recent = batch.recent_contacts_7d[:, None]
    terms: dict[tuple[Channel, OfferType], _MessageTerms | None] = {}
    for j, cand in enumerate(cands):
        if cand.lever.is_nothing:
            continue
        channel = cand.channel
        assert channel is not None
        reachable[:, j] = batch.reachable[channel]
        contact_cost[:, j] = CONTACT_COST[channel]
        cost_if_redeemed[:, j] = _cost_if_redeemed(cand.lever, basket[:, 0], valuation)
        lift[:, j] = (
            shared.factor(cand.lever.offer_type, use_case)
            if shared is not None
            else [one.factor(cand.lever.offer_type, use_case) for one in per_row]
        )
        member_prior = batch.reach_prior.get(channel)
        if fitted:
            assert rates is not None
            key = (channel, cand.lever.offer_type)
            if key not in terms:  # the levers of one offer family share all but their incentive
                terms[key] = _message_terms(
                    rates, channel, cand.lever.offer_type, use_case, batch, member_prior
                )
            per_send[:, j], reach[:, j], fatigue[:, j] = _fitted_message(
                terms[key], cand.lever, basket[:, 0], ps[:, 0], full_price[:, 0]
            )
            seen[:, j] = np.maximum(
                reach[:, j], shrunk_reach(batch.opens[channel], batch.sends[channel], channel)
            )
        else:
            reach[:, j] = shrunk_reach(batch.opens[channel], batch.sends[channel], channel, member_prior)
            seen[:, j] = reach[:, j]
            effect[:, j] = _lever_effect(
                cand.lever, use_case, basket[:, 0], ps[:, 0], full_price[:, 0], priors
            )
            intrusiveness = INTRUSIVENESS[channel]
            unsubscribe = (
                priors.unsubscribe_base
                * (1.0 + recent[:, 0] + 2.0 * batch.consecutive_ignored)
                * intrusiveness
            )
            # An unsubscribe loses the channel, not the member: what is at stake is the share of
            # their yearly value that our messages on that channel bring in, in margin.
            fatigue[:, j] = (
                unsubscribe
                * priors.channel_share_of_value
                * np.maximum(batch.clv_365, 0.0)
                * np.clip(batch.margin_rate, 0.0, 0.95)
            )

    # The pull measured from the retailer's orders around past rival promotions
    # (`tools.nba.rival_pull`); the prior where nothing is fitted or no promotion was ever observed.
    measured = rates.rival_pull if rates is not None else None
    pull = priors.competitor_pull if measured is None else measured.given(priors.competitor_pull)
    valid = p0 if batch.p_buy_while_valid is None else np.minimum(batch.p_buy_while_valid[:, None], p0)
    before = p0
    p0, won_back = _competitor_pressure(
        batch, use_case, cands, p0, ps, full_price, np.zeros((n, k)), priors, pull
    )
    valid = valid * np.divide(p0, before, out=np.ones_like(p0), where=before > 0)  # the rival's pull too
    if fitted:
        # Fitted rates are per message sent; a rival's win-back is a share of the purchase the
        # rival took, among members who see the answer.
        uplift = (per_send + (1 - p0) * reach * won_back) * lift
    else:
        uplift = (1 - p0) * reach * (effect + won_back) * lift
    p1 = np.clip(p0 + uplift, 0.0, 1.0)
    # who pays the offer's cost: every order it causes, and the orders the member would have placed
    # anyway while it is valid (an offer that has expired is not redeemed)
    redeem = np.where(cost_if_redeemed > 0, seen * (p1 - p0 + valid), 0.0)
    expected_cost = redeem * cost_if_redeemed + contact_cost
    worth = margin + _lasting(batch, margin, rates)  # an order's margin, and a return's
    value = (p1 - p0) * worth - redeem * cost_if_redeemed - contact_cost - fatigue
    value = np.where(reachable, value, -np.inf)
    return Scores(cands, p1, p1 - p0, p1 * worth, expected_cost, cost_if_redeemed, redeem, fatigue, value)


def _lasting(batch: MemberBatch, margin: np.ndarray, rates: ResponseRates | None) -> np.ndarray:
    """(n, 1): what an order the message causes is worth beyond its basket. From a lapsed member
    it ends the lapse, whichever use case the message serves (an upsell reaching a member who has
    drifted away wins them back as well), and a return restores part of their rhythm
    (`tools.nba.winback`, measured on the retailer's own lapses and returns); 0 for members who
    are not lapsed, or without that evidence."""
    if (
        rates is None
        or rates.winback is None
        or batch.days_since_order is None
        or batch.median_gap_days is None
    ):
        return np.zeros((len(batch), 1))
    return rates.winback.value_for(batch.days_since_order, batch.median_gap_days, margin[:, 0])[:, None]


# The member's response relative to the average member's, for a lever's incentive: the priors'
# shapes (price levers move the price sensitive, recognition the rest), normalised at this
# sensitivity so that the fitted rate is the average member's.
REFERENCE_SENSITIVITY = 0.2
REFERENCE_DEPTH_PCT = 12.5
# A member's own open rate may move their response at most this far from the average member's.
RELATIVE_REACH_BOUNDS = (0.2, 5.0)


@dataclass(frozen=True)
class _MessageTerms:
    """What a message on one channel in one offer family brings a member, but for its lever's incentive."""

    base: float | np.ndarray  # message-led orders per send of a plain message
    gap: float | np.ndarray  # the family's order rate above that, for the average member
    relative: np.ndarray  # the member's response against the average member's
    decline: np.ndarray  # the share of response the member's recent contacts leave
    incrementality: float
    reach: np.ndarray
    fatigue: np.ndarray


@dataclass(frozen=True)
class _CellTerms:
    """The part of `_MessageTerms` that the fitted rates alone decide, the same for every member."""

    base: float | np.ndarray
    gap: float | np.ndarray
    opened: float  # the cell's open rate
    click_through: float | None  # clicks per open; None when the cell has no click rate
    incrementality: float
    left: float  # unsubscribes per send
    unsubscribe_slope: float
    decline_per_contact: float
    worth: float  # margin a message on the channel brings
    yearly: float  # messages on the channel per member and year


def _cell_terms(
    rates: ResponseRates, channel: Channel, offer_type: OfferType, use_case: UseCase
) -> _CellTerms | None:
    """Worked out once per rates object (`ResponseRates.derived`): scoring asks for the same
    cells decision after decision until the next refit."""
    key = ("scorer.cell", channel, offer_type, use_case)
    if key not in rates.derived:
        rates.derived[key] = _cell_terms_of(rates, channel, offer_type, use_case)
    cell: _CellTerms | None = rates.derived[key]
    return cell


def _cell_terms_of(
    rates: ResponseRates, channel: Channel, offer_type: OfferType, use_case: UseCase
) -> _CellTerms | None:
    """None for a channel the retailer has never used: no evidence, no credit."""
    name, family = channel.value, offer_type.value
    order = rates.rate("order", name, use_case.value, family)
    plain = rates.rate("order", name, use_case.value, OfferType.NONE.value)
    opened = rates.rate("open", name, use_case.value, family)
    left = rates.rate("unsubscribe", name, use_case.value, family)
    if order is None or opened is None:
        return None
    clicked = rates.rate("click", name, use_case.value, family)
    base = plain.mean if plain is not None else order.mean
    return _CellTerms(
        base=base,
        gap=np.maximum(order.mean - base, 0.0),
        opened=opened.average,  # only order rates are ever drawn per row: this is the mean
        click_through=None
        if clicked is None
        else float(min(max(clicked.average / max(opened.average, 1e-6), 1e-4), 1.0)),
        incrementality=_incrementality(
            rates, use_case.value, family, float(order.average), rates.margin_per_order.get(name, 0.0)
        ),
        left=float(left.mean) if left is not None else 0.0,
        unsubscribe_slope=rates.unsubscribe_slope.get(name, 0.0),
        decline_per_contact=rates.decline_per_contact.get(name, 0.0),
        worth=max(rates.value_per_send(name), 0.0),
        yearly=rates.sends_per_member_year.get(name, 0.0),
    )


def _message_terms(
    rates: ResponseRates,
    channel: Channel,
    offer_type: OfferType,
    use_case: UseCase,
    batch: MemberBatch,
    member_prior: np.ndarray | None,
) -> _MessageTerms | None:
    """None for a channel the retailer has never used: no evidence, no credit."""
    cell = _cell_terms(rates, channel, offer_type, use_case)
    if cell is None:
        return None
    prior = cell.opened if member_prior is None else member_prior
    reach = (batch.opens[channel] + REACH_PRIOR_WEIGHT * prior) / (batch.sends[channel] + REACH_PRIOR_WEIGHT)
    relative = np.clip(
        reach / np.maximum(cell.opened, 1e-6) * _relative_click_through(cell.click_through, batch, channel),
        *RELATIVE_REACH_BOUNDS,
    )
    if batch.intent is not None:
        relative = relative * batch.intent
    recent = batch.recent_contacts_7d
    # Fatigue, in margin: the chance this message ends the channel times what a year of the
    # channel's messages brings, plus the response it takes from the next week's messages.
    unsubscribe = cell.left * (1 + cell.unsubscribe_slope * recent)
    return _MessageTerms(
        base=cell.base,
        gap=cell.gap,
        relative=relative,
        decline=(1 - cell.decline_per_contact) ** recent,
        incrementality=cell.incrementality,
        reach=reach,
        fatigue=(
            unsubscribe * cell.worth * cell.yearly
            + cell.decline_per_contact * cell.worth * cell.yearly * 7 / 365
        ),
    )


def _fitted_message(
    terms: _MessageTerms | None, lever: Lever, basket: np.ndarray, ps: np.ndarray, full_price: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(message-led orders per send, the member's reach, fatigue cost) for one lever and channel."""
    if terms is None:
        n = len(basket)
        return np.zeros(n), np.zeros(n), np.zeros(n)
    incentive = terms.gap * _relative_response(lever, basket, ps, full_price)
    per_send = terms.relative * (terms.base + incentive) * terms.decline * terms.incrementality
    return per_send, terms.reach, terms.fatigue


# Beside the holdout, the attributed estimate counts as a prior whose standard deviation is this
# share of itself: attributed orders may all be caused, or none; what is known is their size.
ATTRIBUTED_PRIOR_CV = 1.0
# The holdout may move the attributed estimate at most this far (either way: 0 is "none caused").
INCREMENTALITY_BOUNDS = (0.0, 10.0)


def _incrementality(
    rates: ResponseRates, use_case: str, family: str, order_rate: float, margin: float
) -> float:
    """How much of the attributed response the holdout says is caused (1: no holdout evidence).

    The attributed margin per send (order rate × margin per attributed order) is the prior; the
    holdout's incremental margin per contact (`tools.nba.uplift`) the measurement; their
    precision-weighted mean over the prior is the factor on the attributed response."""
    measured = rates.incremental.get((use_case, family)) or rates.incremental.get((use_case, POOLED))
    attributed = order_rate * margin
    if measured is None or measured.members == 0 or attributed <= 0:
        return 1.0
    prior_var = (ATTRIBUTED_PRIOR_CV * attributed) ** 2
    weight = prior_var / (prior_var + measured.se**2) if measured.se > 0 else 1.0
    posterior = weight * measured.margin + (1 - weight) * attributed
    return float(np.clip(posterior / attributed, *INCREMENTALITY_BOUNDS))


# A member's own click-through is shrunk toward the cell's with a prior worth this many clicks:
# clicks are rare, so a prior counted in messages would let two clicks make anyone a star.
CLICK_PRIOR_CLICKS = 2.0


def _relative_click_through(click_through: float | None, batch: MemberBatch, channel: Channel) -> np.ndarray:
    """The member's clicks per open on the channel against the average member's (`click_through`,
    the cell's), shrunk toward 1.

    Opens say who sees the messages; clicks, who acts on them, the step before an order. Members
    who click far more than others are likelier to order from the next message too."""
    clicks = batch.clicks.get(channel)
    if clicks is None or click_through is None:
        return np.ones(len(batch))
    ctr = click_through
    weight = CLICK_PRIOR_CLICKS / ctr  # opens' worth of prior
    opens = np.maximum(batch.opens[channel], clicks)
    return np.asarray((clicks + weight * ctr) / (opens + weight) / ctr)


def _relative_response(
    lever: Lever, basket: np.ndarray, ps: np.ndarray, full_price: np.ndarray
) -> np.ndarray:
    def price(s: np.ndarray | float) -> np.ndarray:
        return np.asarray(0.3 + 1.4 * np.asarray(s))

    def status(s: np.ndarray | float) -> np.ndarray:
        return np.asarray(1.3 - 0.6 * np.asarray(s))

    kind = lever.offer_type
    if lever.is_price:
        cut = (
            basket * lever.discount_pct / 100 if lever.discount_pct else np.minimum(lever.amount_off, basket)
        )
        depth = 100 * cut / basket
        curve = (1 - np.exp(-depth / 12.0)) / (1 - np.exp(-REFERENCE_DEPTH_PCT / 12.0))
        return curve * price(ps) / price(REFERENCE_SENSITIVITY) * np.where(full_price, 0.5, 1.0)
    if kind is OfferType.FREE_SHIPPING:
        return (0.5 + ps) / (0.5 + REFERENCE_SENSITIVITY)
    if kind in (OfferType.POINTS_MULTIPLIER, OfferType.BONUS_POINTS, OfferType.EARLY_ACCESS):
        scale = min(1.0, lever.bonus_points / 500) if kind is OfferType.BONUS_POINTS else 1.0
        return scale * status(ps) / status(REFERENCE_SENSITIVITY) * np.where(full_price, 1.5, 1.0)
    return np.ones_like(basket)


def _competitor_pressure(
    batch: MemberBatch,
    use_case: UseCase,
    cands: list[Candidate],
    p0: np.ndarray,
    ps: np.ndarray,
    full_price: np.ndarray,
    effect: np.ndarray,
    priors: ResponsePriors,
    competitor_pull: float,
) -> tuple[np.ndarray, np.ndarray]:
    """A rival's promotion pulls price-sensitive members away (lower P(buy | nothing)) by
    `competitor_pull` for a fully price-sensitive member at a 20% gap; a price cut
    wins them back in proportion to how much of the gap it closes, never more than all of it, and
    recognition wins back full-price buyers, who care less about the rival's price."""
    if batch.competitor_discount_pct is None:
        return p0, effect
    in_market = p0
    if use_case is UseCase.CART_ABANDONMENT:  # the cart shows intent to buy now, from someone
        in_market = np.maximum(p0, priors.cart_intent)
    gap = np.clip(batch.competitor_discount_pct, 0.0, 100.0)[:, None]
    # The pull saturates at a 20% gap: past that the member has already decided on price.
    pull = competitor_pull * ps * np.minimum(gap / 20.0, 1.0) * np.where(full_price, 0.3, 1.0)
    lost = np.minimum(in_market * pull, p0 * 0.9 + (in_market - p0))
    effect = effect.copy()
    for j, cand in enumerate(cands):
        lever = cand.lever
        if lever.is_nothing:
            continue
        if lever.is_price and lever.discount_pct:
            closed = np.minimum(lever.discount_pct / np.maximum(gap, 1e-9), 1.0)
        elif lever.is_price:
            closed = np.full_like(gap, 0.5)  # an amount off closes part of a percentage gap
        else:  # points and perks do not answer a price gap, except for members who pay full price anyway
            closed = np.where(full_price, 0.6, 0.0)
        effect[:, j] += (lost / np.maximum(1 - np.maximum(p0 - lost, 0.0), 1e-9) * closed)[:, 0]
    return np.maximum(p0 - lost, 0.0), effect


def _cost_if_redeemed(lever: Lever, basket: np.ndarray, valuation: Valuation) -> np.ndarray:
    """The offer's cost to the retailer when a member redeems it (fitted rates and priors alike)."""
    kind = lever.offer_type
    if kind in (OfferType.NONE, OfferType.EARLY_ACCESS):
        return np.zeros_like(basket)
    if kind in (OfferType.PERCENT_OFF, OfferType.AMOUNT_OFF, OfferType.BUNDLE):
        return _price_cut(lever, basket)
    if kind is OfferType.POINTS_MULTIPLIER:
        return (lever.points_multiplier - 1) * valuation.points_per_dollar * basket * valuation.point_value
    if kind is OfferType.BONUS_POINTS:
        return np.full_like(basket, lever.bonus_points * valuation.point_value)
    if kind is OfferType.FREE_SHIPPING:
        return np.full_like(basket, valuation.shipping_cost)
    raise ValueError(f"no response model for {kind}")


def _price_cut(lever: Lever, basket: np.ndarray) -> np.ndarray:
    return basket * lever.discount_pct / 100 if lever.discount_pct else np.minimum(lever.amount_off, basket)


def _lever_effect(
    lever: Lever,
    use_case: UseCase,
    basket: np.ndarray,
    ps: np.ndarray,
    full_price: np.ndarray,
    priors: ResponsePriors,
) -> np.ndarray:
    """The priors' conversion effect among members who see the message (scoring without fitted
    rates: those carry their own)."""
    reminder = np.full_like(basket, priors.reminder[use_case])
    # Price levers move the price sensitive; recognition and access move the rest (seed playbooks).
    price_response = (0.3 + 1.4 * ps) * np.where(full_price, 0.5, 1.0)
    status_response = (1.3 - 0.6 * ps) * np.where(full_price, 1.5, 1.0)
    kind = lever.offer_type
    if kind is OfferType.NONE:
        return reminder
    if kind in (OfferType.PERCENT_OFF, OfferType.AMOUNT_OFF, OfferType.BUNDLE):
        depth = 100 * _price_cut(lever, basket) / basket
        effect = priors.price_ceiling * (1 - np.exp(-depth / priors.price_scale_pct)) * price_response
        if kind is OfferType.BUNDLE:
            effect = effect + priors.bundle_bonus
        return reminder + effect
    if kind is OfferType.POINTS_MULTIPLIER:
        return reminder + priors.points_effect * status_response
    if kind is OfferType.BONUS_POINTS:
        return reminder + priors.points_effect * status_response * min(1.0, lever.bonus_points / 500)
    if kind is OfferType.EARLY_ACCESS:
        return reminder + priors.early_access_effect * status_response
    if kind is OfferType.FREE_SHIPPING:
        return reminder + priors.free_shipping_effect * (0.5 + ps)
    raise ValueError(f"no response model for {kind}")


def ranked(scores: Scores, row: int, top: int) -> list[int]:
    """Candidate indices for one member, best value first; do nothing is always included."""
    order = [j for j in np.argsort(-scores.value[row], kind="stable") if np.isfinite(scores.value[row, j])]
    best = order[:top]
    if 0 not in best:
        best.append(0)
    return best


def rationale(candidate: dict) -> str:
    """Plain-language reason for a described candidate (see `tools.nba.member_scoring`)."""
    if candidate["do_nothing"]:
        return "Do nothing: the baseline every action must beat; costs nothing and adds no contact pressure."
    p1, up = candidate["propensity"], candidate["uplift"]
    return (
        f"{candidate['action'].replace('_', ' ')} by {candidate['channel']}: P(buy) {p1:.1%} vs {p1 - up:.1%} "
        f"without contact (uplift {up:+.1%}); expected margin {candidate['expected_margin']:.2f}, expected cost "
        f"{candidate['cost']:.2f}, fatigue {candidate['fatigue_penalty']:.2f}, net value "
        f"{candidate['value']:+.2f} over doing nothing."
    )
