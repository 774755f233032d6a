"""A member as the tools read them: naming one (internal or external id), their contact record
(consents, recent messages, engagement, outcomes coming back) and their recent history."""

from tools.members.contacts import (
    ENGAGED,
    LIVE_STATUSES,
    OPTING_OUT,
    RECENT_CONTACTS,
    ContactRecord,
    SentMessage,
    consecutive_ignored,
    contact_history,
    contact_record,
    member_with_consents,
    record_outcome,
    withdraw_consents,
)
from tools.members.history import purchase_history, recent_events
from tools.members.ids import resolve_member

__all__ = [
    "ENGAGED",
    "LIVE_STATUSES",
    "OPTING_OUT",
    "RECENT_CONTACTS",
    "ContactRecord",
    "SentMessage",
    "consecutive_ignored",
    "contact_history",
    "contact_record",
    "member_with_consents",
    "purchase_history",
    "recent_events",
    "record_outcome",
    "resolve_member",
    "withdraw_consents",
]
