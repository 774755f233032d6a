"""The same incentive must not reach a member on two channels."""

from collections.abc import Iterator

import numpy as np

from policies.frame import Frame
from policies.rule_config import DuplicateOfferRule
from policies.rules.base import Hit, first_per_row, hours, iso, rows_where
from policies.violation import Fact


def duplicate_cross_channel(frame: Frame, config: DuplicateOfferRule) -> Iterator[Hit]:
    contacts = frame.contacts
    distance = np.abs(contacts.sent_at - frame.send_at[contacts.row])
    duplicate = (
        (contacts.fingerprint == frame.fingerprint[contacts.row])
        & (contacts.channel != frame.channel[contacts.row])
        & (distance < hours(config.window_hours))
    )
    nearest = first_per_row(frame.size, contacts.row, duplicate, distance)
    for row in rows_where(nearest >= 0):
        facts: dict[str, Fact] = {
            "other_channel": str(contacts.channel[nearest[row]]),
            "other_sent_at": iso(contacts.sent_at[nearest[row]]),
            "window_hours": config.window_hours,
        }
        yield Hit(row, facts, "offer")
