"""Each member's best hour: their own signals against their segment's hours, robust to strays."""

import numpy as np

from tools.profiles.send_hour import HourSignals, best_hours, circular_gap, fit_hour_prior, own_spread


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
