"""One member of a planned campaign: the proposal, its rule check and judgement, its variant."""

from dataclasses import dataclass

from policies.context import RuleContext
from policies.proposal import OfferProposal
from policies.violation import CheckResult


@dataclass(frozen=True)
class PlannedMember:
    proposal: OfferProposal
    context: RuleContext
    check: CheckResult
    variant: str
    # Why the guard must read this member on their own: a rule asking for a person or warning
    # (its rule id), a first name the judgement reacts to ("name"), a value estimate it could
    # find implausible ("value"). Empty: the member shares their variant's review.
    flags: tuple[str, ...] = ()
    # The member's own decision trace, when they have one (a queued trigger's): their review and
    # proposal are recorded under it. None: a campaign's, numbered within the campaign.
    trace_id: str | None = None

    @property
    def flagged(self) -> bool:
        return bool(self.flags)
