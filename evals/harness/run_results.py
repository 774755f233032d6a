"""Results of a run: one verdict per evaluator per case, and the run's summary.

The same shapes serve every suite (scenarios, seed, guard), so reports and comparisons need not
know which suite produced them. A check that does not apply (no message went out, so there is no
channel to judge) is recorded as not applicable and left out of the scores.
"""

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

Metric = float | dict[str, float]


class Check(BaseModel):
    model_config = ConfigDict(frozen=True)

    evaluator: str
    passed: bool
    reason: str
    applicable: bool = True


class CaseResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    title: str
    group: str | None = None  # use case (scenarios) or rule family (guard)
    checks: tuple[Check, ...] = ()
    decision: dict[str, Any] = Field(default_factory=dict)  # a short account of what was decided, for reports
    transcript: str | None = None  # path relative to the run directory
    seconds: float = 0.0
    error: str | None = None  # the case could not be run at all

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        return self.error is None and all(check.passed for check in self.checks)

    def check(self, evaluator: str) -> Check | None:
        return next((c for c in self.checks if c.evaluator == evaluator), None)


class EvaluatorScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    passed: int
    failed: int
    not_applicable: int

    @property
    def rate(self) -> float:
        judged = self.passed + self.failed
        return round(self.passed / judged, 4) if judged else 1.0


class CaseCounts(BaseModel):
    model_config = ConfigDict(frozen=True)

    total: int
    passed: int
    failed: int
    errored: int


class RunSummary(BaseModel):
    """`summary.json`: what ran (suite, model, config with seeds), how it scored, and the metrics."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    suite: str
    model: str
    config: dict[str, Any]
    started_at: datetime
    seconds: float
    cases: CaseCounts
    evaluators: dict[str, EvaluatorScore]
    metrics: dict[str, Metric]


def score_cases(cases: tuple[CaseResult, ...]) -> tuple[CaseCounts, dict[str, EvaluatorScore]]:
    errored = sum(1 for c in cases if c.error is not None)
    passed = sum(1 for c in cases if c.passed)
    counts = CaseCounts(
        total=len(cases), passed=passed, failed=len(cases) - passed - errored, errored=errored
    )
    tallies: dict[str, Counter[str]] = defaultdict(Counter)
    for case in cases:
        for check in case.checks:
            tallies[check.evaluator][
                "passed"
                if check.passed and check.applicable
                else "failed"
                if not check.passed
                else "not_applicable"
            ] += 1
    scores = {
        name: EvaluatorScore(passed=t["passed"], failed=t["failed"], not_applicable=t["not_applicable"])
        for name, t in sorted(tallies.items())
    }
    return counts, scores


def scenario_metrics(
    cases: tuple[CaseResult, ...], evaluators: dict[str, EvaluatorScore]
) -> dict[str, Metric]:
    """The scenario suites' metrics: case pass rate overall and by use case, pass rate by
    evaluator, and how often each outcome was reached."""
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for case in cases:
        groups[case.group or "other"].append(case)
    outcomes = Counter(str(c.decision.get("outcome", "error")) for c in cases)
    return {
        "pass_rate": _rate(sum(c.passed for c in cases), len(cases)),
        "pass_rate_by_use_case": {
            g: _rate(sum(c.passed for c in cs), len(cs)) for g, cs in sorted(groups.items())
        },
        "evaluator_pass_rate": {name: score.rate for name, score in evaluators.items()},
        "outcome_share": {name: _rate(n, len(cases)) for name, n in sorted(outcomes.items())},
        # Cases a fallback model answered (part of): a Claude run with any is not a Claude result.
        "degraded_share": _rate(sum(bool(c.decision.get("degraded")) for c in cases), len(cases)),
        "model_requests": sum(int(c.decision.get("model_requests", 0)) for c in cases),
        "tokens": sum(int(c.decision.get("tokens", 0)) for c in cases),
        "cost_usd": round(sum(float(c.decision.get("cost_usd", 0.0)) for c in cases), 4),
    }


def _rate(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0
