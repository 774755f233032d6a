"""How members answered the retailer's messages, fitted from its own contacts and outcomes.

Per cell — channel × use case × offer family — the share of sends that were opened, clicked, led
to an attributed order, had their offer redeemed on an order the message did not lead to (the
cost of members who buy anyway), and ended in an unsubscribe or complaint; and the margin an
attributed order brought. Thin cells are shrunk toward their parents (empirical Bayes, beta-
binomial): a cell toward its channel × use case, that toward its channel, that toward every
message; the strength of each shrinkage is estimated from how much the cells of a level really
differ (method of moments), not set by hand.

Offer families: what an incentive adds is learned across channels and use cases at once. Per
family, the share of its clicks that ended in an attributed order against the share for plain
messages in the same use cases (`family_effects`, shrunk toward 1: an incentive moves nobody until
shown to), pooled over every message. A cell's prior is then its channel × use case rate scaled by
its family's effect against the mix of families that channel × use case was sent with. A family a channel and
use case never carried (`evidence` 0) gets their plain message's rate times its effect, or that
prior where no plain message was sent either; so does the plain message where only offers were
ever sent (win-backs that always carried a discount). A family never shown to move anyone has
effect 1: it is credited with nothing beyond the message itself.

Beside the messages, the order history says what a win-back is worth beyond its order
(`tools.nba.winback`): the lasting part of the value of a message a lapsed member answers; and,
around the competitor signals, how strongly a rival's promotion pulls members away
(`tools.nba.rival_pull`).

Declining response: the open rate of messages that follow others within a week, against those
that do not, gives the share of response each recent contact takes away; and the unsubscribe
rate climbs with the same count. Both come from the same one statement.
"""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Float, and_, case, cast, func, literal, select
from sqlalchemy.orm import aliased

from policies.vocabulary import OfferType
from tools.nba.rival_pull import RivalPull, fit_rival_pull
from tools.nba.uplift import Uplift, estimate_uplift, holdout_rows
from tools.nba.winback import Winback, fit_winback
from tools.storage import Contact, Database, OfferTemplate, Outcome, Proposal
from tools.time import to_storage

SEEN = ("open", "click", "redeem", "order")
ACTED = ("click", "redeem", "order")
LEFT = ("unsubscribe", "complaint")
CAMPAIGN = "campaign"  # a contact with no use case: a planned campaign or newsletter
MAX_RECENT = 3  # recent-contact counts from here up share one bucket
RECENT_DAYS = 7
# Bounds on a level's estimated prior strength, in sends: below, one noisy cell would decide
# alone; above, no cell could ever leave its parent.
STRENGTH_BOUNDS = (5.0, 20_000.0)
RATES = ("open", "click", "order", "leak", "unsubscribe")
# Evidence weight of a family effect's prior (1: no effect), in attributed orders: a Gamma prior
# of this shape on the multiplier, as for the learned lift (`tools.nba.response`).
FAMILY_PRIOR_ORDERS = 4.0
FAMILY_EFFECT_BOUNDS = (0.1, 10.0)
# A use case's plain orders per click are shrunk toward every plain message's with a prior worth
# this many orders: a use case with a few plain clicks keeps about the overall rate.
PLAIN_PRIOR_ORDERS = 2.0
PLAIN = OfferType.NONE.value


@dataclass(frozen=True)
class CellCounts:
    """One entry per (channel, use case, offer family, recent-contact bucket) observed."""

    channel: np.ndarray  # str
    use_case: np.ndarray  # str; CAMPAIGN when the contact had none
    offer_type: np.ndarray  # str, an OfferType value
    recent: np.ndarray  # int 0..MAX_RECENT: the member's messages in the week before this one
    sends: np.ndarray
    opens: np.ndarray
    clicks: np.ndarray
    orders: np.ndarray
    order_margin: np.ndarray  # summed margin of the attributed orders, net of the offer's cost
    leaks: np.ndarray  # offers redeemed on orders the message did not lead to
    leak_margin: np.ndarray  # what those redemptions cost (negative)
    unsubscribes: np.ndarray

    def __len__(self) -> int:
        return len(self.sends)


