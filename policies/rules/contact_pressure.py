"""How often we may contact a member: caps, minimum gaps and back-off after ignored messages.

Windows are measured from the proposal's send time to each recent contact, on either side, so a
scheduled message counts as much as a sent one.
"""

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from policies.frame import Frame
from policies.rule_config import ChannelGapRule, ChannelWeeklyCapRule, FatigueRule, TotalCapRule
from policies.rules.base import Hit, count_per_row, first_per_row, gather, hours, in_hours, iso, rows_where
from policies.violation import Fact
from policies.vocabulary import Channel


def _distance(frame: Frame) -> NDArray[np.timedelta64]:
    contacts = frame.contacts
    distance: NDArray[np.timedelta64] = np.abs(contacts.sent_at - frame.send_at[contacts.row])
    return distance


def frequency_total_cap(frame: Frame, config: TotalCapRule) -> Iterator[Hit]:
    """Daily and weekly caps across channels; the config's class fixes the window."""
    counted = list(config.counted_channels)
    near = np.isin(frame.contacts.channel, counted) & (_distance(frame) < hours(config.window_hours))
    count = count_per_row(frame.size, frame.contacts.row, near)
    capped = np.isin(frame.channel, counted) & (count >= config.max_contacts)
    for row in rows_where(capped):
        facts: dict[str, Fact] = {
            "count": int(count[row]),
            "max_contacts": config.max_contacts,
            "window_hours": config.window_hours,
        }
        yield Hit(row, facts, "send_at")


def _same_channel(frame: Frame) -> NDArray[np.bool_]:
    same: NDArray[np.bool_] = frame.contacts.channel == frame.channel[frame.contacts.row]
    return same


def frequency_channel_weekly(frame: Frame, config: ChannelWeeklyCapRule) -> Iterator[Hit]:
    limit = np.full(frame.size, -1, dtype=np.int64)
    for channel, max_contacts in config.limits.items():
        limit[frame.channel == channel] = max_contacts
    near = _same_channel(frame) & (_distance(frame) < hours(config.window_hours))
    count = count_per_row(frame.size, frame.contacts.row, near)
    for row in rows_where((limit >= 0) & (count >= limit)):
        facts: dict[str, Fact] = {
            "channel": str(frame.channel[row]),
            "count": int(count[row]),
            "max_contacts": int(limit[row]),
        }
        yield Hit(row, facts, "channel")


def frequency_channel_gap(frame: Frame, config: ChannelGapRule) -> Iterator[Hit]:
    contacts = frame.contacts
    min_gap = np.zeros(frame.size, dtype="timedelta64[us]")
    for channel, gap_hours in config.min_hours.items():
        min_gap[frame.channel == channel] = hours(gap_hours)
    distance = _distance(frame)
    too_close = _same_channel(frame) & (distance < min_gap[contacts.row])
    nearest = first_per_row(frame.size, contacts.row, too_close, distance)
    latest = first_per_row(frame.size, contacts.row, too_close, -contacts.sent_at.astype(np.int64))
    for row in rows_where(nearest >= 0):
        facts: dict[str, Fact] = {
            "channel": str(frame.channel[row]),
            "gap_hours": in_hours(distance[nearest[row]]),
            "min_hours": config.min_hours[Channel(str(frame.channel[row]))],
            "next_allowed": iso(contacts.sent_at[latest[row]] + min_gap[row]),
        }
        yield Hit(row, facts, "send_at")


def fatigue_backoff(frame: Frame, config: FatigueRule) -> Iterator[Hit]:
    """Back off for a cool-down after the last message once the member has ignored too many.

    With no recent contact on record the cool-down has already passed: the context is required
    to cover the policy's longest look-back.
    """
    contacts = frame.contacts
    before = contacts.sent_at <= frame.send_at[contacts.row]
    last = first_per_row(frame.size, contacts.row, before, -contacts.sent_at.astype(np.int64))
    last_sent = gather(contacts.sent_at, last, np.datetime64("NaT"))
    cooldown = hours(config.cooldown_days * 24)
    tired = frame.consecutive_ignored >= config.max_consecutive_ignored
    cooling = frame.send_at - last_sent < cooldown  # false where there is no last contact (NaT)
    for row in rows_where(tired & cooling):
        facts: dict[str, Fact] = {
            "ignored": int(frame.consecutive_ignored[row]),
            "max_ignored": config.max_consecutive_ignored,
            "cooldown_days": config.cooldown_days,
            "next_allowed": iso(last_sent[row] + cooldown),
        }
        yield Hit(row, facts, None)
