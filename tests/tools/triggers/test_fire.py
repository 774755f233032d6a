"""Each trigger rule fires for the members it describes and no others, and never twice for the
same cause."""

import asyncio
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from tests.tools.events.world import NOW, add_catalogue, add_events, add_members, add_orders, add_signal
from tests.tools.triggers.rules import only
from tools.storage.db import Database
from tools.storage.experiments import ExperimentAssignment
from tools.storage.runtime import QueuedTrigger
from tools.triggers import ExpectedPurchase, run_due_triggers

H = timedelta(hours=1)
D = timedelta(days=1)


async def fired(db: Database, rule: str) -> dict[int, QueuedTrigger]:
    async with db.session() as s:
        rows = (await s.scalars(select(QueuedTrigger).where(QueuedTrigger.rule == rule))).all()
    return {row.customer_id: row for row in rows}


async def run(db: Database, rule: str, now: datetime = NOW, **kw) -> int:
    report = await run_due_triggers(db, now, rules=only(rule), control_share=0.0, **kw)
    return report.enqueued


async def test_cart_abandoned_after_quiet_period_without_checkout(db: Database) -> None:
    await add_members(db, range(1, 7))
    await add_catalogue(db)
    await add_events(
        db,
        [
            {"customer_id": 1, "type": "cart_add", "occurred_at": NOW - 2 * H, "product_id": 1, "value": 50},
            {"customer_id": 2, "type": "cart_add", "occurred_at": NOW - 2 * H, "product_id": 1},
            {"customer_id": 2, "type": "checkout_start", "occurred_at": NOW - 1 * H},
            {
                "customer_id": 3,
                "type": "cart_add",
                "occurred_at": NOW - timedelta(minutes=30),
                "product_id": 1,
            },
            {"customer_id": 4, "type": "cart_add", "occurred_at": NOW - 3 * D, "product_id": 1},
            {"customer_id": 5, "type": "cart_add", "occurred_at": NOW - 3 * H, "product_id": 2},
            {"customer_id": 6, "type": "cart_add", "occurred_at": NOW - 5 * H, "product_id": 1},
            {
                "customer_id": 6,
                "type": "cart_add",
                "occurred_at": NOW - timedelta(minutes=20),
                "product_id": 2,
            },
        ],
    )
    await add_orders(db, [(5, NOW - H, 2, 50.0)])  # member 5 bought in store: not abandoned
    assert await run(db, "cart_abandoned") == 1
    first = await fired(db, "cart_abandoned")
    assert set(first) == {1}
    assert first[1].payload["product_id"] == 1 and first[1].use_case == "cart_abandonment"
    assert first[1].status == "pending" and first[1].kind == "cart_abandoned"

    assert await run(db, "cart_abandoned", NOW + H) == 2  # 3 and 6 have now been quiet long enough
    assert set(await fired(db, "cart_abandoned")) == {1, 3, 6}
    assert await run(db, "cart_abandoned", NOW + 2 * H) == 0


async def test_purchase_fires_post_purchase_due_after_the_delay(db: Database) -> None:
    await add_members(db, range(1, 4))
    await add_events(
        db,
        [
            {"customer_id": 1, "type": "purchase", "occurred_at": NOW - 2 * H, "value": 80},
            {"customer_id": 2, "type": "purchase", "occurred_at": NOW - 2 * H, "value": 5},
            {"customer_id": 3, "type": "purchase", "occurred_at": NOW - 5 * D, "value": 80},
        ],
    )
    assert await run(db, "post_purchase") == 1
    trigger = (await fired(db, "post_purchase"))[1]
    assert trigger.due_at == (NOW - 2 * H + 24 * H).replace(tzinfo=None)
    assert trigger.use_case == "upsell" and trigger.payload["value"] == 80


