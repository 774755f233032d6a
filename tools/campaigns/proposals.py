"""Turning a member's chosen candidate into an offer proposal, and the member into rule facts.

Proposals take the shape the specialists' proposals take (`agents.specialists.proposal_builder`):
the member's usual hour inside the channel's send window and outside their own quiet hours, the
use case's validity, the favourite (or top affinity) category as the offer's scope, the
copywriter's message, and the value terms of §5.
Rule contexts carry what `tools.rule_facts` would read for the member, from the frame and the
audience's contact facts, so the batch check judges what the rules server would.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from policies.context import RuleContext
from policies.model import Policy
from policies.proposal import Offer, OfferProposal, ValueEstimate
from policies.vocabulary import Channel, Tier, UseCase
from tools.campaigns.contact_facts import ContactFacts
from tools.campaigns.ports import CopyRequest, CopyWriter
from tools.campaigns.scoring import AudienceScores, profiled, typical_basket
from tools.nba import rationale, send_time, valid_until
from tools.profiles import ProfileFrame

HOURS_PER_DAY = 24.0


@dataclass
class ProposalFactory:
    frame: ProfileFrame
    rows: np.ndarray  # audience positions in the frame
    anchors: list[str | None]  # per member, the category the message is about (`anchor_categories`)
    facts: ContactFacts
    scores: AudienceScores
    use_case: UseCase
    policy: Policy
    now: datetime  # aware UTC
    writer: CopyWriter
    due: np.ndarray | None = None  # per member: their anchor category is a regular purchase coming due
    traces: list[str] | None = None  # per member: their own decision trace (`PlannedMember.trace_id`)
    _send_times: dict[tuple[str, int, Channel, int, int], datetime] = field(default_factory=dict, repr=False)

    def proposal(self, i: int, j: int) -> OfferProposal:
        """Member i of the audience with candidate j."""
        row = int(self.rows[i])
        candidate = self.scores.candidates[j]
        lever, channel = candidate.lever, candidate.channel
        assert channel is not None  # do nothing is never ranked
        members = self.frame.history.members
        zone = str(members.time_zone[row])
        hour = int(self.frame.features.engagement.send_hour[row])
        at = self._send_at(
            zone, hour, channel, (int(self.facts.quiet_hours[i, 0]), int(self.facts.quiet_hours[i, 1]))
        )
        until = valid_until(at, self.use_case)
        category = self.anchors[i]
        offer = Offer.model_validate(
            {
                "type": lever.offer_type.value,
                **{
                    name: value
                    for name, value in (
                        ("discount_pct", lever.discount_pct),
                        ("amount_off", lever.amount_off),
                        ("points_multiplier", lever.points_multiplier),
                        ("bonus_points", lever.bonus_points),
                    )
                    if value
                },
                **({"free_shipping": True} if lever.free_shipping else {}),
                "categories": [category] if category else [],
            }
        )
        message = self.writer(
            CopyRequest(
                use_case=self.use_case,
                channel=channel,
                offer=offer,
                valid_until_local=until.astimezone(ZoneInfo(zone)),
                first_name=members.first_name[row],
                category=category,
                tier=members.tier[row],
                segments=frozenset(self.frame.segments_of(row)),
                opt_out_text=self.policy.sms.opt_out_text.required_text,
                replenishment=bool(self.due[i]) if self.due is not None else False,
            )
        )
        terms = self._terms(i, j)
        return OfferProposal(
            customer_id=int(members.customer_id[row]),
            use_case=self.use_case,
            channel=channel,
            send_at=at,
            valid_from=at,
            valid_until=until,
            offer=offer,
            message=message,
            rationale=rationale(
                {"do_nothing": False, "action": lever.key, "channel": channel.value, **terms}
            ),
            value=ValueEstimate(
                propensity=terms["propensity"],
                uplift=terms["uplift"],
                expected_margin=terms["expected_margin"],
                cost=terms["cost"],
                fatigue_penalty=terms["fatigue_penalty"],
                expected_value=terms["value"],
            ),
            estimated_cost=float(self.scores.cost_if_redeemed[i, j]),
        )

    def context(self, i: int) -> RuleContext:
        row = int(self.rows[i])
        members, fields = self.frame.history.members, self.frame.fields
        basket = max(self.typical_basket[i], 1.0)
        margin_rate = profiled(self.frame, "margin_rate", np.array([row]))[0]
        margin = basket * (float(margin_rate) if np.isfinite(margin_rate) else 0.0)
        age = fields["age"][row]
        synced = members.synced[row]
        # How old our copy of the member is: hours since their upstream sync (see `facts_from_profile`).
        age_hours = (
            max((self.frame.history.as_of - synced) * HOURS_PER_DAY, 0.0) if np.isfinite(synced) else 0.0
        )
        postcode = members.postcode[row] or ""
        return RuleContext(
            customer_id=int(members.customer_id[row]),
            now=self.now,
            tier=Tier(members.tier[row] or "bronze"),
            segments=frozenset(self.frame.segments_of(row)),
            time_zone=str(members.time_zone[row]),
            consents=self.facts.consents[i],
            opted_out=self.facts.opted_out[i],
            recent_contacts=self.facts.recent(i),
            consecutive_ignored=int(self.facts.consecutive_ignored[i]),
            profile_stale=bool(self.frame.freshness.stale[row]),
            data_age_hours=float(age_hours),
            budget_remaining=self.facts.budget_remaining,
            expected_basket_value=max(basket, 0.01),
            expected_basket_margin=min(margin, max(basket, 0.01)),
            postcode_group=postcode[:2] or None,
            demographic_group=None if not np.isfinite(age) else f"age_{min(int(age) // 15 * 15, 75)}",
        )

    @cached_property
    def typical_basket(self) -> np.ndarray:
        return typical_basket(self.frame, self.rows)

    def _send_at(self, zone: str, hour: int, channel: Channel, quiet: tuple[int, int]) -> datetime:
        # Members share time zones, usual hours and quiet hours: each combination is worked out once.
        key = (zone, hour, channel, *quiet)
        if key not in self._send_times:
            self._send_times[key] = send_time(
                self.now, None if hour < 0 else hour, zone, channel, self.policy, member_quiet=quiet
            )
        return self._send_times[key]

    def _terms(self, i: int, j: int) -> dict[str, Any]:
        s = self.scores
        return {
            "propensity": round(float(s.propensity[i, j]), 4),
            "uplift": round(float(s.uplift[i, j]), 4),
            "expected_margin": round(float(s.expected_margin[i, j]), 2),
            "cost": round(float(s.cost[i, j]), 2),
            "fatigue_penalty": round(float(s.fatigue_penalty[i, j]), 2),
            "value": round(float(s.value[i, j]), 2),
        }


def anchor_categories(frame: ProfileFrame, rows: np.ndarray) -> list[str | None]:
    """What each member's message is about: their favourite category, else their top affinity."""
    names = frame.history.categories
    return [
        str(names[c]) if c >= 0 else None for c in frame.predictions.anchor(np.asarray(rows, dtype=np.int64))
    ]
