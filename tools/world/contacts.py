"""Messages sent over the window and what members did with them.

Campaigns go to consenting members (never after an opt-out), shifted out of each member's quiet
hours; every abandoned cart may trigger a reminder. Outcomes are drawn from the hidden response
model (`tools.world.response`), so opens follow channel responsiveness and send time, fatigue
builds with recent contacts, offers convert price-sensitive members, a cart reminder meets the
cart's fresh intent and a message about a category the member's taste for it (as in the
simulator). An unsubscribe or complaint ends that channel for the member: later sends on it are
withdrawn.
"""

from dataclasses import dataclass, fields

import numpy as np

from policies.vocabulary import UseCase
from tools.world.activity import Activity
from tools.world.campaigns import EMAIL, SMS, AudienceKind, Campaign
from tools.world.catalogue import Catalogue
from tools.world.clocks import LocalClocks
from tools.world.members import NEVER, Members
from tools.world.offers import OFFER_INDEX, OFFER_TEMPLATES
from tools.world.population import Population
from tools.world.response import Exposure, ResponseModel
from tools.world.sessions import Sessions
from tools.world.timeline import DAY, HOUR, Timeline
from tools.world.traits import Traits

NOT = -1  # "did not happen" in the *_at arrays
# Mean delay from send to open, per channel: email waits in an inbox, SMS and push are seen at once.
OPEN_DELAY = np.array([3 * HOUR, 10 * 60, 20 * 60])
ORDER_DELAY = 14 * HOUR
CART_REMINDER = Campaign(
    "cart-reminder",
    EMAIL,
    0,
    0,
    AudienceKind.ALL,
    1.0,
    "REMINDER",
    use_case=UseCase.CART_ABANDONMENT.value,
    subject="You left something in your cart",
)


@dataclass(frozen=True)
class Contacts:
    member: np.ndarray
    channel: np.ndarray
    sent_at: np.ndarray  # seconds since the window start, ascending
    campaign: np.ndarray  # index into `campaigns`
    offer: np.ndarray  # index into OFFER_TEMPLATES
    focus_category: np.ndarray  # -1 when the message is not about one category
    focus_product: np.ndarray  # -1 when not about one product (cart reminders are)
    opened_at: np.ndarray  # NOT, or when a tracked open happened (email, push)
    clicked_at: np.ndarray
    unsubscribed_at: np.ndarray
    complained_at: np.ndarray
    converts_at: np.ndarray  # NOT, or when the offer-driven order is placed
    anyway: np.ndarray  # that order would have happened without the message
    campaigns: list[Campaign]

    @property
    def count(self) -> int:
        return len(self.member)

    def subset(self, rows: np.ndarray) -> "Contacts":
        arrays = {f.name: getattr(self, f.name)[rows] for f in fields(self) if f.name != "campaigns"}
        return Contacts(**arrays, campaigns=self.campaigns)

    def opted_out_at(self, members: int) -> np.ndarray:
        """(members, 3) first unsubscribe or complaint per channel, NEVER where none."""
        when = np.where(self.unsubscribed_at != NOT, self.unsubscribed_at, self.complained_at)
        has = when != NOT
        first = np.full(members * 3, NEVER)
        np.minimum.at(first, self.member[has].astype(np.int64) * 3 + self.channel[has], when[has])
        return first.reshape(members, 3)