@dataclass(frozen=True)
class Rate:
    """A fitted rate with the Beta posterior behind it."""

    mean: float | np.ndarray  # an array: one posterior draw per scored row (`ResponseRates.draws`)
    successes: float  # posterior shape parameters: the observed counts plus the prior's pseudo-counts
    failures: float
    evidence: float  # sends the cell itself holds

    @property
    def average(self) -> float:
        """The mean, or the mean of its draws when it holds one per row. (Scoring asks thousands
        of times a decision, mostly of plain floats, where `np.mean` costs microseconds for nothing.)"""
        return self.mean if isinstance(self.mean, float) else float(np.mean(self.mean))

    def sampled(self, rng: np.random.Generator) -> float:
        return float(rng.beta(*_explored(self)))


# When exploring, the pooled prior behind a cell counts as at most this many sends. Shrinkage may
# trust the parent as if it were thousands of sends (cells that did not differ detectably so
# far), which leaves a barely tried lever no chance of being drawn above the others: it would then
# never be tried, and never gather the evidence that could show it works. The posterior mean is
# kept; only its spread widens, and only for a cell's prior, never for its own evidence.
EXPLORATION_PRIOR_SENDS = 200.0


def _explored(rate: Rate) -> tuple[float, float]:
    """Beta parameters to draw a rate from while exploring (see EXPLORATION_PRIOR_SENDS)."""
    total = max(rate.successes, 0.0) + max(rate.failures, 0.0)
    prior = max(total - rate.evidence, 0.0)
    kept = rate.evidence + min(prior, EXPLORATION_PRIOR_SENDS)
    mean = float(rate.average)
    if total <= 0 or kept <= 0:
        return max(rate.successes, 1e-6), max(rate.failures, 1e-6)
    return max(mean * kept, 1e-6), max((1 - mean) * kept, 1e-6)


@dataclass(frozen=True)
class ResponseRates:
    """The fitted rates per cell and per channel, with what they were fitted from."""

    cells: dict[tuple[str, str, str], dict[str, Rate]] = field(default_factory=dict)
    channels: dict[str, dict[str, Rate]] = field(default_factory=dict)
    margin_per_order: dict[str, float] = field(default_factory=dict)  # by channel, attributed orders
    leak_cost: dict[str, float] = field(default_factory=dict)  # by channel, mean cost of a leaked redemption
    decline_per_contact: dict[str, float] = field(
        default_factory=dict
    )  # share of response each recent contact takes
    unsubscribe_slope: dict[str, float] = field(default_factory=dict)  # relative rise per recent contact
    sends_per_member_year: dict[str, float] = field(default_factory=dict)
    sends: int = 0
    # Incremental margin per contact from the holdout, per (use case, offer family) and per
    # (use case, "*") (`tools.nba.uplift`); empty when no holdout has evidence yet.
    incremental: dict[tuple[str, str], Uplift] = field(default_factory=dict)
    # What winning a lapsed member back restores beyond the order, from the order history
    # (`tools.nba.winback`); None without enough lapse and return episodes.
    winback: Winback | None = None
    # How strongly a rival's promotion pulls members away, from the order history around the
    # competitor signals (`tools.nba.rival_pull`); None only when no fit was made (the priors'
    # assumed pull then stands, as every other term does).
    rival_pull: RivalPull | None = None
    # The channel × use case level: every cell's parent.
    uses: dict[tuple[str, str], dict[str, Rate]] = field(default_factory=dict)
    # Per offer family, its orders per click against plain messages' (`family_effects`); and per
    # channel × use case, the send-weighted effect of the families it was sent with.
    family_effect: dict[str, float] = field(default_factory=dict)
    family_mix: dict[tuple[str, str], float] = field(default_factory=dict)
    # What a scorer derives from these rates alone, per cell, worked out on first use
    # (`tools.nba.scorer`): the rates never change, so neither does it; a refit or a posterior
    # draw is a new object with an empty one.
    derived: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def empty(self) -> bool:
        return self.sends == 0

    def rate(self, name: str, channel: str, use_case: str, offer_type: str) -> Rate | None:
        """The cell's rate. Without evidence in the cell: its channel × use case message-only
        rate — for orders, scaled by the family's effect (`family_effects`; a family never shown to
        move anyone is credited with nothing beyond the message); where no plain message was sent
        on the channel for the use case, the channel × use case rate, for orders scaled by the
        family's effect against that channel × use case's mix of families; the channel's when the
        channel never carried the use case; None when the channel was never used."""
        cell = self.cells.get((channel, use_case, offer_type))
        if cell is not None and cell[name].evidence > 0:
            return cell[name]
        effect = self.family_effect.get(offer_type, 1.0) if name == "order" else 1.0
        plain = self.cells.get((channel, use_case, PLAIN))
        if plain is not None and plain[name].evidence > 0:
            return plain[name] if effect == 1.0 else _scaled(plain[name], effect)
        use = self.uses.get((channel, use_case))
        if use is not None:
            if name == "order" and self.family_effect:
                return _scaled(use[name], effect / self.family_mix.get((channel, use_case), 1.0))
            return replace(use[name], evidence=0.0)
        rates = self.channels.get(channel, {})
        return _scaled(rates[name], effect) if name in rates and effect != 1.0 else rates.get(name)

    def sampled(self, rng: np.random.Generator) -> "ResponseRates":
        """One draw of every order rate from its posterior (Thompson sampling): a lever with little
        evidence varies a lot, a well-measured one hardly, so exploring tries the uncertain levers
        and leaves the known ones be. Channel-level rates are drawn too: a use case the channel
        never carried is scored on them."""
        return self._with_order_rates(lambda rate: rate.sampled(rng))

    def draws(self, rng: np.random.Generator, rows: int) -> "ResponseRates":
        """`rows` independent posterior draws of every order rate at once: scored against `rows`
        copies of one member, they give the share of draws in which each action wins — the
        probability that exploring chooses it."""
        return self._with_order_rates(lambda rate: rng.beta(*_explored(rate), rows))

    def per_member(self, rngs: Sequence[np.random.Generator], rows_each: int) -> "ResponseRates":
        """`draws(rng, rows_each)` for each stream in turn, stacked: each stream meets the rates in
        the order it would alone, so the rows are the draws each member's own decision makes
        (`tools.nba.choice` scores many members' draws at once)."""

        def draw(rate: Rate) -> np.ndarray:
            shape = _explored(rate)
            return np.concatenate([rng.beta(*shape, rows_each) for rng in rngs])

        return self._with_order_rates(draw)

    def _with_order_rates(self, draw: Callable[[Rate], float | np.ndarray]) -> "ResponseRates":
        def drawn(rates: dict[str, Rate]) -> dict[str, Rate]:
            return rates | {"order": replace(rates["order"], mean=draw(rates["order"]))}

        return replace(
            self,
            cells={key: drawn(rates) for key, rates in sorted(self.cells.items())},
            uses={key: drawn(rates) for key, rates in sorted(self.uses.items())},
            channels={key: drawn(rates) for key, rates in sorted(self.channels.items())},
        )

    def value_per_send(self, channel: str) -> float:
        """Observed margin a message on the channel brought, net of leaked redemptions."""
        rates = self.channels.get(channel)
        if rates is None:
            return 0.0
        # `average`: under `draws` the order rate is one draw per row; a channel's worth is their mean
        return float(
            rates["order"].average * self.margin_per_order.get(channel, 0.0)
            + rates["leak"].average * self.leak_cost.get(channel, 0.0)
        )


