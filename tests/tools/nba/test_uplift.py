"""Incrementality from the holdout: the estimate recovers a known uplift on synthetic members,
shrinks thin cells toward their use case, says when there is no evidence, and moves the scorer."""

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np

from policies.vocabulary import UseCase
from tests.tools.nba.test_response_fit import counts
from tests.tools.nba.test_scorer import VALUATION, batch
from tests.tools.proposals import NOW, add_member
from tools.nba.response_fit import fit_rates
from tools.nba.scorer import score
from tools.nba.uplift import POOLED, HoldoutRows, Uplift, estimate_uplift, holdout_rows
from tools.storage.db import Database
from tools.storage.models import Contact, Order
from tools.storage.runtime import QueuedTrigger


def synthetic(
    rng: np.random.Generator,
    use_case: str,
    treated: int,
    held: int,
    uplift: dict[str, float],
    contacted_share: float = 1.0,
    base: float = 20.0,
) -> HoldoutRows:
    """Members whose margin is noise around `base`, plus the family's uplift when contacted."""
    families = list(uplift)
    family = np.array(
        [families[i % len(families)] if rng.random() < contacted_share else "" for i in range(treated)]
        + [""] * held
    )
    control = np.array([False] * treated + [True] * held)
    margin = rng.normal(base, 10.0, treated + held) + np.array([uplift.get(f, 0.0) for f in family])
    return HoldoutRows(np.array([use_case] * (treated + held)), control, family, margin)


def joined(*parts: HoldoutRows) -> HoldoutRows:
    return HoldoutRows(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ("use_case", "control", "family", "margin"))
    )


def test_a_known_uplift_is_recovered_within_its_interval() -> None:
    rows = synthetic(np.random.default_rng(1), "upsell", 4_000, 4_000, {"none": 3.0})
    est = estimate_uplift(rows)
    whole = est["upsell", POOLED]
    assert abs(whole.margin - 3.0) < 2 * whole.se + 1e-9
    assert whole.se < 0.5 and whole.members == 4_000 and whole.holdout == 4_000
    assert abs(est["upsell", "none"].margin - 3.0) < 0.75


def test_intent_to_treat_is_scaled_by_the_share_contacted() -> None:
    # Half the treatment arm is contacted: the arms differ by 1.5, a contact adds 3.
    rows = synthetic(np.random.default_rng(2), "reactivation", 8_000, 8_000, {"percent_off": 3.0}, 0.5)
    whole = estimate_uplift(rows)["reactivation", POOLED]
    assert abs(whole.margin - 3.0) < 2.5 * whole.se
    assert 2.0 < whole.margin < 4.0


def test_a_thin_family_is_shrunk_toward_its_use_case() -> None:
    rng = np.random.default_rng(3)
    big = synthetic(rng, "upsell", 3_000, 3_000, {"none": 2.0})
    thin = synthetic(rng, "upsell", 6, 0, {"bundle": 40.0})  # six members, an implausible +40
    rows = joined(big, thin)
    est = estimate_uplift(rows)
    raw_thin = rows.margin[rows.family == "bundle"].mean() - rows.margin[rows.control].mean()
    assert est["upsell", "bundle"].members == 6
    assert est["upsell", POOLED].margin < est["upsell", "bundle"].margin < raw_thin


def test_no_holdout_no_evidence() -> None:
    rows = synthetic(np.random.default_rng(4), "upsell", 50, 0, {"none": 3.0})
    assert estimate_uplift(rows) == {}
    assert (
        estimate_uplift(HoldoutRows(np.array([]), np.array([], dtype=bool), np.array([]), np.array([]))) == {}
    )


