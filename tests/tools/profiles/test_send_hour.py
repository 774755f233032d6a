"""Each member's best hour: their own signals against their segment's hours, robust to strays."""

import numpy as np

from tools.profiles.send_hour import (
    HOURS,
    HourPrior,
    HourSignals,
    best_hours,
    circular_gap,
    fit_hour_prior,
    own_spread,
)


def signals_around(
    hours: np.ndarray, per_member: int, spread: float, stray: float, rng: np.random.Generator
) -> HourSignals:
    member = np.repeat(np.arange(len(hours)), per_member)
    hour = np.mod(hours[member] + rng.normal(0, spread, len(member)), 24)
    strays = rng.random(len(member)) < stray
    hour[strays] = rng.uniform(0, 24, strays.sum())
    return HourSignals(member, hour, np.ones(len(member)))


def test_members_hours_are_recovered_and_the_spread_and_strays_measured() -> None:
    rng = np.random.default_rng(3)
    truth = rng.choice([7, 12, 20], 600).astype(float)
    signals = signals_around(truth, 8, 2.0, 0.15, rng)
    spread, stray = own_spread(signals, len(truth))
    assert 1.6 < spread < 2.6 and 0.05 < stray < 0.3
    segment = np.zeros(len(truth), dtype=np.int64)
    found = best_hours(signals, segment, len(truth), fit_hour_prior(signals, segment, len(truth), 1))
    assert (circular_gap(found.astype(float), truth) <= 1).mean() > 0.8


def test_a_member_without_signals_gets_their_segments_hour_and_one_member_alone_matches_the_batch() -> None:
    rng = np.random.default_rng(4)
    truth = np.concatenate([np.full(200, 8.0), np.full(200, 19.0)])
    signals = signals_around(truth, 5, 1.5, 0.1, rng)
    segment = np.repeat([0, 1], 200)
    silent = np.array([0, 1])  # two more members, one per segment, with no signal at all
    everyone = np.concatenate([segment, silent])
    prior = fit_hour_prior(signals, everyone, len(everyone), 2)
    batch = best_hours(signals, everyone, len(everyone), prior)
    assert abs(int(batch[-2]) - 8) <= 1 and abs(int(batch[-1]) - 19) <= 1
    one = signals.member == 7
    alone = best_hours(
        HourSignals(np.zeros(one.sum(), dtype=np.int64), signals.hour[one], signals.weight[one]),
        segment[7:8],
        1,
        prior,
    )
    assert alone[0] == batch[7]


def test_an_hour_is_scored_at_the_moment_its_send_goes_out() -> None:
    # A send for hour h goes out at h:00: times spread evenly about 14:00 make 14 the hour, not 13
    # (13:30 and 14:30 are equally far from them).
    hours = np.array([13.0, 13.5, 14.0, 14.5, 15.0])
    signals = HourSignals(np.zeros(len(hours), dtype=np.int64), hours, np.ones(len(hours)))
    segment = np.zeros(1, dtype=np.int64)
    flat = HourPrior(np.full((1, 24), 1 / 24), 1.5, 0.05)
    assert best_hours(signals, segment, 1, flat)[0] == 14


def test_the_segment_prior_is_its_members_hours_not_their_blurred_signals() -> None:
    # Members read at 8:00 or 19:00, each seen three times with a 2.5 h spread: the signals smear
    # over the whole day, the members' hours do not.
    rng = np.random.default_rng(5)
    truth = rng.choice([8.0, 19.0], 1000)
    signals = signals_around(truth, 3, 2.5, 0.05, rng)
    segment = np.zeros(len(truth), dtype=np.int64)
    prior = fit_hour_prior(signals, segment, len(truth), 1)
    near = circular_gap(HOURS.astype(float), 8.0) <= 1
    near |= circular_gap(HOURS.astype(float), 19.0) <= 1
    assert prior.prior[0, near].sum() > 0.8
    # one signal between the two: the member is an 8 o'clock reader whose visit came late
    one = HourSignals(np.zeros(1, dtype=np.int64), np.array([11.0]), np.ones(1))
    assert circular_gap(best_hours(one, segment[:1], 1, prior).astype(float), np.array([8.0]))[0] <= 1


def test_the_hour_chosen_is_the_likeliest_to_be_within_an_hour_of_the_members() -> None:
    # 10:00 alone is the likeliest hour, but 14:00-16:00 together are likelier: a send at 15:00 is
    # within an hour of the member's three times in five, one at 10:00 three times in ten.
    shares = np.full(24, 0.02)
    shares[10], shares[[14, 15, 16]] = 0.3, 0.2
    prior = HourPrior((shares / shares.sum())[None, :], 1.5, 0.05)
    silent = HourSignals(np.array([], dtype=np.int64), np.array([]), np.array([]))
    assert best_hours(silent, np.zeros(1, dtype=np.int64), 1, prior)[0] == 15
