"""Engagement per channel (sends, opens, clicks, last engagement, consent), the preferred channel,
the preferred send hour and weekday, and behavioural-event activity.

A contact counts as opened when any response came back (open, click, redeem or order: a click
implies the message was seen) and as clicked when the member acted on it (click, redeem, order).
"""

from dataclasses import dataclass

import numpy as np

from policies.vocabulary import Channel, OutcomeType
from tools.profiles import groups
from tools.profiles.history import CHANNELS, ORDER_CHANNELS, OUTCOME_TYPES, History, Outcomes
from tools.profiles.local_time import to_local, weekday_of
from tools.profiles.send_hour import (
    ONLINE_ORDER_WEIGHT,
    STORE_ORDER_WEIGHT,
    VISIT_WEIGHT,
    HourPrior,
    HourSignals,
    best_hours,
    fit_hour_prior,
)

SEEN = tuple(
    OUTCOME_TYPES.index(t)
    for t in (OutcomeType.OPEN, OutcomeType.CLICK, OutcomeType.REDEEM, OutcomeType.ORDER)
)
ACTED = tuple(OUTCOME_TYPES.index(t) for t in (OutcomeType.CLICK, OutcomeType.REDEEM, OutcomeType.ORDER))
RESPONDED = tuple(OUTCOME_TYPES.index(t) for t in (OutcomeType.REDEEM, OutcomeType.ORDER))
# Where a member with no message history is best reached, from how they shop.
ORDER_CHANNEL_REACH = {
    "store": Channel.IN_STORE.value,
    "online": Channel.EMAIL.value,
    "app": Channel.IN_APP.value,
}
MIN_TIMING_SIGNALS = 3  # engagements needed before their times outrank purchase times
DIGITAL_CHANNELS = tuple(
    CHANNELS.index(c) for c in (Channel.EMAIL, Channel.SMS, Channel.PUSH, Channel.IN_APP)
)


@dataclass(frozen=True)
class Engagement:
    """Per member (rows) and channel (columns, in `CHANNELS` order)."""

    sends: np.ndarray
    opens: np.ndarray
    clicks: np.ndarray
    last_engaged: np.ndarray  # days, NaN when never
    consent: np.ndarray  # bool; no record means no consent
    preferred_channel: np.ndarray  # int index into CHANNELS, -1 when nothing to go on
    send_hour: np.ndarray  # int 0..23, -1 when unknown
    send_weekday: np.ndarray  # int 0 (Monday)..6, -1 when unknown


def engagement(history: History, hour_prior: HourPrior | None = None) -> Engagement:
    """`hour_prior`: what members' hours are shrunk toward (fitted with the models); by default
    fitted on this history itself."""
    n, k = len(history.members), len(CHANNELS)
    outcomes = history.outcomes
    sends = history.current.sends
    opens = _answered(outcomes, SEEN, n)
    clicks = _answered(outcomes, ACTED, n)
    engaged = np.isin(outcomes.type, SEEN)
    cell = outcomes.member.astype(np.int64) * k + outcomes.channel
    last = groups.maximum(cell[engaged], outcomes.at[engaged], n * k).reshape(n, k)
    consent = np.zeros(n * k, dtype=bool)
    consent[history.consents.member.astype(np.int64) * k + history.consents.channel] = (
        history.consents.granted
    )
    consent = consent.reshape(n, k)
    return Engagement(
        sends=sends,
        opens=opens,
        clicks=clicks,
        last_engaged=last,
        consent=consent,
        preferred_channel=_preferred(history, sends, opens, clicks, consent),
        **_send_time(history, outcomes.member[engaged], outcomes.at[engaged], hour_prior),
    )


def _answered(outcomes: Outcomes, types: tuple[int, ...], n: int) -> np.ndarray:
    """Members x channels: messages with at least one outcome of `types`."""
    k = len(CHANNELS)
    chosen = np.isin(outcomes.type, types)
    _, first = np.unique(outcomes.contact[chosen], return_index=True)
    cell = outcomes.member[chosen][first].astype(np.int64) * k + outcomes.channel[chosen][first]
    return np.bincount(cell, minlength=n * k).reshape(n, k).astype(float)


