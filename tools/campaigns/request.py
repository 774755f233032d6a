"""What an ops person asks for when planning a campaign, validated at the boundary."""

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from policies.vocabulary import UseCase
from tools.errors import InvalidInput

EVERY_MEMBER = "all"  # the segment id that means the whole member base
# Cart abandonment needs a cart, which only its trigger knows: it is not a batch campaign.
CAMPAIGN_USE_CASES = (UseCase.REACTIVATION, UseCase.UPSELL, UseCase.COMPETITIVE_RESPONSE)


class CampaignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    use_case: UseCase
    segment: Annotated[
        str, Field(min_length=1, max_length=80, description=f"a segment id, or '{EVERY_MEMBER}'")
    ]
    budget: Annotated[float, Field(gt=0, le=10_000_000, description="money the campaign may give away")]
    limit: Annotated[int | None, Field(ge=1, le=1_000_000, description="at most this many members")] = None

    @model_validator(mode="after")
    def _batchable(self) -> Self:
        if self.use_case not in CAMPAIGN_USE_CASES:
            allowed = ", ".join(u.value for u in CAMPAIGN_USE_CASES)
            raise ValueError(
                f"{self.use_case.value} is decided per trigger (it needs the cart), not as a "
                f"campaign; campaigns run for {allowed}"
            )
        return self


def campaign_request(**fields: object) -> CampaignRequest:
    """A validated request; what is wrong with an invalid one, in one line (`InvalidInput`)."""
    try:
        return CampaignRequest.model_validate(fields)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'request'}: {e['msg']}" for e in error.errors()
        )
        raise InvalidInput(f"cannot plan that campaign: {problems}") from None
