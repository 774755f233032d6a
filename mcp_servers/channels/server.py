"""The channels server: the only way a message reaches a member.

It sends nothing without an approval the guard recorded for exactly this content (see
`tools.outbox`), and re-checks contact pressure and consent against the database at send time,
because other messages may have been queued since the guard looked.
"""

from datetime import datetime, timedelta
from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from mcp_servers.shared import HttpAuth, MemberRef, ServerDeps, new_server, tool_errors
from policies.proposal import OfferProposal
from policies.vocabulary import Channel, OutcomeType
from tools.members import contact_history, contact_record, record_outcome, resolve_member
from tools.outbox import outbox_counts, send_approved
from tools.rule_facts import send_time_violations
from tools.time import UtcTimestamp, to_storage

READ = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
WRITE_ONCE = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True
)


class RecentMessage(BaseModel):
    channel: str
    use_case: str | None
    status: str
    at: UtcTimestamp
    engaged: bool


class ChannelStatus(BaseModel):
    channel: Channel
    consented: bool
    opted_out_at: UtcTimestamp | None
    sent_last_7_days: int
    weekly_cap: int | None
    remaining_this_week: int | None
    send_window_local: str | None


class ContactStatus(BaseModel):
    customer_id: int
    time_zone: str
    channels: list[ChannelStatus]
    messages_last_24h: int
    daily_cap: int
    messages_last_7_days: int
    weekly_cap: int
    recent: list[RecentMessage] = Field(description="The last ten messages, newest first.")


class SendReceipt(BaseModel):
    contact_id: int = Field(description="Pass to record_outcome.")
    proposal_id: str
    channel: str
    scheduled_at: UtcTimestamp
    status: str


class PastContact(BaseModel):
    contact_id: int
    channel: str
    use_case: str | None
    status: str
    scheduled_at: UtcTimestamp
    sent_at: UtcTimestamp | None
    offer_code: str | None
    subject: str | None
    outcomes: list[str] = Field(description="open, click, redeem, order, unsubscribe, complaint...")


class ContactHistory(BaseModel):
    contacts: list[PastContact] = Field(description="Newest first.")


class OutcomeReceipt(BaseModel):
    recorded: bool = Field(description="False when this outcome was already recorded (nothing changed).")


