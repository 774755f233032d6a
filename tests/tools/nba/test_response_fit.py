"""The response fitted from contacts and outcomes: counted in one statement, shrunk toward the
parent cells, conservative where a lever has no evidence, and used by the scorer."""

from dataclasses import replace
from datetime import timedelta

import numpy as np

from policies.vocabulary import Channel, OfferType, OutcomeType, UseCase, Verdict
from tests.tools.nba.test_scorer import VALUATION, batch
from tests.tools.proposals import NOW, add_member, proposal
from tools.decisions.approvals import record_verdict
from tools.members import record_outcome
from tools.nba.response_fit import CellCounts, family_effects, fit_rates, fit_response
from tools.nba.scorer import score
from tools.outbox import send_approved
from tools.storage.db import Database
from tools.storage.models import Contact


def counts(rows: list[tuple[str, str, str, int, int, int, int, int]]) -> CellCounts:
    """(channel, use case, family, recent, sends, opens, orders, unsubscribes) per row."""
    col = list(zip(*rows, strict=True))
    sends, opens, orders, unsubs = (np.array(c, dtype=float) for c in col[4:8])
    return CellCounts(
        channel=np.array(col[0]),
        use_case=np.array(col[1]),
        offer_type=np.array(col[2]),
        recent=np.array(col[3]),
        sends=sends,
        opens=opens,
        clicks=orders * 5,
        orders=orders,
        order_margin=orders * 40.0,
        leaks=np.zeros(len(rows)),
        leak_margin=np.zeros(len(rows)),
        unsubscribes=unsubs,
    )


def test_a_thin_cell_is_shrunk_toward_its_channel_and_use_case() -> None:
    rates = fit_rates(
        counts(
            [
                ("email", "upsell", "none", 0, 4000, 800, 12, 4),
                ("email", "upsell", "percent_off", 0, 3000, 600, 15, 3),
                ("email", "reactivation", "none", 0, 3000, 600, 6, 3),
                ("email", "upsell", "bundle", 0, 20, 4, 3, 0),  # 15% on 20 sends: mostly luck
            ]
        )
    )
    bundle = rates.rate("order", "email", "upsell", "bundle")
    assert bundle is not None and bundle.evidence == 20
    assert 0.003 < bundle.mean < 0.05  # pulled far from 15% toward the channel × use case's ~0.4%
    assert rates.margin_per_order["email"] == 40.0


def test_a_lever_without_evidence_gets_the_message_only_rate() -> None:
    rates = fit_rates(
        counts(
            [
                ("email", "upsell", "none", 0, 4000, 800, 8, 4),
                ("email", "upsell", "percent_off", 0, 4000, 800, 40, 4),
            ]
        )
    )
    unseen = rates.rate("order", "email", "upsell", OfferType.EARLY_ACCESS.value)
    plain = rates.rate("order", "email", "upsell", OfferType.NONE.value)
    assert unseen == plain
    assert rates.rate("order", "push", "upsell", "none") is None  # a channel never used


def test_exploring_redraws_every_order_rate_the_thin_ones_most() -> None:
    rates = fit_rates(
        counts(
            [
                ("email", "upsell", "none", 0, 40000, 8000, 120, 4),
                ("email", "upsell", "bundle", 0, 30, 6, 1, 0),
            ]
        )
    )
    rng = np.random.default_rng(3)
    draws = [rates.sampled(rng) for _ in range(200)]

    def spread(use_case: str, family: str) -> float:
        means = [d.rate("order", "email", use_case, family).mean for d in draws]  # type: ignore[union-attr]
        return float(np.std(means))

    # A use case the channel never carried is scored on the channel's rate: it is redrawn too.
    assert spread("reactivation", "none") > 0
    assert spread("upsell", "bundle") > 2 * spread("upsell", "none") > 0
    many = rates.draws(np.random.default_rng(3), 64)
    assert np.shape(many.rate("order", "email", "reactivation", "none").mean) == (64,)  # type: ignore[union-attr]


def test_declining_response_and_rising_unsubscribes_are_measured_by_recent_contacts() -> None:
    rates = fit_rates(
        counts(
            [
                ("email", "upsell", "none", 0, 4000, 1000, 10, 4),
                ("email", "upsell", "none", 1, 4000, 800, 8, 8),
                ("email", "upsell", "none", 2, 4000, 640, 6, 12),
            ]
        )
    )
    assert abs(rates.decline_per_contact["email"] - 0.2) < 0.01
    assert rates.unsubscribe_slope["email"] > 0.5