def test_the_holdout_scales_the_attributed_response_in_the_scorer() -> None:
    rates = fit_rates(counts([("email", "upsell", "none", 0, 20_000, 4_000, 200, 0)]))
    member = batch(ps=[0.2], full_price=[False])
    plain = score(member, UseCase.UPSELL, VALUATION, rates=rates)
    j = next(
        i
        for i, c in enumerate(plain.candidates)
        if c.channel is not None and c.channel.value == "email" and c.lever.key == "message_only"
    )
    attributed = rates.cells["email", "upsell", "none"]["order"].mean * rates.margin_per_order["email"]

    def scored(margin: float, se: float) -> float:
        with_holdout = replace(rates, incremental={("upsell", POOLED): Uplift(margin, se, 500, 500)})
        return float(score(member, UseCase.UPSELL, VALUATION, rates=with_holdout).uplift[0, j])

    # A precise holdout saying nothing is caused takes the response to zero; one saying twice the
    # attributed figure doubles it; a holdout too noisy to tell leaves it where it was.
    assert scored(0.0, attributed / 100) < 0.02 * plain.uplift[0, j]
    assert abs(scored(2 * attributed, attributed / 100) - 2 * plain.uplift[0, j]) < 0.02 * plain.uplift[0, j]
    assert abs(scored(0.0, attributed * 100) - plain.uplift[0, j]) < 0.01 * plain.uplift[0, j]


def order(member: int, at: datetime, total: float) -> Order:
    return Order(
        external_id=f"o{member}-{at.isoformat()}",
        customer_id=member,
        placed_at=at,
        channel="online",
        subtotal=total,
        discount_total=0.0,
        total=total,
    )


async def test_rows_come_from_the_trigger_queue_contacts_and_orders(sqlite_db: Database) -> None:
    start = NOW.replace(tzinfo=None)
    for member in range(1, 5):
        await add_member(sqlite_db, member, budget=1_000.0)
    async with sqlite_db.session() as s, s.begin():
        for member, arm in ((1, "treatment"), (2, "treatment"), (3, "control"), (4, "control")):
            s.add(
                QueuedTrigger(
                    idempotency_key=f"k{member}",
                    rule="post_purchase",
                    kind="purchase",
                    customer_id=member,
                    use_case="upsell",
                    arm=arm,
                    payload={},
                    status="done" if arm == "treatment" else "skipped",
                    attempts=0,
                    created_at=start,
                    due_at=start,
                )
            )
        s.add(
            Contact(
                idempotency_key="c1",
                customer_id=1,
                channel="email",
                use_case="upsell",
                status="sent",
                attempts=1,
                scheduled_at=start,
                sent_at=start + timedelta(hours=1),
            )
        )
        for member, total in ((1, 30.0), (3, 10.0), (4, 10.0)):
            s.add(order(member, start + timedelta(days=2), total))
        s.add(order(2, start + timedelta(days=30), 99.0))  # past the horizon
    rows = await holdout_rows(sqlite_db, None, start + timedelta(days=40))
    got = sorted(zip(rows.control.tolist(), rows.family.tolist(), rows.margin.tolist(), strict=True))
    assert got == [(False, "", 0.0), (False, "none", 30.0), (True, "", 10.0), (True, "", 10.0)]


def test_a_cell_where_nobody_bought_is_not_taken_as_exact() -> None:
    rng = np.random.default_rng(5)
    rows = joined(
        synthetic(rng, "upsell", 200, 40, {"none": 2.0}),
        HoldoutRows(np.array(["upsell"] * 3), np.zeros(3, dtype=bool), np.array(["bundle"] * 3), np.zeros(3)),
    )
    bundle = estimate_uplift(rows)["upsell", "bundle"]
    assert bundle.se > 1.0  # three members: the use case's spread, not zero


def test_clicking_members_are_scored_above_members_who_never_click() -> None:
    rates = fit_rates(counts([("email", "upsell", "none", 0, 20_000, 4_000, 200, 0)]))  # 1,000 clicks
    member = batch(ps=[0.2, 0.2], full_price=[False, False])
    opens = {c: np.array([10.0, 10.0]) for c in member.opens}
    clicks = {c: np.array([5.0, 0.0]) for c in member.opens}
    scored = score(replace(member, opens=opens, clicks=clicks), UseCase.UPSELL, VALUATION, rates=rates)
    unknown = score(replace(member, opens=opens), UseCase.UPSELL, VALUATION, rates=rates)
    j = next(
        i for i, c in enumerate(scored.candidates) if c.channel is not None and c.lever.key == "message_only"
    )
    assert scored.uplift[0, j] > unknown.uplift[0, j] > scored.uplift[1, j] > 0
