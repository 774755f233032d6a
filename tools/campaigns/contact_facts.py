"""What storage says about an audience's contactability right now, read set-based.

The same facts `tools.rule_facts.rule_context` and `tools.nba.member_scoring` read for one member —
consents and opt-outs, live messages within the look-back with their offer fingerprints, ignored
messages in a row, the member's quiet hours, the use case's budget — read for thousands of members
in a handful of queries. Consent comes from
storage, not the profile frame, so an opt-out recorded after the frame was built still counts.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import func, select

from policies.context import RecentContact
from policies.model import Policy
from policies.proposal import OfferProposal, offer_fingerprint
from policies.vocabulary import Channel, UseCase
from tools.budgets import budget_state
from tools.members import ENGAGED, LIVE_STATUSES
from tools.nba import CHANNELS
from tools.storage import ChannelConsent, Contact, Customer, Database, Outcome, Proposal
from tools.time import to_storage

CHUNK = 5_000  # ids per IN list: well inside SQLite's and asyncpg's bind-parameter limits
WEEK = timedelta(days=7)
# Looked up rather than constructed: hundreds of thousands of rows go through these.
_CHANNELS = {c.value: c for c in Channel}
_USE_CASES = {u.value: u for u in UseCase}


@dataclass(frozen=True)
class _Live:
    contact_id: int
    position: int
    channel: Channel
    scheduled_at: datetime
    when: datetime
    fingerprint: str
    use_case: UseCase
    sent_at: datetime | None  # None while queued or in flight
    engaged: bool
    ignored: bool  # sent, unanswered for the ignore window


@dataclass(frozen=True)
class ContactFacts:
    """One entry per audience member, in the audience's order."""

    consents: list[dict[Channel, bool]]
    opted_out: list[frozenset[Channel]]
    live: dict[int, list[_Live]]  # by audience position, newest first, within the look-back
    consecutive_ignored: np.ndarray  # int, as the rules count it (`tools.rule_facts`)
    ignored_this_week: np.ndarray  # int, as the scorer counts it (`tools.members.consecutive_ignored`)
    live_last_7d: np.ndarray  # int: messages queued, in flight or sent in the last week
    reachable: np.ndarray  # members x scorer CHANNELS: consented, not opted out, not capped
    quiet_hours: np.ndarray  # members x (start hour, end hour): the member's own quiet hours
    budget_remaining: float  # 0 when there is no budget for the moment, or it is paused
    budget_paused: bool
    watermark: int  # the newest contact id when read: anything above it came later

    def subset(self, positions: Sequence[int]) -> "ContactFacts":
        """The facts of the members at `positions`, in that order."""
        at = list(positions)
        return replace(
            self,
            consents=[self.consents[i] for i in at],
            opted_out=[self.opted_out[i] for i in at],
            live={k: self.live[i] for k, i in enumerate(at) if i in self.live},
            consecutive_ignored=self.consecutive_ignored[at],
            ignored_this_week=self.ignored_this_week[at],
            live_last_7d=self.live_last_7d[at],
            reachable=self.reachable[at],
            quiet_hours=self.quiet_hours[at],
        )

    def recent(self, i: int) -> tuple[RecentContact, ...]:
        """Member i's live messages as the rules read them (built for the members who need them)."""
        return tuple(
            RecentContact(
                channel=c.channel,
                sent_at=c.when.replace(tzinfo=UTC),
                offer_fingerprint=c.fingerprint,
                use_case=c.use_case,
            )
            for c in self.live.get(i, ())
        )


async def read_contact_facts(
    db: Database,
    customer_ids: Sequence[int],
    use_case: UseCase,
    policy: Policy,
    *,
    now: datetime,
    lookback: timedelta,
    ignore_window: timedelta,
) -> ContactFacts:
    moment = to_storage(now)
    position = {int(c): i for i, c in enumerate(customer_ids)}
    n = len(customer_ids)
    consents: list[dict[Channel, bool]] = [{} for _ in range(n)]
    opted: list[set[Channel]] = [set() for _ in range(n)]
    quiet = np.zeros((n, 2), dtype=np.int64)
    async with db.session() as session:
        watermark = int(await session.scalar(select(func.coalesce(func.max(Contact.id), 0))) or 0)
        for chunk in _chunks(customer_ids):
            rows = await session.execute(
                select(
                    ChannelConsent.customer_id,
                    ChannelConsent.channel,
                    ChannelConsent.granted,
                    ChannelConsent.opted_out_at,
                ).where(ChannelConsent.customer_id.in_(chunk))
            )
            for customer_id, channel, granted, opted_out_at in rows:
                at = position[customer_id]
                consents[at][_CHANNELS[channel]] = bool(granted)
                if opted_out_at is not None:
                    opted[at].add(_CHANNELS[channel])
            hours = (
                await session.execute(
                    select(Customer.id, Customer.quiet_start_hour, Customer.quiet_end_hour).where(
                        Customer.id.in_(chunk)
                    )
                )
            ).all()
            for customer_id, start, end in hours:
                quiet[position[customer_id]] = (start, end)
        live = await _live_contacts(session, position, moment, lookback, ignore_window)
        budget = await budget_state(session, use_case, moment)
    by_member: dict[int, list[_Live]] = defaultdict(list)
    for contact in live:
        by_member[contact.position].append(contact)
    ignored = np.zeros(n, dtype=np.int64)
    ignored_week = np.zeros(n, dtype=np.int64)
    for at, contacts in by_member.items():
        contacts.sort(
            key=lambda c: (c.scheduled_at, c.contact_id), reverse=True
        )  # as `tools.rule_facts` orders
        ignored[at] = _rules_ignored(contacts)
        ignored_week[at] = _scorer_ignored(
            [c for c in contacts if c.scheduled_at >= moment - WEEK], moment, ignore_window
        )
    reachable = np.array(
        [[consents[i].get(c, False) and c not in opted[i] for c in CHANNELS] for i in range(n)], dtype=bool
    ).reshape(n, len(CHANNELS))
    reachable &= ~_capped(live, n, policy, moment)
    week = [c for c in live if c.scheduled_at >= moment - WEEK]
    live_7d = np.bincount(np.array([c.position for c in week], dtype=np.int64), minlength=n)
    paused, remaining = budget.paused, budget.remaining
    return ContactFacts(
        consents=consents,
        opted_out=[frozenset(o) for o in opted],
        live=dict(by_member),
        consecutive_ignored=ignored,
        ignored_this_week=ignored_week,
        live_last_7d=live_7d,
        reachable=reachable,
        quiet_hours=quiet,
        budget_remaining=remaining,
        budget_paused=paused,
        watermark=watermark,
    )