async def test_rhythm_lapse_is_relative_to_the_members_own_gap(db: Database) -> None:
    await add_members(db, range(1, 7))
    await add_catalogue(db)
    orders = []
    for member, gap, last in ((1, 10, 40), (2, 30, 40), (3, 10, 5), (4, 10, 40)):
        count = 2 if member == 4 else 5  # member 4 has too few purchase days to have a rhythm
        orders += [(member, NOW - (last + gap * k) * D, 1, 30.0) for k in range(count)]
    # Member 6: gaps of 10 and 20 days, so a median of 15; 30 idle days are past 1.5 times that.
    orders += [(6, NOW - days_ago * D, 1, 30.0) for days_ago in (30, 40, 60)]
    await add_orders(db, orders)
    # Member 5 buys through the live stream only: purchase events count as much as orders.
    await add_events(
        db,
        [
            {"customer_id": 5, "type": "purchase", "occurred_at": NOW - (25 + 7 * k) * D, "value": 20}
            for k in range(4)
        ],
    )
    assert await run(db, "rhythm_lapse") == 3
    lapsed = await fired(db, "rhythm_lapse")
    assert set(lapsed) == {1, 5, 6} and lapsed[6].payload["median_gap_days"] == 15
    assert lapsed[1].payload["median_gap_days"] == 10 and lapsed[1].payload["days_since_purchase"] == 40
    assert lapsed[1].payload["last_purchase_on"] == (NOW - 40 * D).date().isoformat()
    assert await run(db, "rhythm_lapse", NOW + 3 * D) == 0  # same lapse, same last purchase: once


async def test_replenishment_due_a_few_days_before_the_expected_date(db: Database) -> None:
    await add_members(db, range(1, 5))
    await add_catalogue(db)
    today = NOW.date()
    expected = [
        ExpectedPurchase(
            customer_id=1, category_id=3, expected_on=today + timedelta(days=2), interval_days=30
        ),
        ExpectedPurchase(customer_id=2, category_id=3, expected_on=today + timedelta(days=10)),
        ExpectedPurchase(customer_id=3, category_id=4, expected_on=today - timedelta(days=3)),
        ExpectedPurchase(customer_id=4, category_id=4, expected_on=today - timedelta(days=10)),
        ExpectedPurchase(customer_id=999, category_id=4, expected_on=today),  # not a member
    ]
    asked: list[datetime] = []

    async def source(now: datetime) -> list[ExpectedPurchase]:
        asked.append(now)
        return expected

    assert await run(db, "replenishment_due", replenishment=source) == 2
    assert set(await fired(db, "replenishment_due")) == {1, 3}
    assert asked == [NOW.replace(tzinfo=None)]
    assert await run(db, "replenishment_due", replenishment=source) == 0


async def test_replenishment_without_a_source_is_reported_not_run(db: Database) -> None:
    report = await run_due_triggers(db, NOW, rules=only("replenishment_due"))
    assert report.runs == [] and "replenishment_due" in report.not_run


async def test_competitor_promotion_overlapping_top_categories(db: Database) -> None:
    await add_members(db, range(1, 5))
    await add_catalogue(db)
    await add_orders(
        db,
        [
            (1, NOW - 20 * D, 3, 60.0),
            (1, NOW - 30 * D, 1, 40.0),  # coffee is member 1's top
            (2, NOW - 20 * D, 2, 90.0),  # footwear only
            (3, NOW - 400 * D, 3, 90.0),  # coffee, but long ago
            (4, NOW - 10 * D, 1, 90.0),
            (4, NOW - 10 * D, 2, 80.0),
            (4, NOW - 10 * D, 4, 70.0),
            (4, NOW - 10 * D, 3, 10.0),  # coffee is 4th of 4
        ],
    )
    signal = await add_signal(db, category_id=3, discount=20, starts=NOW - D, ends=NOW + 3 * D)
    await add_signal(db, category_id=1, discount=30, starts=NOW - 10 * D, ends=NOW - D)  # over
    await add_signal(db, category_id=2, discount=5, starts=NOW - D, ends=NOW + D)  # too shallow
    assert await run(db, "competitor_promotion") == 1
    trigger = (await fired(db, "competitor_promotion"))[1]
    assert trigger.payload["signal_id"] == signal and trigger.use_case == "competitive_response"
    assert await run(db, "competitor_promotion") == 0


