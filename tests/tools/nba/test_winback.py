"""What a win-back restores, from lapses and returns in the order history: the estimate recovers a
known return to rhythm on synthetic members, says when the history cannot tell, prices a member's
return by their own rhythm and lapse depth, and adds to a reactivation message's value only."""

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np

from policies.vocabulary import UseCase
from tests.tools.nba.test_response_fit import counts
from tests.tools.nba.test_scorer import VALUATION, batch
from tests.tools.nba.test_uplift import order
from tests.tools.proposals import add_member
from tools.nba.response_fit import fit_rates
from tools.nba.scorer import score
from tools.nba.winback import MIN_EPISODES, WINDOW_DAYS, LapseDepth, Winback, estimate_winback, fit_winback
from tools.storage.db import Database

GAP = 10.0  # every synthetic member buys every ten days while active
END = 720.0


def history(
    members: int, comes_back: float, lapse_at: float = 200.0, away: float = 150.0, margin: float = 30.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members who buy every GAP days, stop at `lapse_at` for `away` days; a share `comes_back`
    then resumes the rhythm to the end, the rest never order again."""
    who, day = [], []
    for m in range(members):
        days = list(np.arange(0.0, lapse_at, GAP))
        if m < comes_back * members:
            days += list(np.arange(lapse_at + away, END, GAP))
        who += [m] * len(days)
        day += days
    return np.array(who), np.array(day), np.full(len(day), margin)


def test_a_full_return_to_rhythm_is_recovered() -> None:
    who, day, margin = history(200, comes_back=0.5)
    est = estimate_winback(who, day, margin, END)
    assert est is not None
    shallow = est.depths[0]
    # after a return: the full rhythm over the window; after the lapse began: nothing yet
    assert abs(shallow.returned - 1.0) < 0.05
    assert shallow.lapsed < 0.05
    assert abs(shallow.restored - (shallow.returned - shallow.lapsed)) < 1e-9
    assert shallow.returns == 100 and shallow.lapses == 200


def test_members_who_come_back_on_their_own_lower_what_a_return_adds() -> None:
    # The lapse is short enough that a lapse window sees the member come back: a lapse is then
    # worth much of the rhythm already, and a return adds less over it.
    short = estimate_winback(*history(200, comes_back=1.0, away=40.0), END)
    assert short is not None
    assert short.depths[0].lapsed > 0.3
    assert short.depths[0].restored < 0.7


def test_no_returns_no_estimate() -> None:
    assert estimate_winback(*history(200, comes_back=0.0), END) is None
    few = MIN_EPISODES - 1
    assert estimate_winback(*history(few, comes_back=1.0), END) is None
    assert estimate_winback(np.array([]), np.array([]), np.array([]), END) is None


def test_a_members_return_is_priced_by_their_rhythm_and_how_deep_their_lapse_is() -> None:
    est = Winback(
        (
            LapseDepth(1.5, 0.1, 0.6, 0.5, 100, 100, 0.02),
            LapseDepth(6.0, 0.5, 0.7, 0.2, 40, 40, 0.05),
        )
    )
    since = np.array([10.0, 40.0, 200.0, 200.0, 200.0])
    gap = np.array([30.0, 20.0, 20.0, np.nan, 20.0])
    per_order = np.array([40.0, 40.0, 40.0, 40.0, 80.0])
    value = est.value_for(since, gap, per_order)
    orders = WINDOW_DAYS / 20.0
    # within rhythm: nothing to win back; 2 gaps late: the shallow depth; 10 gaps late: the deep one
    assert value[0] == 0.0
    assert abs(value[1] - 0.1 * orders * 40.0) < 1e-9
    assert abs(value[2] - 0.5 * orders * 40.0) < 1e-9
    assert value[3] == 0.0  # no rhythm known
    assert abs(value[4] - 2 * value[2]) < 1e-9  # twice the margin per order, twice the value


def test_the_lasting_value_adds_to_any_message_that_wins_a_lapsed_member_back() -> None:
    cells = [
        (channel, use_case.value, "none", 0, 20_000, 4_000, 40, 0)
        for use_case in UseCase
        for channel in ("email",)
    ]
    rates = fit_rates(counts(cells))
    lapsed = replace(
        batch(ps=[0.2], full_price=[False]),
        days_since_order=np.array([200.0]),
        median_gap_days=np.array([20.0]),
    )
    in_rhythm = replace(lapsed, days_since_order=np.array([10.0]))
    won = Winback((LapseDepth(1.5, 0.5, 0.7, 0.2, 40, 40, 0.05),))
    lasting = won.value_for(
        lapsed.days_since_order, lapsed.median_gap_days, lapsed.basket_value * lapsed.margin_rate
    )[0]
    assert lasting > 0
    for member, expected in ((lapsed, lasting), (in_rhythm, 0.0)):
        for use_case in (UseCase.REACTIVATION, UseCase.UPSELL):
            without = score(member, use_case, VALUATION, rates=rates)
            with_it = score(member, use_case, VALUATION, rates=replace(rates, winback=won))
            sent = np.isfinite(without.value[0])
            sent[0] = False  # doing nothing
            gained = with_it.value[0, sent] - without.value[0, sent]
            # every caused order is worth the return's lasting value on top of its basket
            assert np.allclose(gained, without.uplift[0, sent] * expected)
            assert (gained > 0).all() if expected else not gained.any()


async def test_the_estimate_is_read_from_the_order_history(sqlite_db: Database) -> None:
    start = datetime(2025, 1, 1)
    who, day, margin = history(MIN_EPISODES * 2, comes_back=0.5)
    for member in range(1, MIN_EPISODES * 2 + 1):
        await add_member(sqlite_db, member, budget=1_000.0)
    async with sqlite_db.session() as s, s.begin():
        for m, d, value in zip(who, day, margin, strict=True):
            s.add(order(int(m) + 1, start + timedelta(days=float(d), hours=10), float(value)))
    until = start + timedelta(days=END)
    fitted = await fit_winback(sqlite_db, until)
    direct = estimate_winback(
        who,
        day + float(np.datetime64(start, "D").astype(np.int64)),
        margin,
        END + float(np.datetime64(start, "D").astype(np.int64)),
    )
    assert fitted is not None and direct is not None
    assert fitted.depths[0].returns == direct.depths[0].returns == MIN_EPISODES
    assert abs(fitted.depths[0].restored - direct.depths[0].restored) < 1e-9