def test_the_scorer_predicts_the_fitted_rate_for_an_average_member() -> None:
    rates = fit_rates(
        counts(
            [
                ("email", "upsell", "none", 0, 10000, 2500, 30, 5),
                ("email", "upsell", "percent_off", 0, 10000, 2500, 30, 5),
            ]
        )
    )
    member = batch(ps=[0.2], full_price=[False], p0=0.1)
    member.opens[Channel.EMAIL][:] = 5  # 25% of 20: the channel's average reader
    scores = score(member, UseCase.UPSELL, VALUATION, rates=rates)
    message = next(
        j
        for j, c in enumerate(scores.candidates)
        if c.lever.key == "message_only" and c.channel is Channel.EMAIL
    )
    assert abs(scores.uplift[0, message] - 0.003) < 0.0005
    # the discount has no more orders than the plain message in the data: its cost makes it worse
    discount = next(
        j
        for j, c in enumerate(scores.candidates)
        if c.lever.offer_type is OfferType.PERCENT_OFF and c.channel is Channel.EMAIL
    )
    assert scores.value[0, discount] < scores.value[0, message]


async def test_counts_come_from_contacts_and_their_outcomes(sqlite_db: Database) -> None:
    for member in range(1, 11):
        await add_member(sqlite_db, member, budget=10_000.0)
        p = proposal(member)
        record = await record_verdict(
            sqlite_db,
            p,
            verdict=Verdict.APPROVE,
            reasons=[],
            policy_version="t",
            guard_model="local",
            trace_id="t",
            now=NOW,
            approval_ttl=timedelta(hours=2),
        )
        receipt = await send_approved(sqlite_db, p, record.approval_id, now=NOW)
        async with sqlite_db.session() as s, s.begin():
            contact = await s.get(Contact, receipt.contact_id)
            contact.status, contact.sent_at = "sent", NOW.replace(tzinfo=None)
        if member <= 4:
            await record_outcome(
                sqlite_db, receipt.contact_id, OutcomeType.OPEN, occurred_at=NOW + timedelta(hours=1)
            )
        if member <= 2:
            await record_outcome(
                sqlite_db, receipt.contact_id, OutcomeType.ORDER, occurred_at=NOW + timedelta(hours=2)
            )
    rates = await fit_response(sqlite_db, NOW + timedelta(days=1))
    assert rates.sends == 10
    channel, use_case, family = p.channel.value, p.use_case.value, p.offer.type.value
    cell = rates.cells[(channel, use_case, family)]
    assert cell["open"].evidence == 10
    assert (
        abs(cell["open"].mean - 0.4) < 1e-9 and abs(cell["order"].mean - 0.2) < 1e-9
    )  # one cell: its own rates
    assert (await fit_response(sqlite_db, NOW)).empty  # nothing sent before the moment


def test_draws_for_many_members_are_each_members_own_draws() -> None:
    rates = fit_rates(
        counts(
            [
                ("email", "upsell", "none", 0, 40000, 8000, 120, 4),
                ("sms", "upsell", "bundle", 0, 30, 6, 1, 0),
            ]
        )
    )
    stacked = rates.per_member([np.random.default_rng(seed) for seed in (1, 2, 3)], 4)
    alone = [rates.draws(np.random.default_rng(seed), 4) for seed in (1, 2, 3)]
    for key in (("email", "upsell", "none"), ("sms", "upsell", "bundle"), ("sms", "reactivation", "none")):
        mine = stacked.rate("order", *key)
        theirs = [one.rate("order", *key) for one in alone]
        assert mine is not None and all(t is not None for t in theirs)
        assert np.array_equal(mine.mean, np.concatenate([t.mean for t in theirs]))  # type: ignore[union-attr]


def with_clicks(c: CellCounts, clicks: list[float]) -> CellCounts:
    return replace(c, clicks=np.array(clicks, dtype=float))


def test_an_offer_familys_effect_is_its_orders_per_click_against_plain_messages() -> None:
    # Plain messages: 20 orders from 1,000 clicks; discounts: 60 from 1,000 (three times as many)
    # spread over two use cases; free shipping: nothing measurable (2 orders from 100 clicks).
    rows = counts(
        [
            ("email", "campaign", "none", 0, 50_000, 10_000, 20, 5),
            ("email", "campaign", "percent_off", 0, 25_000, 5_000, 30, 5),
            ("email", "competitive_response", "percent_off", 0, 25_000, 5_000, 30, 5),
            ("email", "campaign", "free_shipping", 0, 5_000, 1_000, 2, 1),
        ]
    )
    effects = family_effects(with_clicks(rows, [1_000, 500, 500, 100]))
    assert effects["none"] == 1.0
    assert 2.5 < effects["percent_off"] < 3.0  # (60 + 4) / (20 + 4): shrunk a little toward 1
    assert 0.9 < effects["free_shipping"] < 1.1  # two orders where two were expected
    assert family_effects(with_clicks(rows, [0, 500, 500, 100])) == {}  # nothing to compare with


