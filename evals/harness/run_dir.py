"""Writing a run directory and reading it back.

DIR/summary.json        what ran (suite, model, config and seeds), counts, scores, metrics
DIR/cases.jsonl         one line per case: id, each evaluator's verdict and reason, transcript path
DIR/report.html         the same for people: plain HTML with inline CSS, no scripts
DIR/transcripts/*.json  one per case (see the runners)
"""

import json
from pathlib import Path

from evals.harness.html import render_html
from evals.harness.run_results import CaseResult, RunSummary

SUMMARY = "summary.json"
CASES = "cases.jsonl"
HTML = "report.html"


def write_run(out_dir: Path, summary: RunSummary, cases: tuple[CaseResult, ...]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / SUMMARY).write_text(summary.model_dump_json(indent=2), encoding="utf-8")
    with (out_dir / CASES).open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(case.model_dump_json() + "\n")
    (out_dir / HTML).write_text(render_html(summary, cases), encoding="utf-8")


def read_run(out_dir: Path) -> tuple[RunSummary, tuple[CaseResult, ...]]:
    """A run directory written by `write_run`; ValueError naming what is missing or broken."""
    try:
        summary = RunSummary.model_validate_json((out_dir / SUMMARY).read_bytes())
        lines = (out_dir / CASES).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ValueError(
            f"{out_dir} is not an eval run directory: {error.strerror} ({error.filename})"
        ) from None
    except ValueError as error:
        raise ValueError(f"{out_dir / SUMMARY} is not a run summary: {error}") from None
    try:
        cases = tuple(CaseResult.model_validate(json.loads(line)) for line in lines if line.strip())
    except ValueError as error:
        raise ValueError(f"{out_dir / CASES} is not a list of case results: {error}") from None
    return summary, cases
