"""Fitted models as one artefact, persisted with their as-of date and metrics.

A model fitted as of date D has seen nothing after D, so it may serve any profile as of D or later;
`ModelStore.for_as_of` picks the newest such artefact. Files are joblib pickles written by this
code into a directory we own (never load an artefact from anywhere else), each with a JSON
sidecar a person can read.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import joblib
import numpy as np
import structlog

from tools.errors import StorageError
from tools.profiles.affinity import AffinityModel
from tools.profiles.churn import ChurnModel
from tools.profiles.clv import ClvModel
from tools.profiles.next_purchase import NextPurchaseModel
from tools.profiles.order_value import OrderValuePrior
from tools.profiles.population import CategoryStats
from tools.profiles.replenishment import ReplenishmentModel
from tools.profiles.send_hour import HourPrior
from tools.storage import parse_url, staged, write_text_atomic

log = structlog.get_logger(__name__)

# 2: replenishment learns from censored pairs too; 3: no scikit-learn objects to load; 4: order values' prior
ARTEFACT_VERSION = 4
NAME = re.compile(r"^profile-models-(\d{8}T\d{6})\.joblib$")


@dataclass(frozen=True)
class FittedModels:
    version: int
    as_of: datetime
    fitted_at: datetime
    stats: CategoryStats
    churn: ChurnModel
    next_purchase: NextPurchaseModel
    clv: ClvModel
    replenishment: ReplenishmentModel
    affinity: AffinityModel
    # field -> 101 quantiles (0, 1, ..., 100 %) over members who bought in the year before as_of:
    # what segment thresholds written as quantiles resolve against
    reference: dict[str, np.ndarray]
    metrics: dict[str, float] = field(default_factory=dict)
    training_rows: dict[str, int] = field(default_factory=dict)
    send_hours: HourPrior | None = None  # what members' best hours are shrunk toward; None: each frame's own
    order_values: OrderValuePrior | None = None  # what members' order values are shrunk toward; the same

    def quantile(self, name: str, q: float) -> float:
        grid = self.reference[name]
        return float(np.interp(q * 100.0, np.arange(len(grid)), grid))

    def summary(self) -> dict[str, object]:
        return {
            "version": self.version,
            "as_of": self.as_of.isoformat(),
            "fitted_at": self.fitted_at.isoformat(timespec="seconds"),
            "windows_days": {
                "churn": self.churn.horizon_days,
                "next_purchase": self.next_purchase.window_days,
                "clv": self.clv.window_days,
                "replenishment": self.replenishment.window_days,
                "affinity": self.affinity.horizon_days,
            },
            "categories": len(self.stats.names),
            "metrics": {k: round(v, 4) for k, v in self.metrics.items() if np.isfinite(v)},
            "training_rows": self.training_rows,
            # what a member's likely order value is shrunk toward, and by how many orders' worth
            "order_values": None
            if self.order_values is None
            else {
                "base_average": round(self.order_values.mean, 2),
                "weight_orders": round(self.order_values.weight, 2),
            },
        }


@dataclass(frozen=True)
class ModelStore:
    directory: Path

    def path_for(self, as_of: datetime) -> Path:
        return self.directory / f"profile-models-{as_of:%Y%m%dT%H%M%S}.joblib"

    def save(self, models: FittedModels) -> Path:
        """Save the artefact and its sidecar. Processes started together may fit and save the same
        models at once: each stages its own files (see `tools.storage.files`), so none fails and
        a reader sees one whole artefact or the other."""
        path = self.path_for(models.as_of)
        with staged(path) as partial:
            joblib.dump(models, partial)
        write_text_atomic(path.with_suffix(".json"), json.dumps(models.summary(), indent=2) + "\n")
        log.info("models saved", path=str(path), as_of=models.as_of.isoformat())
        return path

    def available(self) -> list[datetime]:
        if not self.directory.is_dir():
            return []
        found = [NAME.match(p.name) for p in self.directory.iterdir()]
        return sorted(datetime.strptime(m.group(1), "%Y%m%dT%H%M%S") for m in found if m)

    def for_as_of(self, as_of: datetime) -> FittedModels | None:
        """The newest artefact fitted as of `as_of` or earlier, or None."""
        usable = [d for d in self.available() if d <= as_of]
        if not usable:
            return None
        path = self.path_for(usable[-1])
        try:
            models = joblib.load(path)
        except Exception as exc:  # a corrupt or foreign file: say which, refit
            raise StorageError(
                f"cannot read fitted models {path}: {exc}; refit with `loyalty models fit`"
            ) from exc
        if not isinstance(models, FittedModels) or models.version != ARTEFACT_VERSION:
            raise StorageError(f"{path} was written by another version; refit with `loyalty models fit`")
        return models


def default_models_dir(db_url: str) -> Path:
    """Beside a SQLite file (`loyalty.db` -> `loyalty.models/`); for a server database, `models/`
    in the working directory."""
    url = parse_url(db_url)
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        database = Path(url.database)
        return database.with_name(f"{database.stem}.models")
    return Path("models")
