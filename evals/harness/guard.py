"""The guard's adversarial suite as a harness suite: its runner's results in the harness's shapes.

The suite and its runner belong to the guard (`evals.guard_suite`, `evals.guard_runner`); this
module only runs them and translates each result into two checks — did the guard block or pass
the case as expected, and did it name the rule the case breaks — plus the runner's own metrics.
The runner keeps no transcripts, so each case's file holds the verdicts and reasons it recorded.
"""

import json
from collections.abc import Callable
from pathlib import Path

from agents.models import Model
from evals.guard_runner import GuardCaseResult, GuardSuiteResult, local_guard_model, run_guard_suite
from evals.guard_suite import GuardCase, load_guard_suite
from evals.harness.run_results import CaseResult, Check, Metric
from evals.harness.runner import TRANSCRIPTS, case_slug
from policies.model import Policy


def guard_cases(*, sample: int | None = None, ids: tuple[str, ...] = ()) -> tuple[GuardCase, ...]:
    """The guard suite, cut to `ids` or to `sample` cases spread evenly over its files."""
    cases = load_guard_suite()
    if ids:
        if unknown := sorted(set(ids) - {c.id for c in cases}):
            raise ValueError(f"no such cases in guard: {', '.join(unknown)}")
        cases = tuple(c for c in cases if c.id in ids)
    if sample is not None and sample < len(cases):
        step = len(cases) / sample
        cases = tuple(cases[int(i * step)] for i in range(sample))
    return cases


async def run_guard(
    cases: tuple[GuardCase, ...],
    model: Model | None,
    policy: Policy,
    out_dir: Path,
    *,
    concurrency: int = 2,
    on_case: Callable[[CaseResult], None] | None = None,
) -> tuple[tuple[CaseResult, ...], dict[str, Metric]]:
    (out_dir / TRANSCRIPTS).mkdir(parents=True, exist_ok=True)
    titles = {case.id: case.description for case in cases}

    def finished(result: GuardCaseResult) -> None:
        if on_case is not None:
            on_case(as_case_result(result, titles[result.id]))

    suite: GuardSuiteResult = await run_guard_suite(
        cases, model or local_guard_model(), policy=policy, concurrency=concurrency, on_case=finished
    )
    results = []
    for result in suite.cases:
        transcript = Path(TRANSCRIPTS) / f"{case_slug(result.id)}.json"
        (out_dir / transcript).write_text(
            json.dumps(result.model_dump(mode="json"), indent=1), encoding="utf-8"
        )
        results.append(
            as_case_result(result, titles[result.id]).model_copy(update={"transcript": transcript.as_posix()})
        )
    metrics: dict[str, Metric] = dict(suite.metrics())
    return tuple(results), metrics


def as_case_result(result: GuardCaseResult, title: str) -> CaseResult:
    family = result.id.split("/", 1)[0]
    outcome = Check(
        evaluator="guard_outcome",
        passed=result.got == result.expected,
        reason=f"expected {result.expected}, got {result.got} ({', '.join(result.verdicts)})",
    )
    named = Check(
        evaluator="guard_reasons",
        passed=result.reasons_matched,
        applicable=result.expected == "block",
        reason=(
            f"named {', '.join(result.found_ids) or 'nothing'}; expected {', '.join(result.expected_ids)}"
            if result.expected == "block"
            else "a valid case: no rule to name"
        ),
    )
    return CaseResult(
        id=result.id,
        title=title,
        group=family,
        checks=(outcome, named),
        decision={
            "outcome": result.got,
            "verdicts": list(result.verdicts),
            "reasons": list(result.reasons),
            "delivered": result.delivered,
        },
        seconds=result.seconds,
    )
