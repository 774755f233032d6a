"""Whether the fitted response holds on weeks it was not fitted on: predicted against observed
message-led orders, per use case and offer family, on held-out weeks.

The response is fitted on every contact before the cut-off; the contacts sent from the cut-off
on are then counted in the same cells, and each cell's fitted rate (for a family without
evidence, the conservative rate the scorer uses) predicts their orders. The interval on the
observed count is the Poisson one, so a lever whose prediction falls outside it is miscalibrated,
not unlucky.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from scipy.stats import chi2

from tools.nba.response_fit import ResponseRates, fit_response, response_counts
from tools.storage import Database
from tools.time import to_storage


@dataclass(frozen=True)
class CalibrationRow:
    use_case: str
    offer_type: str
    sends: int
    predicted_orders: float
    observed_orders: int
    observed_low: float  # 95% Poisson interval on the observed count
    observed_high: float
    evidence: int  # sends the fit had for this lever (0: the message-only rate stood in)

    @property
    def within(self) -> bool:
        return self.observed_low <= self.predicted_orders <= self.observed_high


@dataclass(frozen=True)
class Calibration:
    fitted_until: datetime
    held_out_until: datetime
    rates: ResponseRates
    rows: list[CalibrationRow]


async def calibrate(db: Database, until: datetime, held_out: timedelta = timedelta(weeks=2)) -> Calibration:
    cutoff = to_storage(until) - held_out
    rates = await fit_response(db, cutoff)
    later = await response_counts(db, cutoff, to_storage(until))
    cells: dict[tuple[str, str], list[float]] = {}
    for i in range(len(later)):
        channel, use_case, family = str(later.channel[i]), str(later.use_case[i]), str(later.offer_type[i])
        order = rates.rate("order", channel, use_case, family)
        fitted = rates.cells.get((channel, use_case, family))
        row = cells.setdefault((use_case, family), [0.0, 0.0, 0.0, 0.0])
        row[0] += later.sends[i]
        row[1] += later.sends[i] * (order.mean if order is not None else 0.0)
        row[2] += later.orders[i]
        row[3] = max(row[3], fitted["order"].evidence if fitted is not None else 0.0)
    rows = []
    for (use_case, family), (sends, predicted, observed, evidence) in sorted(cells.items()):
        low, high = _poisson_interval(int(observed))
        rows.append(
            CalibrationRow(
                use_case, family, int(sends), round(predicted, 2), int(observed), low, high, int(evidence)
            )
        )
    return Calibration(cutoff, to_storage(until), rates, rows)


def _poisson_interval(count: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson mean from one count."""
    alpha = 1 - level
    low = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count) / 2)
    high = float(chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)
    return round(low, 2), round(high, 2)
