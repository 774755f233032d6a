"""Trigger rules as data: one TOML table per rule, validated into typed models.

Each rule names the use case it hands the member to and the parameters of its kind. Several rules
may share a kind (a 30-minute and a 24-hour cart reminder, say); names must be unique because they
are part of every queued trigger's idempotency key.
"""

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from policies.vocabulary import UseCase
from tools.errors import InvalidInput
from tools.storage import TriggerKind

DEFAULT_TRIGGERS_PATH = Path(__file__).with_name("default_triggers.toml")

_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
RuleName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class _Rule(BaseModel):
    model_config = _CONFIG

    name: RuleName
    use_case: UseCase
    enabled: bool = True
    every_minutes: int = Field(1, ge=1, le=7 * 24 * 60, description="how often the scheduler evaluates it")


class CartAbandoned(_Rule):
    """The member's latest cart add is `after_minutes` old with no checkout or purchase since."""

    kind: Literal[TriggerKind.CART_ABANDONED]
    after_minutes: int = Field(ge=1, le=7 * 24 * 60)
    max_age_hours: int = Field(48, ge=1, le=24 * 30)


class PostPurchase(_Rule):
    """A purchase event; the decision is due `delay_hours` after it (the member has the goods)."""

    kind: Literal[TriggerKind.PURCHASE]
    delay_hours: float = Field(24, ge=0, le=24 * 30)
    max_age_hours: int = Field(72, ge=1, le=24 * 60)
    min_value: float = Field(0, ge=0)


class RhythmTest(BaseModel):
    """When a member counts as lapsed: days since the last purchase exceed `rhythm_multiple` times
    their own median gap between purchase days, and at least `min_days`."""

    model_config = _CONFIG

    rhythm_multiple: float = Field(1.5, ge=1, le=10)
    min_days: int = Field(21, ge=1, le=3650)
    min_purchase_days: int = Field(
        3, ge=2, le=100, description="distinct purchase days needed to know a rhythm"
    )
    history_days: int = Field(730, ge=30, le=3650)


class RhythmLapse(_Rule, RhythmTest):
    """A member lapses by the rhythm test (`RhythmTest`); once per lapse."""

    kind: Literal[TriggerKind.RHYTHM_LAPSE]


class ReplenishmentDue(_Rule):
    """A regularly bought category's expected next purchase is at most `days_before` away (or at
    most `grace_days` past). Expected dates come from the caller (the profiles' predictions)."""

    kind: Literal[TriggerKind.REPLENISHMENT]
    days_before: int = Field(3, ge=0, le=60)
    grace_days: int = Field(7, ge=0, le=60)


class CompetitorPromotion(_Rule):
    """A live competitor promotion of at least `min_discount_pct` in one of the member's
    `top_categories` categories by spend over the last `affinity_days`."""

    kind: Literal[TriggerKind.COMPETITOR_PROMOTION]
    top_categories: int = Field(3, ge=1, le=20)
    affinity_days: int = Field(180, ge=7, le=3650)
    min_discount_pct: float = Field(10, ge=0, le=100)


class BrowseIntent(_Rule):
    """At least `min_views` views of one category within `window_days`, with no purchase in that
    category since the first of them. Fires at most once per member, category and window."""

    kind: Literal[TriggerKind.BROWSE_INTENT]
    min_views: int = Field(3, ge=1, le=1000)
    window_days: int = Field(7, ge=1, le=90)


class AlwaysOn(_Rule, RhythmTest):
    """The always-on pass: every reachable member (a digital channel consented, not opted out) is
    considered once per `cycle_days`, a `1 / cycle_days` share of members each day (staggered by
    member id), so the pass's decisions spread over the cycle instead of arriving at once — except
    a member another rule has in hand within the last `quiet_days`: a trigger of theirs still to be
    decided, decided within the last day, or held out as that trigger's control. A member whose
    trigger was decided earlier is considered too, whether it sent something or nothing (its use
    case did not pay): the scorer prices the messages they had (fatigue) and the caps still bound
    them. Its decisions go through
    the same scorer, specialists, guard, caps and budgets as every other trigger's."""

    kind: Literal[TriggerKind.ALWAYS_ON]
    cycle_days: int = Field(7, ge=1, le=90)
    quiet_days: int = Field(7, ge=0, le=90)
    # Members lapsed by the rhythm test (`RhythmTest`'s fields) go to this use case instead of the
    # rule's: a win-back's levers, not an upsell's; none: every member to the rule's use case.
    lapsed_use_case: UseCase | None = None


TriggerRule = Annotated[
    CartAbandoned
    | PostPurchase
    | RhythmLapse
    | ReplenishmentDue
    | CompetitorPromotion
    | BrowseIntent
    | AlwaysOn,
    Field(discriminator="kind"),
]


class TriggerRules(BaseModel):
    model_config = _CONFIG

    rules: tuple[TriggerRule, ...]

    @model_validator(mode="after")
    def _names_unique(self) -> "TriggerRules":
        names = [rule.name for rule in self.rules]
        if duplicated := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"rule names must be unique: {', '.join(duplicated)}")
        return self

    @property
    def enabled(self) -> tuple[TriggerRule, ...]:
        return tuple(rule for rule in self.rules if rule.enabled)


def load_trigger_rules(path: Path = DEFAULT_TRIGGERS_PATH) -> TriggerRules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"cannot read trigger rules {path}: {exc}") from exc
    try:
        return TriggerRules.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise InvalidInput(f"invalid trigger rules {path}: {problems}") from exc
