"""Alert rules as data (`default_alerts.toml`), evaluated over windows ending at a moment.

- `conversion_drop`: per use case, the share of messages followed by an attributed order in the
  recent window against the baseline window before it, when the baseline rate makes so few orders
  unlikely (one-sided binomial test);
- `over_discount`: discount given per order in a segment (loyalty tier, or the use case whose
  message the order is attributed to) above a ceiling;
- `unsubscribe_spike`: per use case, unsubscribes per message in the recent window against the
  baseline's, with an absolute floor.

Every alert fired by an evaluation is logged once, as a structlog `alert` event at warning level.
"""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

import structlog
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from scipy.stats import binom
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from policies.vocabulary import OutcomeType
from tools.errors import InvalidInput
from tools.files import read_toml, validation_problems
from tools.reporting.kpis import UNASSIGNED
from tools.storage import Contact, LoyaltyAccount, Order, Outcome

DEFAULT_RULES = Path(__file__).with_name("default_alerts.toml")
NO_TIER = "no account"

logger = structlog.get_logger("loyalty.alerts")


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=60)


class ConversionDrop(_Rule):
    kind: Literal["conversion_drop"]
    recent_days: int = Field(7, ge=1, le=90)
    baseline_days: int = Field(28, ge=1, le=365)
    mature_days: int = Field(2, ge=0, le=30)
    max_drop: float = Field(0.3, gt=0, lt=1)
    min_contacts: int = Field(50, ge=1)
    # A drop fires only if the baseline rate would give so few orders this rarely (binomial): 0 of
    # 116 is no news at a 0.2% baseline (p = 0.79), 0 of 462 is at 1% (p = 0.01).
    max_p_value: float = Field(0.05, gt=0, le=1)


class OverDiscount(_Rule):
    kind: Literal["over_discount"]
    by: Literal["tier", "use_case"] = "tier"
    window_days: int = Field(7, ge=1, le=365)
    max_discount_per_order: float = Field(gt=0)
    min_orders: int = Field(20, ge=1)


class UnsubscribeSpike(_Rule):
    kind: Literal["unsubscribe_spike"]
    recent_days: int = Field(7, ge=1, le=90)
    baseline_days: int = Field(28, ge=1, le=365)
    mature_days: int = Field(1, ge=0, le=30)
    max_ratio: float = Field(2.0, gt=1)
    min_rate: float = Field(0.01, ge=0, le=1)
    min_contacts: int = Field(50, ge=1)


Rule = Annotated[ConversionDrop | OverDiscount | UnsubscribeSpike, Field(discriminator="kind")]


class RuleBook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rules: tuple[Rule, ...]


class Alert(BaseModel):
    rule: str
    kind: str
    group: str  # the use case or segment it concerns
    value: float  # what was observed
    threshold: float  # what it was held against
    message: str
    window_start: datetime
    window_end: datetime


def load_rules(path: Path = DEFAULT_RULES) -> RuleBook:
    raw = read_toml(path, "alert rules file")
    try:
        book = TypeAdapter(RuleBook).validate_python(raw)
    except ValidationError as exc:
        raise InvalidInput(f"alert rules {path}: {validation_problems(exc)}") from exc
    ids = [r.id for r in book.rules]
    if len(ids) != len(set(ids)):
        raise InvalidInput(f"alert rules {path}: rule ids must be unique")
    return book


async def evaluate_alerts(
    conn: AsyncConnection, book: RuleBook, at: datetime, *, announce: bool = True
) -> list[Alert]:
    """Every alert the rules raise at `at` (naive UTC), each logged once unless `announce` is off."""
    alerts: list[Alert] = []
    for rule in book.rules:
        match rule:
            case ConversionDrop():
                alerts += await _conversion_drop(conn, rule, at)
            case OverDiscount():
                alerts += await _over_discount(conn, rule, at)
            case UnsubscribeSpike():
                alerts += await _unsubscribe_spike(conn, rule, at)
    # Logged for whoever watches a running service's logs; a command that prints the alerts to
    # its user says `announce=False`, so they are not shown twice.
    for alert in alerts if announce else ():
        logger.warning("alert", **alert.model_dump(mode="json"))
    return alerts


def _windows(at: datetime, recent: int, baseline: int, mature: int) -> tuple[datetime, datetime, datetime]:
    end = at - timedelta(days=mature)
    split = end - timedelta(days=recent)
    return split - timedelta(days=baseline), split, end


