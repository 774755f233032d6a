"""Comparing two runs: what changed, case by case, and how the metrics moved.

A case "changed" when its overall verdict flipped, when any evaluator's verdict flipped, when
its outcome differs (sent → nothing), or when it exists in only one run.
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from evals.harness.run_dir import read_run
from evals.harness.run_results import CaseResult, Check, Metric, RunSummary


class EvaluatorChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    evaluator: str
    before: bool | None  # None: not judged in that run (or not applicable)
    after: bool | None
    reason: str  # the newer reason (or the older one when the check disappeared)


class CaseChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    before: bool | None  # None: the case is not in that run
    after: bool | None
    outcome_before: str | None
    outcome_after: str | None
    evaluators: tuple[EvaluatorChange, ...]


class RunLabel(BaseModel):
    model_config = ConfigDict(frozen=True)

    directory: str
    suite: str
    model: str
    passed: int
    total: int


class Comparison(BaseModel):
    model_config = ConfigDict(frozen=True)

    a: RunLabel
    b: RunLabel
    metrics: dict[str, tuple[float | None, float | None]]  # flattened name -> (a, b), only those that differ
    changed: tuple[CaseChange, ...]
    unchanged: int

    @property
    def fixed(self) -> list[CaseChange]:
        return [c for c in self.changed if c.before is False and c.after is True]

    @property
    def broken(self) -> list[CaseChange]:
        return [c for c in self.changed if c.before is True and c.after is False]


def compare_runs(dir_a: Path, dir_b: Path) -> Comparison:
    summary_a, cases_a = read_run(dir_a)
    summary_b, cases_b = read_run(dir_b)
    by_id_a, by_id_b = {c.id: c for c in cases_a}, {c.id: c for c in cases_b}
    changed, unchanged = [], 0
    for case_id in [*by_id_a, *(i for i in by_id_b if i not in by_id_a)]:
        change = _case_change(case_id, by_id_a.get(case_id), by_id_b.get(case_id))
        if change is None:
            unchanged += 1
        else:
            changed.append(change)
    flat_a, flat_b = flatten(summary_a.metrics), flatten(summary_b.metrics)
    metrics = {
        name: (flat_a.get(name), flat_b.get(name))
        for name in sorted(flat_a.keys() | flat_b.keys())
        if flat_a.get(name) != flat_b.get(name)
    }
    return Comparison(
        a=_label(dir_a, summary_a),
        b=_label(dir_b, summary_b),
        metrics=metrics,
        changed=tuple(changed),
        unchanged=unchanged,
    )


def flatten(metrics: dict[str, Metric]) -> dict[str, float]:
    """`{"pass_rate": .8, "by": {"x": .5}}` → `{"pass_rate": .8, "by.x": .5}`."""
    flat: dict[str, float] = {}
    for name, value in metrics.items():
        if isinstance(value, dict):
            flat.update({f"{name}.{key}": float(v) for key, v in value.items()})
        else:
            flat[name] = float(value)
    return flat


def _label(directory: Path, summary: RunSummary) -> RunLabel:
    return RunLabel(
        directory=str(directory),
        suite=summary.suite,
        model=summary.model,
        passed=summary.cases.passed,
        total=summary.cases.total,
    )


def _verdict(check: Check | None) -> bool | None:
    return None if check is None or not check.applicable else check.passed


def _case_change(case_id: str, a: CaseResult | None, b: CaseResult | None) -> CaseChange | None:
    names = list(
        dict.fromkeys(
            [c.evaluator for c in (a.checks if a else ())] + [c.evaluator for c in (b.checks if b else ())]
        )
    )
    flips = []
    for name in names:
        before, after = (a.check(name) if a else None), (b.check(name) if b else None)
        if _verdict(before) != _verdict(after):
            shown = after or before
            assert shown is not None
            flips.append(
                EvaluatorChange(
                    evaluator=name, before=_verdict(before), after=_verdict(after), reason=shown.reason
                )
            )
    outcome_a = _outcome(a)
    outcome_b = _outcome(b)
    before_passed, after_passed = (a.passed if a else None), (b.passed if b else None)
    if not flips and outcome_a == outcome_b and before_passed == after_passed:
        return None
    return CaseChange(
        id=case_id,
        before=before_passed,
        after=after_passed,
        outcome_before=outcome_a,
        outcome_after=outcome_b,
        evaluators=tuple(flips),
    )


def _outcome(case: CaseResult | None) -> str | None:
    if case is None:
        return None
    return "error" if case.error else str(case.decision.get("outcome", ""))
