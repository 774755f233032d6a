"""`oracle`: the ceiling. It knows the hidden traits and the hidden model, and each day chooses, for
every member, the message worth most in expectation (`evals.simulation.expected`) — or none when
nothing is worth sending — under the same rules, caps and budgets the agents obey.

Candidates per member: every consented channel × a handful of offers (a plain message, 10/15/20%
off, free shipping, double points, a bundle), scoped to the category of the member's live trigger
or else their favourite, sent at their preferred local hour (inside the quiet-hours window for SMS
and push). The best candidate with a positive value is put to the rules engine; a member whose best
is blocked gets their next best on another channel. Discounts stop when a use case's remaining
budget is spent in expectation. It is greedy day by day: the ceiling of one-message-a-day policies
on this yardstick, not of every conceivable plan.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, select

from evals.simulation.baselines import Planned
from evals.simulation.environment import SimWorld
from evals.simulation.expected import Valuer
from evals.simulation.flows import next_local
from evals.simulation.moments import CART, Moments
from evals.simulation.responses import ProductIndex, SentOffer, _recent_counts
from evals.simulation.sending import blocked
from policies.model import Policy
from policies.vocabulary import OfferType
from tools.rule_facts import ProfileFacts
from tools.storage import Budget, Category, ChannelConsent, Contact, Customer
from tools.world import OFFERS_BY_CODE

CODES = ("REMINDER", "PCT10", "PCT15", "PCT20", "FREESHIP", "DOUBLEPTS", "BUNDLE15")
CHANNELS = ("email", "sms", "push")
WEEKLY, WEEKLY_TOTAL = (
    {"email": 1, "sms": 1, "push": 3},
    4,
)  # the default policy's caps: only to skip hopeless candidates
DAYTIME = (
    8,
    20,
)  # local hours SMS and push may go out (the default quiet hours end at 08:00 and begin at 21:00)

Facts = Callable[[list[SentOffer]], Awaitable[dict[int, ProfileFacts]]]


def candidate(
    customer_id: int,
    channel: str,
    code: str,
    at: datetime,
    use_case: str,
    categories: tuple[str, ...],
    bundle: tuple[str, ...],
) -> SentOffer:
    spec = OFFERS_BY_CODE[code]
    skus = bundle if spec.type is OfferType.BUNDLE else ()
    return SentOffer(
        contact_id=0,
        customer_id=customer_id,
        channel=channel,
        sent_at=at,
        offer_type=spec.type,
        discount_pct=spec.discount_pct,
        amount_off=spec.amount_off,
        points_multiplier=spec.points_multiplier,
        bonus_points=spec.bonus_points,
        free_shipping=False,
        categories=() if skus else categories,
        skus=skus,
        use_case=use_case,
        min_spend=spec.min_spend or None,
    )


def margin_bundle(catalogue: ProductIndex, category: int) -> tuple[str, ...]:
    """A category's bundle: its two products with the most margin."""
    pool = catalogue.by_category_id.get(category, np.array([], dtype=np.int64))
    best = pool[np.argsort(-(catalogue.price - catalogue.cost)[pool])][:2]
    return tuple(catalogue.sku_by_product[int(catalogue.product_id[p])] for p in best)