def build(deps: ServerDeps, http: HttpAuth | None = None) -> MCPServer:
    server = new_server(
        "channels",
        "Contact and delivery",
        "Contact status and delivery. Messages are sent only with a guard approval for exactly the "
        "proposal content; anything else is refused.",
        http,
    )
    policy = deps.policy

    @server.tool(title="Contact status", annotations=READ)
    @tool_errors
    async def contact_status(customer_id: MemberRef) -> ContactStatus:
        """A member's reachability now: consent and opt-out per channel, local send windows, how many
        messages they had in the last day and week against the caps, and their recent messages.
        Check this before proposing a channel."""
        now = deps.clock()
        customer_id = await resolve_member(deps.db, customer_id)
        record = await contact_record(deps.db, customer_id, now=now, lookback=timedelta(days=7))
        freq = policy.frequency
        week_ago, day_ago = now - timedelta(days=7), now - timedelta(days=1)
        counted = [m for m in record.recent if m.scheduled_at >= to_storage(week_ago)]
        windows = policy.quiet_hours.local.windows
        channels = []
        for channel in Channel:
            sent = sum(1 for m in counted if m.channel == channel.value)
            cap = freq.channel_weekly.limits.get(channel)
            window = windows.get(channel)
            channels.append(
                ChannelStatus(
                    channel=channel,
                    consented=record.consents.get(channel.value, False),
                    opted_out_at=record.opted_out.get(channel.value),
                    sent_last_7_days=sent,
                    weekly_cap=cap,
                    remaining_this_week=None if cap is None else max(cap - sent, 0),
                    send_window_local=f"{window.send_from:%H:%M}-{window.send_until:%H:%M}"
                    if window
                    else None,
                )
            )
        capped = {c.value for c in freq.weekly_total.counted_channels}
        return ContactStatus(
            customer_id=customer_id,
            time_zone=record.time_zone,
            channels=channels,
            messages_last_24h=sum(
                1 for m in counted if m.channel in capped and m.scheduled_at >= to_storage(day_ago)
            ),
            daily_cap=freq.daily_total.max_contacts,
            messages_last_7_days=sum(1 for m in counted if m.channel in capped),
            weekly_cap=freq.weekly_total.max_contacts,
            recent=[
                RecentMessage(
                    channel=m.channel,
                    use_case=m.use_case,
                    status=m.status,
                    at=m.scheduled_at,
                    engaged=m.engaged,
                )
                for m in record.recent[:10]
            ],
        )

    async def recheck(session: AsyncSession, proposal: OfferProposal) -> list[str]:
        return await send_time_violations(
            session,
            proposal,
            policy,
            now=deps.clock(),
            lookback=deps.contact_lookback,
            ignore_window=deps.ignore_window,
        )

    @server.tool(title="Send an approved proposal", annotations=WRITE_ONCE)
    @tool_errors
    async def send_approved_proposal(
        proposal: Annotated[
            OfferProposal, Field(description="The proposal exactly as the guard approved it.")
        ],
        approval_id: Annotated[
            str, Field(min_length=8, max_length=64, description="From record_guard_verdict.")
        ],
    ) -> SendReceipt:
        """Queue an approved proposal for delivery at its send_at time. Refused unless approval_id
        was issued by the guard for exactly this proposal content, is unused and unexpired, the
        member can still be contacted (caps, consent) and the use case's budget covers the cost."""
        receipt = await send_approved(deps.db, proposal, approval_id, now=deps.clock(), recheck=recheck)
        return SendReceipt(
            contact_id=receipt.contact_id,
            proposal_id=receipt.proposal_id,
            channel=receipt.channel,
            scheduled_at=receipt.scheduled_at,
            status=receipt.status,
        )

    @server.tool(name="contact_history", title="Contact history", annotations=READ)
    @tool_errors
    async def contact_history_tool(
        customer_id: MemberRef,
        limit: Annotated[int, Field(ge=1, le=deps.max_page_size, description="How many messages.")] = 20,
    ) -> ContactHistory:
        """A member's messages, newest first, with their outcomes (open, click, redeem, order...)."""
        member = await resolve_member(deps.db, customer_id)
        return ContactHistory(
            contacts=[
                PastContact.model_validate(c) for c in await contact_history(deps.db, member, limit=limit)
            ]
        )

    @server.tool(name="record_outcome", title="Record an outcome", annotations=WRITE_ONCE)
    @tool_errors
    async def record_outcome_tool(
        contact_id: Annotated[
            int, Field(ge=1, description="From send_approved_proposal or contact_history.")
        ],
        outcome: Annotated[OutcomeType, Field(description="What the member did.")],
        occurred_at: Annotated[
            datetime | None, Field(description="When, ISO 8601; UTC without an offset (default: now).")
        ] = None,
        revenue: Annotated[
            float, Field(ge=0, le=1_000_000, description="Order revenue, for an order.")
        ] = 0.0,
        margin: Annotated[
            float, Field(ge=-1_000_000, le=1_000_000, description="Order margin, for an order.")
        ] = 0.0,
    ) -> OutcomeReceipt:
        """Record a member's response to a message. Idempotent: the same outcome twice is recorded
        once. An unsubscribe or complaint withdraws consent for that channel at once."""
        when = occurred_at or deps.clock()
        return OutcomeReceipt(
            recorded=await record_outcome(
                deps.db, contact_id, outcome, occurred_at=when, revenue=revenue, margin=margin
            )
        )

    @server.tool(title="Outbox", annotations=READ)
    @tool_errors
    async def outbox_status() -> dict[str, int]:
        """Messages by delivery status: queued, sending, sent, failed, dead_letter, cancelled."""
        return await outbox_counts(deps.db)

    return server
