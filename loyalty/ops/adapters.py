"""The agent layer seen through the campaign planner's ports (`tools.campaigns.ports`).

The composition root is the one place allowed to join `agents/` and `tools/`: here the template
copywriter becomes a `CopyWriter` and the guard agent a `Reviewer`.
"""

from dataclasses import dataclass

from agents.copywriting import CopyBrief, write
from agents.guard import Guard
from agents.specialists import choose_tone, offer_value_text
from policies.proposal import Message, OfferProposal
from policies.vocabulary import Channel
from tools.campaigns import CopyRequest, Review


def template_copy(request: CopyRequest) -> Message:
    """The local model's copy for one member, in the tone the specialists would choose."""
    tone = choose_tone({"tier": request.tier, "segments": sorted(request.segments)})
    offer = request.offer
    copy = write(
        CopyBrief(
            use_case=request.use_case,
            channel=request.channel,
            tone=tone,
            offer_type=offer.type,
            offer_value=offer_value_text({"offer_type": offer.type.value, **offer.model_dump(mode="json")}),
            valid_until=request.valid_until_local,
            first_name=request.first_name,
            category=request.category,
            product=None,
            opt_out_text=request.opt_out_text,
            replenishment=request.replenishment,
        )
    )
    subject = copy.subject if request.channel is not Channel.SMS else None
    return Message(tone=tone, subject=subject, body=copy.body, cta=copy.cta)


@dataclass(frozen=True)
class GuardReviewer:
    guard: Guard

    @property
    def model_name(self) -> str:
        return self.guard.model.name

    async def __call__(self, proposal: OfferProposal, trace_id: str) -> Review:
        decision = await self.guard.review_proposal(proposal, trace_id=trace_id)
        return Review(
            verdict=decision.verdict,
            proposal=decision.proposal,
            approval_id=decision.approval_id,
            review_id=decision.review_id,
            trace_id=decision.trace_id,
            codes=tuple(r.code for r in decision.reasons),
            messages=tuple(r.message for r in decision.reasons),
            failed_closed=decision.failed_closed,
        )
