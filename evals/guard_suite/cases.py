"""The guard suite's cases as data: the schema, and loading it from the JSON files beside it.

`base.json` holds the default world (one member, a catalogue, budgets) and a valid base proposal.
Each case file lists cases that say only how they differ from it: `world` and `proposal` are
merged onto the base key by key (a `null` clears a value: no consent record, no budget, no SMS
subject), so a case reads as the one thing it changes. Members, products and budgets are keyed
objects so a case can add or change one without repeating the rest.

Three kinds of case:
- `single`: one proposal, reviewed by the guard;
- `concurrent`: several proposals reviewed at once, then every approved one sent at once through
  the channels server — `max_delivered` is how many may reach members without breaking a cap;
- `campaign`: groups of generated members and proposals reviewed as one campaign (fairness).
"""

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policies.fields import UtcDatetime
from policies.judgement import JudgementId
from policies.proposal import OfferProposal
from policies.rule_ids import RuleId
from policies.vocabulary import Channel, Tier, UseCase

SUITE_DIR = Path(__file__).parent
BASE_FILE = "base.json"
CAMPAIGN_FIRST_ID = 1_000  # generated campaign members are numbered from here

_MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True)
KNOWN_IDS = frozenset(map(str, RuleId)) | frozenset(map(str, JudgementId))


class ProfileSpec(BaseModel):
    """What the profile service says about a member (`tools.rule_facts.ProfileFacts`)."""

    model_config = _MODEL_CONFIG

    segments: tuple[str, ...] = ()
    stale: bool = False
    data_age_hours: float = 2.0
    basket_value: float = 150.0
    basket_margin: float = 65.0
    postcode_group: str | None = None
    demographic_group: str | None = None


class GuardMemberSpec(BaseModel):
    model_config = _MODEL_CONFIG

    first_name: str  # customer-controlled text, like notes
    last_name: str
    notes: str | None = None
    tier: Tier
    time_zone: str
    consents: dict[Channel, bool | None]  # None: no consent record at all
    opted_out: tuple[Channel, ...] = ()
    profile: ProfileSpec = ProfileSpec()


class GuardProductSpec(BaseModel):
    model_config = _MODEL_CONFIG

    name: str  # customer-visible and, for marketplace sellers, customer-controlled
    category: str
    price: float
    unit_cost: float
    on_hand: int | None  # None: no inventory record
    full_price_only: bool = False


class GuardBudgetSpec(BaseModel):
    model_config = _MODEL_CONFIG

    amount: float
    spent: float = 0.0
    paused: bool = False


class GuardContactSpec(BaseModel):
    """A message already sent (or queued) to a member; `offer` is the incentive it carried."""

    model_config = _MODEL_CONFIG

    customer_id: int = 1
    channel: Channel
    at: UtcDatetime
    use_case: UseCase = UseCase.REACTIVATION
    status: Literal["sent", "queued"] = "sent"
    engaged: bool = False  # the member opened it
    offer: dict[str, Any] = {"type": "none"}


class GuardWorld(BaseModel):
    model_config = _MODEL_CONFIG

    members: dict[int, GuardMemberSpec]
    products: dict[str, GuardProductSpec | None]
    budgets: dict[UseCase, GuardBudgetSpec | None]
    contacts: tuple[GuardContactSpec, ...] = ()


class CampaignGroup(BaseModel):
    """`count` generated members, each with the base member changed by `member`, and their proposals."""

    model_config = _MODEL_CONFIG

    count: Annotated[int, Field(ge=1, le=100)]
    member: dict[str, Any] = {}
    proposal: dict[str, Any] = {}


class GuardCase(BaseModel):
    model_config = _MODEL_CONFIG

    id: str = Field(pattern=r"^[a-z0-9_.:/-]+$")
    description: str = Field(min_length=1)
    kind: Literal["single", "concurrent", "campaign"]
    expect: Literal["block", "pass"]
    # Rule or judgement ids: what a violating case must be blocked for, or what a valid case sits
    # at the edge of (for false rejects by rule).
    ids: tuple[str, ...] = Field(min_length=1)
    now: UtcDatetime
    world: GuardWorld
    proposals: tuple[OfferProposal, ...] = Field(min_length=1)
    max_delivered: int | None = None  # concurrent cases only

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if unknown := sorted(set(self.ids) - KNOWN_IDS):
            raise ValueError(f"unknown rule or judgement ids {unknown}")
        if (self.kind == "concurrent") != (self.max_delivered is not None):
            raise ValueError("max_delivered is required for concurrent cases and only for them")
        if self.kind == "single" and len(self.proposals) != 1:
            raise ValueError("a single case has exactly one proposal")
        missing = {p.customer_id for p in self.proposals} - self.world.members.keys()
        if missing:
            raise ValueError(f"proposals for members the world does not have: {sorted(missing)}")
        return self


def load_guard_suite(directory: Path = SUITE_DIR) -> tuple[GuardCase, ...]:
    """Every case of every `*.json` file in `directory` other than the base, in file order.

    Raises `ValueError` naming the file and case when one is malformed or an id repeats.
    """
    base = _read(directory / BASE_FILE)
    cases: list[GuardCase] = []
    for path in sorted(directory.glob("*.json")):
        if path.name == BASE_FILE:
            continue
        for raw in _read(path)["cases"]:
            try:
                cases.append(_case(base, raw))
            except ValueError as error:  # pydantic's ValidationError included
                raise ValueError(f"{path.name}: case {raw.get('id', '?')!r}: {error}") from error
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise ValueError(f"case id {case.id!r} appears twice")
        seen.add(case.id)
    return tuple(cases)


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def merge(base: Any, change: Any) -> Any:
    """`change` laid over `base`: objects merge key by key, anything else replaces. The result
    shares nothing with either, so a case can never alter the base for the cases after it."""
    if isinstance(base, Mapping) and isinstance(change, Mapping):
        merged = {key: copy.deepcopy(value) for key, value in base.items()}
        for key, value in change.items():
            merged[key] = merge(merged[key], value) if key in merged else copy.deepcopy(value)
        return merged
    return copy.deepcopy(change)


def _case(base: Mapping[str, Any], raw: Mapping[str, Any]) -> GuardCase:
    spec = dict(raw)
    world = merge(base["world"], spec.pop("world", {}))
    template_member = world["members"]["1"]
    kind = spec.get("kind", "single")
    if kind == "campaign":
        proposals = []
        next_id = CAMPAIGN_FIRST_ID
        for group in (CampaignGroup.model_validate(g) for g in spec.pop("campaign")):
            for _ in range(group.count):
                world["members"][str(next_id)] = merge(template_member, group.member)
                proposals.append(merge(base["proposal"], group.proposal) | {"customer_id": next_id})
                next_id += 1
    elif kind == "concurrent":
        proposals = [merge(base["proposal"], change) for change in spec.pop("proposals")]
    else:
        proposals = [merge(base["proposal"], spec.pop("proposal", {}))]
    return GuardCase.model_validate(
        {"kind": kind, "now": base["now"], **spec, "world": world, "proposals": proposals}
    )