def _campaign_rows(
    c: Campaign,
    index: int,
    members: Members,
    activity: Activity,
    clocks: LocalClocks,
    period_of_day: np.ndarray,
    fans: dict[str, np.ndarray],
    spread: float,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    send = c.day * DAY
    eligible = (
        members.consent[:, c.channel]
        & (members.opted_out_at[:, c.channel] > send)
        & (members.joined_at < send)
    )
    if c.audience is AudienceKind.FANS and c.department is not None:
        eligible &= fans[c.department]
    elif c.audience is AudienceKind.LAPSED:
        eligible &= ~activity.active[:, period_of_day[c.day]]
    member = np.flatnonzero(eligible & (rng.random(members.count) < c.reach))
    hour = np.mod(np.round(c.hour + rng.normal(0, spread, len(member))), 24)
    local = (hour * HOUR).astype(np.int64) + rng.integers(0, HOUR, len(member))
    return {
        "member": member,
        "sent": clocks.to_utc(member, np.full(len(member), c.day), local),
        "campaign": np.full(len(member), index),
        "focus_category": np.full(len(member), c.category),
        "focus_product": np.full(len(member), -1),
        "offer": np.full(len(member), OFFER_INDEX[c.offer]),
        "triggered_at": np.full(len(member), NOT),
    }


def _cart_reminders(
    sessions: Sessions, members: Members, index: int, reach: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    carted = np.flatnonzero(sessions.carted & ~sessions.checkout)
    member = sessions.member[carted]
    start = sessions.start[carted]
    keep = (
        members.consent[member, EMAIL]
        & (members.opted_out_at[member, EMAIL] > start)
        & (rng.random(len(carted)) < reach)
    )
    carted, member = carted[keep], member[keep]
    return {
        "member": member,
        "sent": sessions.start[carted] + rng.integers(HOUR, 6 * HOUR, len(carted)),
        "campaign": np.full(len(carted), index),
        "focus_category": sessions.category[carted],
        "focus_product": sessions.cart_product[carted],
        "offer": np.where(rng.random(len(carted)) < 0.5, OFFER_INDEX["REMINDER"], OFFER_INDEX["FREESHIP"]),
        "triggered_at": sessions.start[carted],
    }


def send_contacts(
    population: Population,
    campaigns: list[Campaign],
    members: Members,
    traits: Traits,
    activity: Activity,
    sessions: Sessions,
    catalogue: Catalogue,
    clock: Timeline,
    clocks: LocalClocks,
    model: ResponseModel,
    rng: np.random.Generator,
) -> Contacts:
    spec = population.contacts
    period_of_day = clock.period_of_day()
    departments = np.array(catalogue.category_department)
    fans = {d: traits.taste[:, departments == d].sum(axis=1) >= spec.fan_threshold for d in set(departments)}
    campaigns = [*campaigns, CART_REMINDER]
    batches = [
        _campaign_rows(c, i, members, activity, clocks, period_of_day, fans, spec.send_hour_spread, rng)
        for i, c in enumerate(campaigns[:-1])
    ]
    batches.append(_cart_reminders(sessions, members, len(campaigns) - 1, spec.cart_reminder_reach, rng))

    def column(name: str) -> np.ndarray:
        return np.concatenate([b[name] for b in batches])

    member = column("member")
    sent = clocks.defer_quiet(
        member,
        column("sent"),
        members.quiet_start,
        members.quiet_end,
        rng.integers(0, HOUR // 2, len(member)),
    )
    campaign = column("campaign")
    channel = np.array([c.channel for c in campaigns], dtype=np.int8)[campaign]
    # Eligibility was judged by day; the exact send time must still precede any opt-out.
    keep = (sent < clock.span) & (sent < members.opted_out_at[member, channel])
    order = np.lexsort((member[keep], sent[keep]))
    member, sent, campaign, channel = (a[keep][order] for a in (member, sent, campaign, channel))
    offer = column("offer")[keep][order]
    focus_category = column("focus_category")[keep][order]
    focus_product = column("focus_product")[keep][order]
    triggered_at = column("triggered_at")[keep][order]
    # What the simulator's messages meet too: a cart reminder the cart's intent, decayed since the
    # cart; a message about a category the member's taste for it.
    age_days = (sent - triggered_at) / DAY
    intent = np.where(
        triggered_at != NOT,
        population.response.intent.cart * np.exp(-age_days / population.response.intent.decay_days),
        0.0,
    )
    scoped = focus_category >= 0
    share = np.where(scoped, traits.taste[member, np.maximum(focus_category, 0)], 1.0)
    relevance = np.where(scoped, model.relevance(share, 1, traits.taste.shape[1]), 1.0)

    responses = _respond(
        population,
        model,
        member,
        channel,
        sent,
        offer,
        intent,
        relevance,
        members,
        traits,
        activity,
        period_of_day,
        clocks,
        clock,
        rng,
    )
    contacts = Contacts(
        member=member,
        channel=channel,
        sent_at=sent,
        campaign=campaign,
        offer=offer,
        focus_category=focus_category,
        focus_product=focus_product,
        campaigns=campaigns,
        **responses,
    )
    # An opt-out withdraws every later send on that channel to that member.
    return contacts.subset(sent <= contacts.opted_out_at(members.count)[member, channel])


def _respond(
    population: Population,
    model: ResponseModel,
    member: np.ndarray,
    channel: np.ndarray,
    sent: np.ndarray,
    offer: np.ndarray,
    intent: np.ndarray,
    relevance: np.ndarray,
    members: Members,
    traits: Traits,
    activity: Activity,
    period_of_day: np.ndarray,
    clocks: LocalClocks,
    clock: Timeline,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Per contact: when it was opened, clicked, opted out of, and whether and when it led to an order."""
    p = population.response
    n = len(member)
    # Contacts the member had in the fatigue window before each one (rows sorted by member, time).
    by_member = np.lexsort((sent, member))
    key = member[by_member].astype(np.int64) << 32 | sent[by_member]
    recent_sorted = np.arange(n) - np.searchsorted(key, key - p.fatigue_window_days * DAY, side="left")
    recent = np.empty(n, dtype=np.int64)
    recent[by_member] = recent_sorted

    distance = np.abs(clocks.local_hour(member, sent) - traits.preferred_hour[member])
    value = np.array([model.perceived_value(t) for t in OFFER_TEMPLATES])[offer]
    chance = model.probabilities(
        Exposure(
            channel=channel,
            responsiveness=traits.channel_response[member, channel],
            hour_distance=np.minimum(distance, 24 - distance),
            recent_contacts=recent,
            offer_value=value,
            price_sensitivity=traits.price_sensitivity[member],
            active=activity.active[member, period_of_day[sent // DAY]],
            intent=intent,
            relevance=relevance,
        )
    )
    u = rng.random((6, n))
    read_at = sent + rng.exponential(OPEN_DELAY[channel]).astype(np.int64)
    read = (u[0] < chance.open) & (read_at < clock.span)
    click_at = read_at + 30 + rng.exponential(120, n).astype(np.int64)
    clicked = read & (u[1] < chance.click) & (click_at < clock.span)
    order_at = click_at + rng.exponential(ORDER_DELAY, n).astype(np.int64)
    in_window = (order_at < clock.span) & (order_at - click_at < p.redeem_window_days * DAY)
    ordered = clicked & (u[2] < chance.order) & in_window
    leave_at = np.where(read, read_at + 60, sent + rng.exponential(6 * HOUR, n).astype(np.int64))
    unsubscribed = (u[3] < chance.unsubscribe) & (leave_at < clock.span)
    complained = ~unsubscribed & (u[4] < chance.complaint) & (leave_at < clock.span)
    tracked_open = read & (channel != SMS)
    return {
        "opened_at": np.where(tracked_open, read_at, NOT),
        "clicked_at": np.where(clicked, click_at, NOT),
        "unsubscribed_at": np.where(unsubscribed, leave_at, NOT),
        "complained_at": np.where(complained, leave_at, NOT),
        "converts_at": np.where(ordered, order_at, NOT),
        "anyway": ordered & (u[5] < 1 - (1 - p.cannibalisation) * (1 - p.intent.anyway * intent)),
    }
