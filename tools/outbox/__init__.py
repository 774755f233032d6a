"""The outbox: where an approved proposal becomes a message, and where messages leave.

- `accept`: one approved, unchanged proposal is queued (`send_approved`), or refused with a code;
- `accept_many`: a campaign's proposals queued in chunks under the same checks (`send_approved_many`);
- `deliver`: due messages are claimed, handed to the channel adapters, retried, dead-lettered.
"""

from tools.errors import SendRefused
from tools.outbox.accept import (
    SendReceipt,
    approval_key,
    check_approval,
    outbox_counts,
    queued_contact,
    send_approved,
)
from tools.outbox.accept_many import DEFAULT_CHUNK, BatchItem, BatchResult, RecheckMany, send_approved_many
from tools.outbox.deliver import DeadLetter, RetryPolicy, claim_contacts, dead_letters, record_result

__all__ = [
    "DEFAULT_CHUNK",
    "BatchItem",
    "BatchResult",
    "DeadLetter",
    "RecheckMany",
    "RetryPolicy",
    "SendReceipt",
    "SendRefused",
    "approval_key",
    "check_approval",
    "claim_contacts",
    "dead_letters",
    "outbox_counts",
    "queued_contact",
    "record_result",
    "send_approved",
    "send_approved_many",
]
