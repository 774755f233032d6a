"""The guard's judgement (`policies.judgement`) over a whole campaign, at the cost of its variants.

Members with one copy key (`tools.campaigns.variants`) receive the same copy up to their first
name, so the copy is judged once per key. What still differs per member is screened so that
anything that could change the judgement sends the member to the guard on their own ("flagged"):

- the first name, judged once per distinct name on a probe carrying only that name;
- the value estimate, tested against the judgement's plausibility limits with half its tolerance,
  so the screen flags at least every member the guard's value check would reject.

The screen never approves anything: it decides who the guard agent must read individually.
"""

from dataclasses import dataclass, field

import numpy as np

from policies.judgement import DEFAULT_LIMITS, JudgementFinding, JudgementId, PlausibilityLimits, judge
from policies.proposal import Message, OfferProposal


@dataclass
class JudgementScreen:
    limits: PlausibilityLimits = DEFAULT_LIMITS
    _copies: dict[str, tuple[JudgementFinding, ...]] = field(default_factory=dict, repr=False)
    _names: dict[str, bool] = field(default_factory=dict, repr=False)

    def copy(self, key: str, proposal: OfferProposal) -> tuple[JudgementFinding, ...]:
        """The judgement on a copy and its offer, read from its first proposal (value estimates
        are each member's own: `implausible_values`)."""
        if key not in self._copies:
            self._copies[key] = self._judge(proposal)
        return self._copies[key]

    def name_needs_reading(self, name: str | None, proposal: OfferProposal) -> bool:
        """True when the name alone draws a judgement finding (a sensitive word, an instruction)."""
        if not name:
            return False
        if name not in self._names:
            probe = proposal.model_copy(update={"message": Message(tone=proposal.message.tone, body=name)})
            self._names[name] = bool(self._judge(probe))
        return self._names[name]

    def implausible_values(self, proposals: list[OfferProposal]) -> np.ndarray:
        """Members whose value estimate the judgement could find implausible."""
        limits, slack = self.limits, self.limits.tolerance / 2
        propensity = np.array([p.value.propensity for p in proposals])
        uplift = np.array([p.value.uplift for p in proposals])
        margin = np.array([p.value.expected_margin for p in proposals])
        cost = np.array([p.value.cost for p in proposals])
        fatigue = np.array([p.value.fatigue_penalty for p in proposals])
        value = np.array([p.value.expected_value for p in proposals])
        stated = np.array([p.estimated_cost for p in proposals])
        share = np.divide(uplift, propensity, out=np.zeros_like(uplift), where=propensity > 0)
        return (
            (propensity > limits.max_propensity)
            | (uplift > propensity)
            | (uplift > limits.max_uplift)
            | (margin > limits.max_expected_margin)
            | (value > share * margin - cost - fatigue + slack)
            | (value <= 0)
            | (cost > stated + limits.max_contact_cost + slack)
        )

    def _judge(self, proposal: OfferProposal) -> tuple[JudgementFinding, ...]:
        return tuple(
            f for f in judge(proposal, self.limits) if f.judgement_id is not JudgementId.VALUE_CLAIMS
        )