async def _message_rates(
    conn: AsyncConnection,
    outcome: OutcomeType,
    start: datetime,
    end: datetime,
) -> dict[str, tuple[int, int]]:
    """(messages sent in [start, end), those with the outcome before `end`) per use case."""
    # An outcome never precedes its message, so only outcomes from `start` on can match.
    hit = (
        select(Outcome.contact_id)
        .where(Outcome.type == outcome.value, Outcome.occurred_at >= start, Outcome.occurred_at < end)
        .distinct()
        .subquery()
    )
    query = (
        select(Contact.use_case, func.count(), func.count(hit.c.contact_id))
        .outerjoin(hit, hit.c.contact_id == Contact.id)
        .where(Contact.status == "sent", Contact.sent_at >= start, Contact.sent_at < end)
        .group_by(Contact.use_case)
    )
    return {u or UNASSIGNED: (n, k) for u, n, k in await conn.execute(query)}


async def _conversion_drop(conn: AsyncConnection, rule: ConversionDrop, at: datetime) -> list[Alert]:
    start, split, end = _windows(at, rule.recent_days, rule.baseline_days, rule.mature_days)
    before = await _message_rates(conn, OutcomeType.ORDER, start, split)
    now = await _message_rates(conn, OutcomeType.ORDER, split, end)
    out = []
    for group in sorted(set(before) & set(now)):
        (n_b, k_b), (n_r, k_r) = before[group], now[group]
        if min(n_b, n_r) < rule.min_contacts or k_b == 0:
            continue
        base, recent = k_b / n_b, k_r / n_r
        floor = base * (1 - rule.max_drop)
        chance = float(binom.cdf(k_r, n_r, base))  # this few orders or fewer, were nothing different
        if recent < floor and chance <= rule.max_p_value:
            out.append(
                Alert(
                    rule=rule.id,
                    kind=rule.kind,
                    group=group,
                    value=recent,
                    threshold=floor,
                    window_start=split,
                    window_end=end,
                    message=f"{group}: conversion {recent:.1%} over {n_r:,} messages in the last {rule.recent_days} days "
                    f"vs {base:.1%} over {n_b:,} in the {rule.baseline_days} before "
                    f"(a {1 - recent / base:.0%} drop, p = {chance:.2g}; alert at {rule.max_drop:.0%})",
                )
            )
    return out


async def _unsubscribe_spike(conn: AsyncConnection, rule: UnsubscribeSpike, at: datetime) -> list[Alert]:
    start, split, end = _windows(at, rule.recent_days, rule.baseline_days, rule.mature_days)
    before = await _message_rates(conn, OutcomeType.UNSUBSCRIBE, start, split)
    now = await _message_rates(conn, OutcomeType.UNSUBSCRIBE, split, end)
    out = []
    for group in sorted(now):
        n_r, k_r = now[group]
        n_b, k_b = before.get(group, (0, 0))
        if n_r < rule.min_contacts:
            continue
        recent = k_r / n_r
        # Without a baseline of enough messages, only the absolute floor can judge.
        base = k_b / n_b if n_b >= rule.min_contacts else 0.0
        limit = max(rule.min_rate, base * rule.max_ratio)
        if recent >= limit:
            against = (
                f"{base:.2%} over {n_b:,} in the {rule.baseline_days} before"
                if n_b >= rule.min_contacts
                else "no baseline of enough messages"
            )
            out.append(
                Alert(
                    rule=rule.id,
                    kind=rule.kind,
                    group=group,
                    value=recent,
                    threshold=limit,
                    window_start=split,
                    window_end=end,
                    message=f"{group}: unsubscribes {recent:.2%} of {n_r:,} messages in the last {rule.recent_days} days "
                    f"vs {against} (alert at {limit:.2%})",
                )
            )
    return out


async def _over_discount(conn: AsyncConnection, rule: OverDiscount, at: datetime) -> list[Alert]:
    start = at - timedelta(days=rule.window_days)
    placed = and_(Order.placed_at >= start, Order.placed_at < at)
    # Grouped by the bare column (PostgreSQL does not match two COALESCEs with separate bind
    # parameters in SELECT and GROUP BY); missing values are named here.
    if rule.by == "tier":
        group, missing = LoyaltyAccount.tier, NO_TIER
        query = select(group, func.count(), func.sum(Order.discount_total)).outerjoin(
            LoyaltyAccount, LoyaltyAccount.customer_id == Order.customer_id
        )
    else:
        group, missing = Contact.use_case, UNASSIGNED
        query = select(group, func.count(), func.sum(Order.discount_total)).join(
            Contact, Contact.id == Order.contact_id
        )
    out = []
    for value, orders, discount in await conn.execute(query.where(placed).group_by(group)):
        name = value or missing
        per_order = float(discount or 0) / orders
        if orders >= rule.min_orders and per_order > rule.max_discount_per_order:
            out.append(
                Alert(
                    rule=rule.id,
                    kind=rule.kind,
                    group=f"{rule.by}={name}",
                    value=per_order,
                    threshold=rule.max_discount_per_order,
                    window_start=start,
                    window_end=at,
                    message=f"{rule.by} {name}: ${per_order:,.2f} discount per order over {orders:,} orders in the last "
                    f"{rule.window_days} days (ceiling ${rule.max_discount_per_order:,.2f})",
                )
            )
    return out