def _scaled(rate: Rate, effect: float) -> Rate:
    """A parent's rate as the prior of a cell without evidence whose family moves `effect` times
    as many members: the same prior weight (in sends), its mean scaled."""
    total = max(rate.successes, 0.0) + max(rate.failures, 0.0)
    mean = np.clip(np.asarray(rate.mean) * effect, 0.0, 1.0 - 1e-9)
    successes = min(max(rate.successes, 0.0) * effect, total * (1.0 - 1e-9))
    scaled = float(mean) if np.ndim(mean) == 0 else mean
    return Rate(scaled, successes, total - successes, 0.0)


async def response_counts(db: Database, since: datetime | None, until: datetime) -> CellCounts:
    """Sent contacts in [since, until) and their outcomes before `until`, counted per cell in one
    statement."""
    o = Outcome

    def flag(types: tuple[str, ...]) -> Any:
        return func.max(case((o.type.in_(types), 1), else_=0))

    answered = (
        select(
            o.contact_id.label("contact_id"),
            flag(SEEN).label("opened"),
            flag(ACTED).label("clicked"),
            flag(("order",)).label("ordered"),
            flag(("redeem",)).label("redeemed"),
            flag(LEFT).label("left"),
            func.sum(case((o.type == "order", o.margin), else_=0.0)).label("order_margin"),
            func.sum(case((o.type == "redeem", o.margin), else_=0.0)).label("redeem_margin"),
        )
        .where(o.occurred_at < until)
        .group_by(o.contact_id)
        .subquery()
    )
    earlier = aliased(Contact)
    recent = (
        select(func.count())
        .where(
            earlier.customer_id == Contact.customer_id,
            earlier.status == "sent",
            earlier.sent_at < Contact.sent_at,
            earlier.sent_at >= _days_before(Contact.sent_at, RECENT_DAYS, db.dialect),
        )
        .correlate(Contact)
        .scalar_subquery()
    )
    offer_type = func.coalesce(
        OfferTemplate.type, Proposal.content["offer"]["type"].as_string(), literal(OfferType.NONE.value)
    )
    use_case = func.coalesce(Contact.use_case, literal(CAMPAIGN))
    bucket = case((recent >= MAX_RECENT, MAX_RECENT), else_=recent)
    one = func.coalesce
    leaked = and_(one(answered.c.redeemed, 0) == 1, one(answered.c.ordered, 0) == 0)
    conditions = [Contact.status == "sent", Contact.sent_at < until]
    if since is not None:
        conditions.append(Contact.sent_at >= since)
    statement = (
        select(
            Contact.channel,
            use_case,
            offer_type,
            bucket,
            func.count(),
            func.sum(one(answered.c.opened, 0)),
            func.sum(one(answered.c.clicked, 0)),
            func.sum(one(answered.c.ordered, 0)),
            func.sum(cast(one(answered.c.order_margin, 0.0), Float)),
            func.sum(case((leaked, 1), else_=0)),
            func.sum(case((leaked, cast(answered.c.redeem_margin, Float)), else_=0.0)),
            func.sum(one(answered.c.left, 0)),
        )
        .select_from(Contact)
        .outerjoin(answered, answered.c.contact_id == Contact.id)
        .outerjoin(OfferTemplate, OfferTemplate.code == Contact.offer_code)
        .outerjoin(Proposal, Proposal.id == Contact.proposal_id)
        .where(*conditions)
        .group_by(Contact.channel, use_case, offer_type, bucket)
    )
    async with db.session() as session:
        rows = (await session.execute(statement)).all()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 12
    text = [np.array(c, dtype=object).astype(str) for c in columns[:3]]
    numbers = [np.array(c, dtype=float) for c in columns[3:]]
    sends, opens, clicks, orders, order_margin, leaks, leak_margin, unsubscribes = numbers[1:]
    return CellCounts(
        text[0],
        text[1],
        text[2],
        numbers[0].astype(np.int64),
        sends,
        opens,
        clicks,
        orders,
        order_margin,
        leaks,
        leak_margin,
        unsubscribes,
    )


