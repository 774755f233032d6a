"""The scores CI holds the product to, kept in the repo as `evals/thresholds.toml`.

Per suite, `min` floors and `max` ceilings on metrics named as in `summary.json`, with dotted
names reaching into grouped metrics (`evaluator_pass_rate.no_rule_violations`). The `[ci]` table
says how big a subset CI runs.
"""

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.harness.compare import flatten
from evals.harness.run_results import RunSummary

THRESHOLDS_PATH = Path(__file__).resolve().parent.parent / "thresholds.toml"


class Bounds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: dict[str, float] = {}
    max: dict[str, float] = {}


class CiSubset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario_sample: int = Field(ge=1)
    guard_sample: int = Field(ge=1)


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ci: CiSubset
    suites: dict[str, Bounds]

    def breaches(self, summary: RunSummary) -> list[str]:
        """Every bound the run misses, in words; a metric the run lacks is a breach too."""
        bounds = self.suites.get(summary.suite)
        if bounds is None:
            return []
        flat = flatten(summary.metrics)
        problems = []
        for name, floor in bounds.min.items():
            value = flat.get(name)
            if value is None or value < floor:
                problems.append(f"{summary.suite}: {name} = {value} is below the floor {floor}")
        for name, ceiling in bounds.max.items():
            value = flat.get(name)
            if value is None or value > ceiling:
                problems.append(f"{summary.suite}: {name} = {value} is above the ceiling {ceiling}")
        return problems


def load_thresholds(path: Path = THRESHOLDS_PATH) -> Thresholds:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"cannot read thresholds {path}: {error}") from None
    ci = raw.pop("ci", None)
    try:
        return Thresholds.model_validate({"ci": ci, "suites": raw})
    except ValidationError as error:
        raise ValueError(f"invalid thresholds {path}: {error}") from None