async def test_browse_intent_on_repeated_views_without_purchase(db: Database) -> None:
    await add_members(db, range(1, 5))
    await add_catalogue(db)
    views = []
    for member, count, ago in ((1, 3, D), (2, 2, D), (3, 3, D), (4, 3, 10 * D)):
        views += [
            {
                "customer_id": member,
                "type": "view",
                "occurred_at": NOW - ago - k * H,
                "product_id": 1,
                "category_id": 1,
            }
            for k in range(count)
        ]
    await add_events(db, views)
    await add_orders(db, [(3, NOW - 2 * H, 1, 50.0)])  # member 3 bought what they browsed
    assert await run(db, "browse_intent") == 1
    trigger = (await fired(db, "browse_intent"))[1]
    assert trigger.payload == {
        "category_id": 1,
        "views": 3,
        "first_view_at": (NOW - D - 2 * H).replace(tzinfo=None).isoformat(),
    }
    assert await run(db, "browse_intent", NOW + H) == 0


async def test_holdout_members_are_queued_as_skipped(db: Database) -> None:
    members = range(1, 401)
    await add_members(db, members)
    await add_events(
        db, [{"customer_id": m, "type": "purchase", "occurred_at": NOW - H, "value": 50} for m in members]
    )
    report = await run_due_triggers(db, NOW, rules=only("post_purchase"), control_share=0.25)
    rows = (await fired(db, "post_purchase")).values()
    control = [r for r in rows if r.arm == "control"]
    assert report.runs[0].control == len(control) and 60 < len(control) < 140
    assert {r.status for r in control} == {"skipped"}
    assert {r.status for r in rows if r.arm == "treatment"} == {"pending"}


async def test_concurrent_schedulers_enqueue_each_cause_once(db: Database) -> None:
    await add_members(db, range(1, 51))
    await add_events(
        db,
        [{"customer_id": m, "type": "purchase", "occurred_at": NOW - H, "value": 50} for m in range(1, 51)],
    )
    reports = await asyncio.gather(
        *(run_due_triggers(db, NOW, rules=only("post_purchase")) for _ in range(4))
    )
    assert sum(r.enqueued for r in reports) == 50
    assert len(await fired(db, "post_purchase")) == 50


async def test_default_rules_run_together(db: Database) -> None:
    await add_members(db, range(1, 3))
    await add_catalogue(db)
    await add_events(
        db,
        [
            {"customer_id": 1, "type": "cart_add", "occurred_at": NOW - 2 * H, "product_id": 1},
            {"customer_id": 2, "type": "purchase", "occurred_at": NOW - 2 * H, "value": 80},
        ],
    )

    async def nothing_expected(_now: datetime) -> list[ExpectedPurchase]:
        return [ExpectedPurchase(customer_id=1, category_id=2, expected_on=date(2026, 3, 11))]

    report = await run_due_triggers(db, NOW, replenishment=nothing_expected, control_share=0.0)
    assert {r.rule: r.enqueued for r in report.runs} == {
        "cart_abandoned": 1,
        "post_purchase": 1,
        "rhythm_lapse": 0,
        "replenishment_due": 1,
        "competitor_promotion": 0,
        "browse_intent": 0,
        "always_on": 0,  # both members fired a moment
    }
    assert report.not_run == {}


async def test_each_rule_runs_at_its_own_pace(db: Database) -> None:
    async def nothing(_now: datetime) -> list[ExpectedPurchase]:
        return []

    first = await run_due_triggers(db, NOW, replenishment=nothing)
    assert len(first.runs) == 7
    soon = await run_due_triggers(db, NOW + timedelta(minutes=2), replenishment=nothing)
    assert {r.rule for r in soon.runs} == {"cart_abandoned", "post_purchase"}
    assert set(soon.not_run) == {
        "rhythm_lapse",
        "replenishment_due",
        "competitor_promotion",
        "browse_intent",
        "always_on",
    }
    later = await run_due_triggers(db, NOW + timedelta(hours=6), replenishment=nothing)
    assert len(later.runs) == 7
    forced = await run_due_triggers(db, NOW + timedelta(hours=6), replenishment=nothing, force=True)
    assert len(forced.runs) == 7
    replayed = await run_due_triggers(db, NOW - timedelta(days=1), replenishment=nothing)  # clock went back
    assert len(replayed.runs) == 7