async def _live_contacts(
    session, position: dict[int, int], moment: datetime, lookback: timedelta, ignore_window: timedelta
) -> list[_Live]:
    # One indexed range scan (status, scheduled_at) for everyone, then kept to the audience.
    rows = (
        await session.execute(
            select(
                Contact.id,
                Contact.customer_id,
                Contact.channel,
                Contact.status,
                Contact.scheduled_at,
                Contact.sent_at,
                Contact.use_case,
                Contact.offer_code,
                Contact.proposal_id,
            ).where(Contact.status.in_(LIVE_STATUSES), Contact.scheduled_at >= moment - lookback)
        )
    ).all()
    rows = [r for r in rows if r.customer_id in position]
    engaged: set[int] = set()
    contents: dict[str, dict] = {}
    for chunk in _chunks([r.id for r in rows]):
        engaged.update(
            await session.scalars(
                select(Outcome.contact_id).where(Outcome.contact_id.in_(chunk), Outcome.type.in_(ENGAGED))
            )
        )
    for chunk in _chunks(sorted({r.proposal_id for r in rows if r.proposal_id is not None})):
        found = await session.execute(select(Proposal.id, Proposal.content).where(Proposal.id.in_(chunk)))
        contents.update((proposal_id, content) for proposal_id, content in found)
    live = []
    for r in rows:
        when = r.sent_at or r.scheduled_at
        live.append(
            _Live(
                contact_id=r.id,
                position=position[r.customer_id],
                channel=_CHANNELS[r.channel],
                scheduled_at=r.scheduled_at,
                when=when,
                fingerprint=_fingerprint(
                    contents.get(r.proposal_id) if r.proposal_id else None, r.offer_code
                ),
                use_case=_USE_CASES[r.use_case] if r.use_case else UseCase.REACTIVATION,
                sent_at=r.sent_at if r.status == "sent" else None,
                engaged=r.id in engaged,
                ignored=r.status == "sent" and r.id not in engaged and moment - when >= ignore_window,
            )
        )
    return live


def _rules_ignored(newest_first: list[_Live]) -> int:
    """Ignored messages in a row since the member last engaged, as `tools.rule_facts` counts them:
    the count stops at the first message not (yet) ignored."""
    count = 0
    for contact in newest_first:
        if not contact.ignored:
            break
        count += 1
    return count


def _scorer_ignored(newest_first: list[_Live], moment: datetime, window: timedelta) -> int:
    """The same count as the scorer takes it for one member (`tools.members.consecutive_ignored`,
    over its week of contacts): messages not sent yet are passed over, and only an engagement stops it."""
    count = 0
    for contact in newest_first:
        if contact.sent_at is None:
            continue
        if contact.engaged:
            break
        if moment - contact.sent_at >= window:
            count += 1
    return count


def _fingerprint(content: dict | None, offer_code: str | None) -> str:
    # As `tools.rule_facts` does: imported history carries only a coupon code.
    if content is not None:
        return offer_fingerprint(OfferProposal.model_validate(content).offer)
    return hashlib.sha256(f"code:{offer_code or 'none'}".encode()).hexdigest()


def _capped(live: list[_Live], n: int, policy: Policy, moment: datetime) -> np.ndarray:
    """Members x channels whose weekly cap is used up or whose minimum gap has not passed, as
    `tools.nba.member_scoring` judges one member: no candidate goes there."""
    capped = np.zeros((n, len(CHANNELS)), dtype=bool)
    week = [c for c in live if moment - c.scheduled_at < WEEK]
    if not week:
        return capped
    member = np.array([c.position for c in week], dtype=np.int64)
    channel = np.array([CHANNELS.index(c.channel) if c.channel in CHANNELS else -1 for c in week])
    hours_away = np.abs(np.array([(moment - c.scheduled_at).total_seconds() / 3600 for c in week]))
    frequency = policy.frequency
    for j, name in enumerate(CHANNELS):
        on = channel == j
        limit = frequency.channel_weekly.limits.get(name)
        gap = frequency.channel_gap.min_hours.get(name)
        if limit is not None:
            capped[:, j] |= np.bincount(member[on], minlength=n) >= limit
        if gap is not None:
            capped[member[on & (hours_away < gap)], j] = True
    return capped


def _chunks(ids: Sequence) -> Iterator[list]:
    values = list(ids)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