def _preferred(
    history: History, sends: np.ndarray, opens: np.ndarray, clicks: np.ndarray, consent: np.ndarray
) -> np.ndarray:
    """The channel with the best response per message (clicks count double, lightly smoothed so
    one lucky open does not win), among consented channels when the member has any consents;
    with no message history, where they shop."""
    score = (clicks + 0.5 * opens) / (sends + 2.0)
    has_consents = consent.any(axis=1, keepdims=True)
    allowed = np.where(has_consents, consent, True) & (sends > 0)
    score = np.where(allowed, score, -1.0)
    preferred = np.where(allowed.any(axis=1), score.argmax(axis=1), -1)
    orders = history.orders
    n = len(history.members)
    by_order_channel = np.stack(
        [groups.count(orders.member, n, orders.channel == c) for c in range(len(ORDER_CHANNELS))], axis=1
    )
    shops = by_order_channel.sum(axis=1) > 0
    reach = np.array([CHANNELS.index(ORDER_CHANNEL_REACH[c]) for c in ORDER_CHANNELS])
    fallback = reach[by_order_channel.argmax(axis=1)]
    # the till needs no consent; any other fallback does, once the member has consents on record
    reachable = (
        (fallback == CHANNELS.index(Channel.IN_STORE)) | ~has_consents[:, 0] | consent[np.arange(n), fallback]
    )
    return np.where(preferred >= 0, preferred, np.where(shops & reachable, fallback, -1))


def _send_time(
    history: History, engaged_member: np.ndarray, engaged_at: np.ndarray, hour_prior: HourPrior | None
) -> dict[str, np.ndarray]:
    """The member's best local hour (`tools.profiles.send_hour`: from their own orders' and
    visits' times),
    and the weekday they most often respond, or else most often buy."""
    n = len(history.members)
    zones = history.members.time_zone
    orders = history.orders
    engaged_count = np.bincount(engaged_member, minlength=n)
    use_engagement = engaged_count >= MIN_TIMING_SIGNALS
    from_orders = ~use_engagement[orders.member]
    member = np.concatenate([engaged_member[use_engagement[engaged_member]], orders.member[from_orders]])
    at = np.concatenate([engaged_at[use_engagement[engaged_member]], orders.at[from_orders]])
    local = to_local(at, member, zones) if len(at) else at
    table = np.bincount(member.astype(np.int64) * 7 + weekday_of(local), minlength=n * 7).reshape(n, 7)
    weekday = np.where(table.sum(axis=1) > 0, table.argmax(axis=1), -1)
    signals, segment = hour_signals(history, engaged_member, engaged_at)
    prior = hour_prior or fit_hour_prior(signals, segment, len(history.members), HOUR_SEGMENTS)
    return {"send_hour": best_hours(signals, segment, len(history.members), prior), "send_weekday": weekday}


def fit_send_hours(history: History) -> HourPrior:
    """The hour prior of this base, to be kept with the fitted models."""
    outcomes = history.outcomes
    engaged = np.isin(outcomes.type, SEEN)
    signals, segment = hour_signals(history, outcomes.member[engaged], outcomes.at[engaged])
    return fit_hour_prior(signals, segment, len(history.members), HOUR_SEGMENTS)


# Hour segments: where the member mostly orders (ORDER_CHANNELS), or nowhere yet.
HOUR_SEGMENTS = len(ORDER_CHANNELS) + 1