def test_an_offer_family_is_compared_with_plain_messages_of_its_own_use_case() -> None:
    # Cart reminders convert ten times campaigns, plain or with free shipping alike; free shipping
    # went mostly to carts. Against every plain message it would look several times as strong.
    rows = counts(
        [
            ("email", "campaign", "none", 0, 50_000, 10_000, 20, 5),
            ("email", "cart_abandonment", "none", 0, 5_000, 2_000, 40, 1),
            ("email", "cart_abandonment", "free_shipping", 0, 5_000, 2_000, 40, 1),
            ("email", "campaign", "free_shipping", 0, 5_000, 1_000, 2, 1),
        ]
    )
    effects = family_effects(with_clicks(rows, [1_000, 200, 200, 100]))
    # expected: 200 cart clicks at the cart's plain rate, shrunk a little toward every plain
    # message's 0.05 ((40 + 2) / (200 + 40)), and 100 campaign clicks at about 0.02: 37 against 42
    assert 1.0 < effects["free_shipping"] < 1.2
    pooled = (42 + 4) / (300 * 60 / 1_200 + 4)  # what one overall plain rate would say
    assert pooled > 2.0


def test_a_plain_win_back_where_only_discounts_were_sent_is_priced_below_them() -> None:
    # Win-backs always carried a discount; elsewhere a discount trebles orders per click.
    rows = counts(
        [
            ("email", "campaign", "none", 0, 50_000, 10_000, 20, 5),
            ("email", "campaign", "percent_off", 0, 25_000, 5_000, 30, 5),
            ("email", "reactivation", "percent_off", 0, 4_000, 800, 8, 2),
            ("email", "reactivation", "amount_off", 0, 4_000, 800, 8, 2),
        ]
    )
    rates = fit_rates(with_clicks(rows, [1_000, 500, 80, 80]))
    plain = rates.rate("order", "email", "reactivation", "none")
    discount = rates.rate("order", "email", "reactivation", "percent_off")
    assert plain is not None and discount is not None and plain.evidence == 0
    # both discounts order two to three times as often per click as plain messages: a plain
    # win-back is priced at about 40% of the discounted ones'
    assert 0.3 * discount.mean < plain.mean < 0.7 * discount.mean
    # a discount never tried on upsell is priced from its family's effect over the plain rate
    upsell = fit_rates(
        with_clicks(
            counts(
                [
                    ("email", "campaign", "none", 0, 50_000, 10_000, 20, 5),
                    ("email", "campaign", "percent_off", 0, 25_000, 5_000, 30, 5),
                    ("email", "upsell", "none", 0, 10_000, 2_000, 10, 2),
                ]
            ),
            [1_000, 500, 100],
        )
    )
    untried = upsell.rate("order", "email", "upsell", "percent_off")
    upsell_plain = upsell.rate("order", "email", "upsell", "none")
    assert untried is not None and upsell_plain is not None and untried.evidence == 0
    assert abs(untried.mean / upsell_plain.mean - upsell.family_effect["percent_off"]) < 1e-6


def test_scoring_reuses_what_it_derived_from_the_same_rates_and_never_from_other_rates() -> None:
    """The scorer keeps per-cell terms on the rates object (`ResponseRates.derived`): scoring again
    with the same rates gives the same values, and a posterior draw, a new object, derives its own."""
    rates = fit_rates(
        counts(
            [
                ("email", "upsell", "none", 0, 10000, 2500, 30, 5),
                ("email", "upsell", "percent_off", 0, 300, 75, 9, 0),
            ]
        )
    )
    member = batch(ps=[0.2], full_price=[False], p0=0.1)
    first = score(member, UseCase.UPSELL, VALUATION, rates=rates)
    assert rates.derived  # kept for the next decision
    again = score(member, UseCase.UPSELL, VALUATION, rates=rates)
    np.testing.assert_array_equal(first.value, again.value)
    drawn = rates.sampled(np.random.default_rng(1))
    assert not drawn.derived
    from_draw = score(member, UseCase.UPSELL, VALUATION, rates=drawn)
    fresh = score(member, UseCase.UPSELL, VALUATION, rates=replace(drawn))  # nothing derived yet
    np.testing.assert_array_equal(from_draw.value, fresh.value)
    assert not np.array_equal(from_draw.value, first.value)  # the draw moved the order rates