class Oracle:
    name = "oracle"

    def __init__(self, valuer: Valuer, rules: Policy, facts: Facts) -> None:
        self.valuer, self.rules, self.facts = valuer, rules, facts
        self.bundles: dict[int, tuple[str, ...]] = {}

    def _bundle(self, category: int) -> tuple[str, ...]:
        if category not in self.bundles:
            self.bundles[category] = margin_bundle(self.valuer.catalogue, category)
        return self.bundles[category]

    async def plan(self, world: SimWorld, now: datetime, moments: Moments) -> list[Planned]:
        naive = now.replace(tzinfo=None)
        truth = world.truth
        async with world.db.session() as session:
            consents = (
                await session.execute(
                    select(ChannelConsent.customer_id, ChannelConsent.channel).where(
                        ChannelConsent.granted.is_(True), ChannelConsent.channel.in_(CHANNELS)
                    )
                )
            ).all()
            zones = dict((await session.execute(select(Customer.id, Customer.time_zone))).all())
            names = dict((await session.execute(select(Category.id, Category.name))).all())
            # a quick first cut (the rules decide): channels the member heard from within the week
            week = (
                await session.execute(
                    select(Contact.customer_id, Contact.channel, func.count())
                    .where(
                        Contact.status == "sent",
                        Contact.sent_at >= naive - timedelta(days=7),
                        Contact.sent_at < naive + timedelta(days=1),
                    )
                    .group_by(Contact.customer_id, Contact.channel)
                )
            ).all()
            budgets = {
                u: a - s
                for u, a, s in (
                    await session.execute(
                        select(Budget.use_case, Budget.amount, Budget.spent).where(
                            Budget.period_start <= naive, Budget.period_end > naive
                        )
                    )
                ).all()
            }
        favourite = truth.category_id[np.argmax(truth.taste, axis=1)]
        heard: dict[int, int] = {}
        full: set[tuple[int, str]] = set()
        for member, channel, count in week:
            heard[member] = heard.get(member, 0) + count
            if count >= WEEKLY.get(channel, 1):
                full.add((member, channel))
        offers: list[SentOffer] = []
        for member, channel in consents:
            if (member, channel) in full or heard.get(member, 0) >= WEEKLY_TOTAL:
                continue
            i = int(np.searchsorted(truth.customer_id, member))
            if i >= len(truth.customer_id) or truth.customer_id[i] != member:
                continue
            category = int(moments.intent_category[i]) if moments.intent[i] > 0 else int(favourite[i])
            hour = int(truth.preferred_hour[i])
            if channel != "email":
                hour = min(max(hour, DAYTIME[0]), DAYTIME[1])
            at = next_local(naive, zones.get(member, "UTC"), hour)
            use_case = (
                "cart_abandonment"
                if moments.intent_kind[i] == CART and moments.intent[i] > 0
                else "reactivation"
                if not moments.active[i]
                else "upsell"
            )
            offers += [
                candidate(member, channel, code, at, use_case, (names[category],), self._bundle(category))
                for code in CODES
            ]
        if not offers:
            return []
        recent = await _recent_counts(
            world, offers, timedelta(days=world.response.params.fatigue_window_days)
        )
        expected = self.valuer.value(offers, moments, recent)
        value = expected.value
        spend = expected.ordered * expected.cost + expected.own_cost
        ranked: dict[int, list[int]] = {}
        for k in np.argsort(-value):
            if value[k] > 0:
                ranked.setdefault(offers[k].customer_id, []).append(int(k))
        chosen: dict[int, int] = {}
        tried: dict[int, set[str]] = {}
        for _round in range(
            2
        ):  # the best; then, for members whose best the rules block, the next on another channel
            picks = {}
            for member, order in ranked.items():
                if member in chosen:
                    continue
                options = [k for k in order if offers[k].channel not in tried.get(member, set())]
                if options:
                    picks[member] = options[0]
            if not picks:
                break
            members = sorted(picks, key=lambda m: -value[picks[m]])
            batch = [offers[picks[m]] for m in members]
            facts = await self.facts(batch)
            judged = [(m, o) for m, o in zip(members, batch, strict=True) if m in facts]
            verdicts = await blocked(world, [o for _, o in judged], self.rules, facts, planned=True)
            for (member, offer), no in zip(judged, verdicts, strict=True):
                tried.setdefault(member, set()).add(offer.channel)
                k = picks[member]
                if no or spend[k] > budgets.get(offer.use_case, 0.0):
                    continue
                budgets[offer.use_case] = budgets.get(offer.use_case, 0.0) - spend[k]
                chosen[member] = k
        return [
            Planned(
                offers[k].customer_id,
                CODES[k % len(CODES)],
                offers[k].use_case,
                offers[k].sent_at,
                channel=offers[k].channel,
                categories=offers[k].categories,
                skus=offers[k].skus,
            )
            for k in sorted(chosen.values())
        ]
