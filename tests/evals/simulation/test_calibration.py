"""The default population's campaign- and flow-level statistics stay inside the public benchmark
bands (docs/simulation.md), so the simulator does not make the product's levers easier
than the evidence says."""

from evals.simulation.calibration import BANDS, statistics_of
from tests.evals.simulation.test_engine import POPULATION


async def test_the_default_population_lands_inside_the_public_benchmarks() -> None:
    stats = await statistics_of(POPULATION, members=800)
    assert set(BANDS) <= set(stats)
    outside = {
        name: round(stats[name], 4)
        for name, band in BANDS.items()
        if band.held and not band.low <= stats[name] <= band.high
    }
    assert outside == {}