def hour_signals(
    history: History, engaged_member: np.ndarray | None = None, engaged_at: np.ndarray | None = None
) -> tuple[HourSignals, np.ndarray]:
    """The times members acted of their own accord (`tools.profiles.send_hour`), and each member's
    hour segment. A member whose answers to messages cluster at one hour (`answers_at_one_hour`)
    is timed by those answers alone: they read at that hour whenever the message came."""
    n = len(history.members)
    orders = history.orders
    store = ORDER_CHANNELS.index("store")
    visits = history.visits
    member = np.concatenate([orders.member, visits.member]).astype(np.int64)
    at = np.concatenate([orders.at, visits.at])
    weight = np.concatenate(
        [
            np.where(orders.channel == store, STORE_ORDER_WEIGHT, ONLINE_ORDER_WEIGHT),
            np.full(len(visits.member), VISIT_WEIGHT),
        ]
    )
    local = to_local(at, member, history.members.time_zone) if len(at) else at
    hour = (local - np.floor(local)) * 24.0
    if engaged_member is not None and engaged_at is not None and len(engaged_member):
        engaged_member = engaged_member.astype(np.int64)
        answered = to_local(engaged_at, engaged_member, history.members.time_zone)
        answered_hour = (answered - np.floor(answered)) * 24.0
        reader = answers_at_one_hour(engaged_member, answered_hour, n)
        own = reader[engaged_member]
        keep = ~reader[member]
        member = np.concatenate([member[keep], engaged_member[own]])
        hour = np.concatenate([hour[keep], answered_hour[own]])
        weight = np.concatenate([weight[keep], np.ones(int(own.sum()))])
    by_channel = np.stack(
        [groups.count(orders.member, n, orders.channel == c) for c in range(len(ORDER_CHANNELS))], axis=1
    )
    segment = np.where(by_channel.sum(axis=1) > 0, by_channel.argmax(axis=1), len(ORDER_CHANNELS))
    return HourSignals(member, hour, weight), segment


# Answers cluster at one hour when there are enough of them and their circular resultant length
# reaches this (a spread of about 1.3 h); answers that follow the retailer's varied send times
# spread wider, and a few can cluster by chance.
ONE_HOUR_MIN_ANSWERS = 5
ONE_HOUR_CONCENTRATION = 0.85


def answers_at_one_hour(member: np.ndarray, hour: np.ndarray, n: int) -> np.ndarray:
    """Members with at least ONE_HOUR_MIN_ANSWERS answers to messages, tightly clustered in time."""
    count = np.bincount(member, minlength=n)
    angle = hour / 24.0 * 2 * np.pi
    x = np.bincount(member, weights=np.cos(angle), minlength=n)
    y = np.bincount(member, weights=np.sin(angle), minlength=n)
    length = np.hypot(x, y) / np.maximum(count, 1)
    return (count >= ONE_HOUR_MIN_ANSWERS) & (length >= ONE_HOUR_CONCENTRATION)


def activity(history: History) -> dict[str, np.ndarray]:
    """Behavioural events in recent windows (`EVENT_WINDOWS`: digital = anything but a store visit)."""
    return dict(history.current.events)


def engagement_fields(history: History, found: Engagement) -> dict[str, np.ndarray]:
    """Flat per-member numbers from the engagement tables, for models and segment rules."""
    out: dict[str, np.ndarray] = {}
    for column, channel in enumerate(CHANNELS):
        out[f"{channel}_sends"] = found.sends[:, column]
        out[f"{channel}_open_rate"] = groups.ratio(found.opens[:, column], found.sends[:, column])
        out[f"{channel}_click_rate"] = groups.ratio(found.clicks[:, column], found.sends[:, column])
        out[f"{channel}_consent"] = found.consent[:, column].astype(float)
    n = len(history.members)
    outcomes = history.outcomes
    out["contacts_total"] = found.sends.sum(axis=1)
    out["contacts_90"] = history.current.sends_90
    engaged = np.isin(outcomes.type, SEEN)
    out["engagements_90"] = groups.count(outcomes.member, n, engaged & (history.as_of - outcomes.at < 90))
    out["days_since_engagement"] = history.as_of - np.fmax.reduce(found.last_engaged, axis=1)
    out["offer_response_rate"] = groups.ratio(
        _answered(outcomes, RESPONDED, n).sum(axis=1), out["contacts_total"]
    )
    out["message_channels_engaged"] = (found.opens > 0).sum(axis=1).astype(float)
    digital = np.isin(outcomes.channel, DIGITAL_CHANNELS)
    recent = history.as_of - outcomes.at < 365
    out["digital_responses_365"] = groups.count(outcomes.member, n, engaged & digital & recent)
    return out