async def test_always_on_considers_a_share_of_untriggered_reachable_members_once_a_cycle(
    db: Database,
) -> None:
    await add_members(db, range(1, 29))
    await add_members(db, range(29, 36), consents=())  # nobody to reach them on
    await add_catalogue(db)
    await add_events(db, [{"customer_id": 8, "type": "purchase", "occurred_at": NOW - 2 * H, "value": 80}])
    await run(db, "post_purchase")  # member 8 fired a moment: the pass leaves them to it
    counted = 0
    for day in range(7):
        counted += await run(db, "always_on", NOW + day * D)
    seen = await fired(db, "always_on")
    assert counted == len(seen) == 27 and 8 not in seen and not set(seen) & set(range(29, 36))
    # each member's day is their own slot of the cycle; the next cycle considers them again, once
    assert all(row.use_case == "upsell" and row.kind == "always_on" for row in seen.values())
    assert await run(db, "always_on", NOW + 6 * D) == 0
    again = sum([await run(db, "always_on", NOW + (7 + day) * D) for day in range(7)])
    assert again == 28


async def test_always_on_leaves_a_member_to_a_decision_still_to_come_or_its_holdout_not_to_one_made(
    db: Database,
) -> None:
    """A member whose moment was decided "nothing" is not left without a message for the week: the
    pass considers them, and the scorer prices what they had; one whose decision is still to come,
    or who is held out as its control, stays that decision's; so does one whose moment was decided
    within the last day (the pass would otherwise follow at once the decision it has just seen)."""
    await add_members(db, range(1, 8))
    await add_catalogue(db)
    before = NOW - 2 * D
    await add_events(
        db,
        [
            {"customer_id": m, "type": "purchase", "occurred_at": before - 2 * H, "value": 80}
            for m in (1, 2, 3)
        ],
    )
    await run(db, "post_purchase", before)
    async with db.session() as session:
        await session.execute(
            update(QueuedTrigger).where(QueuedTrigger.customer_id == 1).values(status="done")
        )
        await session.execute(
            update(QueuedTrigger)
            .where(QueuedTrigger.customer_id == 2)
            .values(status="skipped", arm="control")
        )
        await session.commit()
    for day in range(7):
        await run(db, "always_on", NOW + day * D)
    seen = set(await fired(db, "always_on"))
    assert 1 in seen  # decided: considered again
    assert not {2, 3} & seen  # held out; still to be decided
    assert seen == {1, 4, 5, 6, 7}


async def test_always_on_leaves_a_member_to_a_moment_decided_within_the_day(db: Database) -> None:
    await add_members(db, range(1, 15))
    await add_catalogue(db)
    await add_events(
        db,
        [
            {"customer_id": m, "type": "purchase", "occurred_at": NOW - 2 * H, "value": 80}
            for m in range(1, 15)
        ],
    )
    await run(db, "post_purchase")
    async with db.session() as session:
        await session.execute(update(QueuedTrigger).values(status="done"))
        await session.commit()
    assert await run(db, "always_on") == 0  # every member decided a moment ago: none considered now
    assert await run(db, "always_on", NOW + 2 * D) == 2  # two days on, that day's share of them


async def test_always_on_hands_a_member_lapsed_by_their_rhythm_to_the_win_back(db: Database) -> None:
    """The pass's lapsed members (the rhythm test the rhythm_lapse rule uses) are queued for
    reactivation, each in their reactivation holdout arm; the rest for the rule's own use case."""
    await add_members(db, range(1, 15))
    await add_catalogue(db)
    orders = []
    for member in range(1, 15):
        last = 40 if member % 2 else 5  # odd members: 40 idle days against a 10-day rhythm
        orders += [(member, NOW - (last + 10 * k) * D, 1, 30.0) for k in range(5)]
    await add_orders(db, orders)
    for day in range(7):
        await run(db, "always_on", NOW + day * D)
    seen = await fired(db, "always_on")
    assert len(seen) == 14
    assert {m for m, row in seen.items() if row.use_case == "reactivation"} == set(range(1, 15, 2))
    assert all(row.use_case == "upsell" for m, row in seen.items() if m % 2 == 0)
    assert all(row.payload.get("lapsed") is True for m, row in seen.items() if m % 2)
    async with db.session() as session:
        arms = (
            await session.execute(select(ExperimentAssignment.customer_id, ExperimentAssignment.use_case))
        ).all()
    assert {(m, u) for m, u in arms} == {(m, "reactivation" if m % 2 else "upsell") for m in range(1, 15)}