def _days_before(moment: Any, days: int, dialect: str) -> Any:
    if dialect == "sqlite":  # datetimes are ISO text there: shift with SQLite's own function
        return func.datetime(moment, f"-{days} days")
    return moment - literal(timedelta(days=days))


def _strength(successes: np.ndarray, trials: np.ndarray, parent: np.ndarray) -> float:
    """Beta prior strength (in trials) for cells around their parents' rates, by the method of
    moments: the between-cell variance is what the observed spread has beyond binomial noise."""
    keep = trials > 0
    if keep.sum() < 2:
        return STRENGTH_BOUNDS[1]
    x, n, p = successes[keep], trials[keep], np.clip(parent[keep], 1e-6, 1 - 1e-6)
    observed = x / n
    spread = float(np.average((observed - p) ** 2, weights=n))
    noise = float(np.average(p * (1 - p) / n, weights=n))
    between = spread - noise
    if between <= 0:
        return STRENGTH_BOUNDS[1]
    mean_p = float(np.average(p, weights=n))
    return float(np.clip(mean_p * (1 - mean_p) / between - 1, *STRENGTH_BOUNDS))


def _shrunk(
    successes: np.ndarray, trials: np.ndarray, parent_rate: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Posterior (mean, a, b) per cell of a level, shrunk toward its parent's rate with the
    strength estimated for the whole level."""
    m = _strength(successes, trials, parent_rate)
    a = successes + m * parent_rate
    b = trials - successes + m * (1 - parent_rate)
    return a / (a + b), a, b


def fit_rates(counts: CellCounts) -> ResponseRates:
    """The hierarchy of shrunk rates: every message → channel → channel × use case → cell."""
    if len(counts) == 0 or counts.sends.sum() == 0:
        return ResponseRates()
    numerators = {
        "open": counts.opens,
        "click": counts.clicks,
        "order": counts.orders,
        "leak": counts.leaks,
        "unsubscribe": counts.unsubscribes,
    }
    key_channel = counts.channel
    key_use = np.char.add(np.char.add(counts.channel, "\x1f"), counts.use_case)
    key_cell = np.char.add(np.char.add(key_use, "\x1f"), counts.offer_type)
    cells: dict[tuple[str, str, str], dict[str, Rate]] = {}
    uses: dict[tuple[str, str], dict[str, Rate]] = {}
    channels: dict[str, dict[str, Rate]] = {}
    effects = family_effects(counts)
    # per row: its family's effect against its channel × use case's mix of families
    row_effect = (
        np.array([effects.get(str(f), 1.0) for f in counts.offer_type]) if effects else np.ones(len(counts))
    )
    use_unique, use_index = np.unique(key_use, return_inverse=True)
    mix = np.bincount(use_index, weights=counts.sends * row_effect) / np.maximum(
        np.bincount(use_index, weights=counts.sends), 1e-9
    )
    relative_effect = row_effect / np.maximum(mix[use_index], 1e-9)
    for name, x in numerators.items():
        total = float(counts.sends.sum())
        top = float(x.sum()) / total
        level_parent = np.full(len(counts), top)
        for keys, store in ((key_channel, "channel"), (key_use, "use"), (key_cell, "cell")):
            if store == "cell" and name == "order":  # an offer family moves orders, not opens
                level_parent = np.clip(level_parent * relative_effect, 0.0, 1.0 - 1e-9)
            unique, index = np.unique(keys, return_inverse=True)
            xs = np.bincount(index, weights=x)
            ns = np.bincount(index, weights=counts.sends)
            parent = np.bincount(index, weights=level_parent * counts.sends) / np.maximum(ns, 1e-9)
            mean, a, b = _shrunk(xs, ns, parent)
            level_parent = mean[index]
            if store == "channel":
                for u, mu, aa, bb, n in zip(unique, mean, a, b, ns, strict=True):
                    channels.setdefault(str(u), {})[name] = Rate(float(mu), float(aa), float(bb), float(n))
            elif store == "use":
                for u, mu, aa, bb, n in zip(unique, mean, a, b, ns, strict=True):
                    channel, use_case = str(u).split("\x1f")
                    uses.setdefault((channel, use_case), {})[name] = Rate(
                        float(mu), float(aa), float(bb), float(n)
                    )
            elif store == "cell":
                for u, mu, aa, bb, n in zip(unique, mean, a, b, ns, strict=True):
                    channel, use_case, offer = str(u).split("\x1f")
                    cells.setdefault((channel, use_case, offer), {})[name] = Rate(
                        float(mu), float(aa), float(bb), float(n)
                    )
    by_channel = {c: counts.channel == c for c in channels}
    margin = {c: _ratio(counts.order_margin[m].sum(), counts.orders[m].sum()) for c, m in by_channel.items()}
    leak = {c: _ratio(counts.leak_margin[m].sum(), counts.leaks[m].sum()) for c, m in by_channel.items()}
    return ResponseRates(
        cells=cells,
        channels=channels,
        uses=uses,
        family_effect=effects,
        family_mix={
            (str(u).split("\x1f")[0], str(u).split("\x1f")[1]): float(m)
            for u, m in zip(use_unique, mix, strict=True)
        }
        if effects
        else {},
        margin_per_order=margin,
        leak_cost=leak,
        decline_per_contact={c: _decline(counts, m) for c, m in by_channel.items()},
        unsubscribe_slope={c: _slope(counts, m) for c, m in by_channel.items()},
        sends=int(counts.sends.sum()),
    )


def family_effects(counts: CellCounts, prior_orders: float = FAMILY_PRIOR_ORDERS) -> dict[str, float]:
    """Per offer family, its attributed orders per click against plain messages' in the same use
    cases: (orders + w) / (expected + w), the posterior mean of a Gamma(w, w) prior at 1 (no
    effect) given Poisson orders, where `expected` counts each of the family's clicks at the plain
    rate of its use case. Per click, because a family changes what a member does once interested
    more than who opens; pooled over channels and use cases, because one cell rarely holds enough
    orders; compared within the use case, because a use case's moment moves orders whatever the
    offer (a cart reminder converts many times a campaign, with or without free shipping). A use
    case's plain rate is shrunk toward the overall one (`PLAIN_PRIOR_ORDERS`), and is the overall
    one where it sent no plain message. Empty (no family effects) without a plain order at all."""
    plain = counts.offer_type == PLAIN
    plain_clicks, plain_orders = float(counts.clicks[plain].sum()), float(counts.orders[plain].sum())
    if plain_clicks <= 0 or plain_orders <= 0:
        return {}
    overall = plain_orders / plain_clicks
    prior_clicks = PLAIN_PRIOR_ORDERS / overall
    in_use_case = [counts.use_case == use_case for use_case in sorted(set(counts.use_case.tolist()))]
    plain_rate = [
        (float(counts.orders[plain & rows].sum()) + PLAIN_PRIOR_ORDERS)
        / (float(counts.clicks[plain & rows].sum()) + prior_clicks)
        for rows in in_use_case
    ]
    effects = {PLAIN: 1.0}
    for family in sorted(set(counts.offer_type.tolist()) - {PLAIN}):
        mine = counts.offer_type == family
        expected = sum(
            float(counts.clicks[mine & rows].sum()) * rate
            for rows, rate in zip(in_use_case, plain_rate, strict=True)
        )
        observed = float(counts.orders[mine].sum())
        effects[str(family)] = float(
            np.clip((observed + prior_orders) / (expected + prior_orders), *FAMILY_EFFECT_BOUNDS)
        )
    return effects


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else 0.0


def _by_recent(counts: CellCounts, rows: np.ndarray, numerator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.bincount(counts.recent[rows], weights=numerator[rows], minlength=MAX_RECENT + 1)
    n = np.bincount(counts.recent[rows], weights=counts.sends[rows], minlength=MAX_RECENT + 1)
    return x, n


def _decline(counts: CellCounts, rows: np.ndarray) -> float:
    """Share of the open rate each recent contact takes away: a geometric decline fitted to the
    open rate by recent-contact count against the rate with none (weighted by sends)."""
    x, n = _by_recent(counts, rows, counts.opens)
    if n[0] <= 0 or x[0] <= 0:
        return 0.0
    base = x[0] / n[0]
    k = np.arange(1, MAX_RECENT + 1)
    seen = (n[1:] > 0) & (x[1:] > 0)
    if not seen.any():
        return 0.0
    log_ratio = np.log((x[1:][seen] / n[1:][seen]) / base)
    slope = float(np.sum(n[1:][seen] * k[seen] * log_ratio) / np.sum(n[1:][seen] * k[seen] ** 2))
    return float(np.clip(1 - np.exp(slope), 0.0, 0.5))


def _slope(counts: CellCounts, rows: np.ndarray) -> float:
    """Relative rise of the unsubscribe rate per recent contact: rate(k) ≈ rate(0) · (1 + slope·k),
    least squares weighted by sends; 0 when unsubscribes are too few to tell."""
    x, n = _by_recent(counts, rows, counts.unsubscribes)
    if x.sum() < 5 or n[0] <= 0 or x[0] <= 0:
        return 0.0
    base = x[0] / n[0]
    k = np.arange(MAX_RECENT + 1)
    rel = np.where(n > 0, x / np.maximum(n, 1e-9) / base - 1, 0.0)
    slope = float(np.sum(n * k * rel)) / max(float(np.sum(n * k**2)), 1e-9)
    return float(np.clip(slope, 0.0, 5.0))


async def sends_per_member_year(db: Database, since: datetime | None, until: datetime) -> dict[str, float]:
    """Messages a member who receives any on a channel receives there in a year: what an
    unsubscribe from that channel forgoes."""
    conditions = [Contact.status == "sent", Contact.sent_at < until]
    if since is not None:
        conditions.append(Contact.sent_at >= since)
    statement = (
        select(
            Contact.channel,
            func.count(),
            func.count(func.distinct(Contact.customer_id)),
            func.min(Contact.sent_at),
        )
        .where(*conditions)
        .group_by(Contact.channel)
    )
    async with db.session() as session:
        rows = (await session.execute(statement)).all()
    out = {}
    for channel, sends, members, first in rows:
        days = max((until - to_storage(first)).total_seconds() / 86_400, 7.0) if first is not None else 365.0
        out[str(channel)] = float(sends) / max(int(members), 1) * 365.0 / days
    return out


async def fit_response(db: Database, until: datetime, since: datetime | None = None) -> ResponseRates:
    """The fitted rates from contacts sent in [since, until) (all history before `until` by default)."""
    naive_until = to_storage(until)
    naive_since = None if since is None else to_storage(since)
    rates = fit_rates(await response_counts(db, naive_since, naive_until))
    return replace(
        rates,
        sends_per_member_year=await sends_per_member_year(db, naive_since, naive_until),
        incremental=estimate_uplift(await holdout_rows(db, naive_since, naive_until)),
        winback=await fit_winback(db, naive_until),
        rival_pull=await fit_rival_pull(db, naive_until),
    )
