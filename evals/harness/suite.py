"""A scenario suite as data: the base world, then cases — a member, a moment, expected properties.

Suites are JSON files in `evals/suites/` (`seed.json`, `scenarios.json`). Every expectation is
optional; only the ones a case states are judged. Message properties (channel, offer, timing,
copy) constrain whatever reaches the member or the review queue; `decision` says whether
something must ("act") or nothing may ("nothing").
"""

import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evals.harness.specs import ItemRef, MemberSpec, WorldTweaks
from policies.fields import UtcDatetime
from policies.vocabulary import Channel, OfferType, UseCase

SUITES_DIR = Path(__file__).resolve().parent.parent / "suites"
SCENARIO_SUITES = ("seed", "scenarios")

_CONFIG = ConfigDict(extra="forbid", frozen=True)
GuardOutcome = Literal["approve", "revise", "reject", "review", "not_reviewed"]


class CopyRules(BaseModel):
    model_config = _CONFIG

    max_length: Annotated[int, Field(ge=1)] | None = None  # of what the channel delivers (body and CTA)
    must_contain: tuple[str, ...] = ()  # every one, case-insensitive, in subject, body or CTA
    must_contain_any: tuple[str, ...] = ()  # at least one
    must_not_contain: tuple[str, ...] = ()


class Expectations(BaseModel):
    # "copy" is the natural name in a suite file but shadows BaseModel.copy, hence the alias.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    use_case: UseCase | None = None
    decision: Literal["act", "nothing"] | None = None
    channel_in: tuple[Channel, ...] | None = None
    offer_type_in: tuple[OfferType, ...] | None = None
    discount_at_most: Annotated[float, Field(ge=0, le=100)] | None = None  # percent of what it applies to
    discount_at_least: Annotated[float, Field(ge=0, le=100)] | None = None
    validity_hours: tuple[float, float] | None = None  # [at least, at most] from arrival
    send_in_member_window: bool = False  # local send time outside the member's quiet hours
    send_hour_near: Annotated[int, Field(ge=0, le=23)] | None = None  # the member's usual local hour
    send_hour_tolerance: Annotated[int, Field(ge=0, le=12)] = 1
    copy_rules: CopyRules | None = Field(None, alias="copy")
    reason_mentions_any: tuple[str, ...] = ()  # the decision's stated reason names one of these
    guard_in: tuple[GuardOutcome, ...] | None = None
    no_rule_violations: bool = True

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.decision == "nothing":
            stated = [
                name
                for name in (
                    "channel_in",
                    "offer_type_in",
                    "discount_at_least",
                    "validity_hours",
                    "send_hour_near",
                    "copy_rules",
                )
                if getattr(self, name) is not None
            ]
            if stated or self.send_in_member_window:
                raise ValueError(f"a case expecting nothing cannot expect message properties ({stated})")
        if self.validity_hours is not None and self.validity_hours[0] > self.validity_hours[1]:
            raise ValueError("validity_hours is [at least, at most]")
        if (
            self.discount_at_most is not None
            and self.discount_at_least is not None
            and self.discount_at_least > self.discount_at_most
        ):
            raise ValueError("discount_at_least exceeds discount_at_most")
        return self


class Moment(BaseModel):
    """When the decision is taken and the trigger that asks for it (as the runtime would send it)."""

    model_config = _CONFIG

    now: UtcDatetime | None = None  # default: the suite's
    use_case: UseCase
    trigger: str = Field("eval", pattern=r"^[a-z][a-z0-9_]{0,39}$")  # the trigger rule's name
    cart: tuple[ItemRef, ...] = ()
    anchor_category: str | None = None
    competitor_discount_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    sequence_step: Annotated[int, Field(ge=1, le=10)] | None = None


class Case(BaseModel):
    model_config = _CONFIG

    id: str = Field(pattern=r"^[a-z0-9_.:/-]{1,80}$")
    title: str = Field(min_length=1)
    why: str = Field(min_length=1)  # what a CRM team expects, and why
    tags: tuple[str, ...] = ()
    member: MemberSpec
    world: WorldTweaks = WorldTweaks()
    moment: Moment
    expect: Expectations

    @property
    def use_case(self) -> UseCase:
        return self.moment.use_case


class BaseWorld(BaseModel):
    """The synthetic world every case's member joins (seeded once per run)."""

    model_config = _CONFIG

    population: str = "default"  # a population file name under tools/world, without "_population.toml"
    members: Annotated[int, Field(ge=50, le=20_000)] = 400
    seed: Annotated[int, Field(ge=0)] = 7
    months: Annotated[int, Field(ge=3, le=36)] = 12
    end_date: date


class Suite(BaseModel):
    model_config = _CONFIG

    name: str = Field(pattern=r"^[a-z0-9_-]{1,40}$")
    description: str
    world: BaseWorld
    now: UtcDatetime  # the default moment: inside the world's last day
    cases: tuple[Case, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        ids = [case.id for case in self.cases]
        if repeated := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"case ids repeat: {repeated}")
        last_day = datetime.combine(self.world.end_date, datetime.min.time())
        for moment in [self.now] + [c.moment.now for c in self.cases if c.moment.now is not None]:
            naive = moment.replace(tzinfo=None)
            if not last_day <= naive < last_day + timedelta(days=1):
                raise ValueError(
                    f"moment {moment.isoformat()} is not inside the world's last day "
                    f"({self.world.end_date}): the base world's history would be out of date"
                )
        return self

    def now_for(self, case: Case) -> datetime:
        return case.moment.now or self.now

    def only(self, ids: tuple[str, ...]) -> "Suite":
        """The suite cut down to `ids` (in suite order); an unknown id is an error."""
        if unknown := sorted(set(ids) - {c.id for c in self.cases}):
            raise ValueError(f"no such cases in {self.name}: {', '.join(unknown)}")
        return self.model_copy(update={"cases": tuple(c for c in self.cases if c.id in ids)})

    def sample(self, size: int) -> "Suite":
        """`size` cases spread evenly over the suite (which is ordered by use case), always the same ones."""
        if size >= len(self.cases):
            return self
        step = len(self.cases) / size
        picked = tuple(self.cases[int(i * step)] for i in range(size))
        return self.model_copy(update={"cases": picked})


def suite_path(name_or_path: str) -> Path:
    """A shipped suite by name (`seed`), or a suite file by path."""
    if name_or_path in SCENARIO_SUITES:
        return SUITES_DIR / f"{name_or_path}.json"
    return Path(name_or_path)


def load_suite(path: Path) -> Suite:
    """Read and validate a suite file; raises ValueError with the file and the problem."""
    try:
        return Suite.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise ValueError(
            f"no suite {str(path)!r}: name seed, scenarios, guard or simulation, or a suite JSON file"
        ) from None
    except OSError as error:
        raise ValueError(f"cannot read suite {path}: {error.strerror}") from None
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:8])
        raise ValueError(f"invalid suite {path.name}: {problems}") from None


def suite_digest(path: Path) -> str:
    """A short content hash, recorded with every run so a result names the exact suite it scored."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
