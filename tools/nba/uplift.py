"""Incrementality from the holdout: what a contact adds over leaving the member alone.

An attributed order is not a caused order: a member who would have bought anyway still clicks the
message that reached them first. The holdout says how much is caused. Per use case a fixed share of
the members a trigger found eligible is held out (`tools.decisions.holdout`); they are queued as
`skipped` and never contacted. Each eligible member's margin over the horizon after their first
trigger is compared between:

- every treatment-arm member and the holdout (intent to treat, unbiased by the random split),
  divided by the share of treatment-arm members contacted: the margin a contact adds (the Wald
  estimator; the agents' choice of whom to contact does not bias it, the random arms see to that);
- the members contacted with one offer family and the holdout: per lever, but carrying the agents'
  selection (they contact likelier buyers), so it is shrunk toward its use case's unbiased figure.

Each level is shrunk toward its parent (normal–normal empirical Bayes: a family toward its use
case, a use case toward every use case pooled), the between-cell spread estimated from the cells
themselves. A cell without holdout evidence has `members` 0 and says so; the scorer then keeps its
attributed estimate (`tools.nba.scorer`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, select

from policies.vocabulary import OfferType
from tools.decisions import first_triggers
from tools.nba.winback import order_margins
from tools.storage import Contact, Database, OfferTemplate, Order, Proposal, QueuedTrigger

POOLED = "*"  # the family key of a use case's own (all families) estimate
HORIZON_DAYS = 14  # the longest action horizon (`tools.nba.member_scoring.HORIZON_DAYS`)


@dataclass(frozen=True)
class HoldoutRows:
    """One entry per member eligible for a use case in the period."""

    use_case: np.ndarray  # str
    control: np.ndarray  # bool: held out
    family: np.ndarray  # str: the offer family of the member's first contact for it; "" when none
    margin: np.ndarray  # float: their margin over the horizon after their first trigger

    def __len__(self) -> int:
        return len(self.margin)


@dataclass(frozen=True)
class Uplift:
    """Incremental margin per contact, shrunk, with its standard error and its evidence."""

    margin: float
    se: float
    members: int  # treated members behind the cell's own estimate (0: no evidence, the parent's)
    holdout: int


@dataclass(frozen=True)
class _Raw:
    mean: float
    se: float
    treated: int
    held: int


def _difference(treated: np.ndarray, held: np.ndarray, variance: float, share: float = 1.0) -> _Raw | None:
    """Difference of means divided by the share of the treated contacted. The variance is the
    use case's, pooled over both arms: a holdout of a few members (or a cell where nobody bought)
    says little about its own spread, and must not look exact."""
    if len(treated) < 1 or len(held) < 2 or share <= 0 or variance <= 0:
        return None
    se = np.sqrt(variance * (1 / len(treated) + 1 / len(held)))
    diff = (treated.mean() - held.mean()) / share
    return _Raw(float(diff), float(se / share), len(treated), len(held))


def _between(raws: list[_Raw], parent: float) -> float:
    """Variance of the true cell values around the parent, by the method of moments (≥ 0)."""
    if len(raws) < 2:
        return 0.0
    spread = float(np.mean([(r.mean - parent) ** 2 for r in raws]))
    noise = float(np.mean([r.se**2 for r in raws]))
    return max(spread - noise, 0.0)


def _shrink(raw: _Raw, parent: float, parent_se: float, tau2: float) -> Uplift:
    """Posterior of a cell given its parent as prior (variance tau2 plus the parent's own)."""
    prior_var = tau2 + parent_se**2
    if prior_var <= 0:
        return Uplift(parent, parent_se, raw.treated, raw.held)
    weight = prior_var / (prior_var + raw.se**2) if raw.se > 0 else 1.0
    mean = weight * raw.mean + (1 - weight) * parent
    return Uplift(float(mean), float(np.sqrt(weight) * raw.se), raw.treated, raw.held)


def estimate_uplift(rows: HoldoutRows) -> dict[tuple[str, str], Uplift]:
    """(use case, family) → incremental margin per contact; (use case, POOLED) for the use case as
    a whole. Use cases without a holdout of two members or more are left out (no evidence)."""
    if len(rows) == 0:
        return {}
    use_cases = sorted(set(rows.use_case.tolist()))
    raw_use: dict[str, _Raw] = {}
    variance: dict[str, float] = {}
    for use_case in use_cases:
        mine = rows.use_case == use_case
        held, treated = mine & rows.control, mine & ~rows.control
        contacted = treated & (rows.family != "")
        share = contacted.sum() / max(treated.sum(), 1)
        variance[use_case] = float(rows.margin[mine].var(ddof=1)) if mine.sum() > 1 else 0.0
        raw = _difference(rows.margin[treated], rows.margin[held], variance[use_case], float(share))
        if raw is not None:
            raw_use[use_case] = raw
    if not raw_use:
        return {}
    weights = np.array([1 / max(r.se**2, 1e-12) for r in raw_use.values()])
    pooled = float(np.average([r.mean for r in raw_use.values()], weights=weights))
    pooled_se = float(np.sqrt(1 / weights.sum()))
    tau_use = _between(list(raw_use.values()), pooled)
    out: dict[tuple[str, str], Uplift] = {}
    for use_case, raw in raw_use.items():
        parent = _shrink(raw, pooled, pooled_se, tau_use)
        out[use_case, POOLED] = parent
        mine = rows.use_case == use_case
        held = rows.margin[mine & rows.control]
        families = sorted(set(rows.family[mine & ~rows.control].tolist()) - {""})
        raw_family = {
            family: r
            for family in families
            if (
                r := _difference(
                    rows.margin[mine & ~rows.control & (rows.family == family)], held, variance[use_case]
                )
            )
            is not None
        }
        tau = _between(list(raw_family.values()), parent.margin)
        for family, r in raw_family.items():
            out[use_case, family] = _shrink(r, parent.margin, parent.se, tau)
    return out


async def holdout_rows(
    db: Database, since: datetime | None, until: datetime, horizon_days: int = HORIZON_DAYS
) -> HoldoutRows:
    """Members triggered in [since, until), each with their arm, the offer family of their first
    contact for the use case within the horizon, and their order margin over the horizon. A window
    still open at `until` is cut there: the arms are random, so both see the same mix of cut
    windows and their difference stays unbiased."""
    horizon = timedelta(days=horizon_days)
    conditions = [QueuedTrigger.created_at < until]
    if since is not None:
        conditions.append(QueuedTrigger.created_at >= since)
    triggered = select(first_triggers(*conditions))
    async with db.session() as session:
        members = (await session.execute(triggered)).all()
        if not members:
            return HoldoutRows(
                np.array([], dtype=str), np.array([], dtype=bool), np.array([], dtype=str), np.array([])
            )
        first = min(m.first_at for m in members)
        family = func.coalesce(
            OfferTemplate.type, Proposal.content["offer"]["type"].as_string(), OfferType.NONE.value
        )
        contacts = (
            await session.execute(
                select(Contact.customer_id, Contact.use_case, Contact.sent_at, family)
                .outerjoin(OfferTemplate, OfferTemplate.code == Contact.offer_code)
                .outerjoin(Proposal, Proposal.id == Contact.proposal_id)
                .where(Contact.status == "sent", Contact.sent_at >= first, Contact.sent_at < until)
                .order_by(Contact.sent_at)
            )
        ).all()
        orders = (
            await session.execute(order_margins(Order.placed_at >= first, Order.placed_at < until))
        ).all()
    first_contact: dict[tuple[int, str], list[tuple[datetime, str]]] = {}
    for customer_id, contact_use_case, sent_at, kind in contacts:
        if sent_at is not None:  # sent contacts always have it; the column allows none
            first_contact.setdefault((customer_id, str(contact_use_case)), []).append((sent_at, str(kind)))
    by_member: dict[int, list[tuple[datetime, float]]] = {}
    for customer_id, placed_at, margin in orders:
        by_member.setdefault(customer_id, []).append((placed_at, float(margin or 0.0)))
    use_case: list[str] = []
    control: list[bool] = []
    families: list[str] = []
    margins: list[float] = []
    for m in members:
        end = m.first_at + horizon
        sent = [k for at, k in first_contact.get((m.customer_id, m.use_case), []) if m.first_at <= at < end]
        use_case.append(m.use_case)
        control.append(m.arm == "control")
        families.append(sent[0] if sent and m.arm != "control" else "")
        margins.append(sum(v for at, v in by_member.get(m.customer_id, []) if m.first_at <= at < end))
    return HoldoutRows(
        np.array(use_case, dtype=str), np.array(control), np.array(families, dtype=str), np.array(margins)
    )
