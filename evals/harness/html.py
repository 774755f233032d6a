"""The HTML report: one self-contained page (template `templates/run.html.j2`), plain HTML and
inline CSS, no scripts.

A grid of cases by evaluator (hover a cell for the reason), then every case in full; failing
cases come first and open. The template escapes everything shown: member names and copy are data.
"""

import json
from typing import Any

from evals.harness.run_results import CaseResult, RunSummary
from tools.reporting import render_page


def render_html(summary: RunSummary, cases: tuple[CaseResult, ...]) -> str:
    return render_page(
        "evals.harness",
        "run.html.j2",
        summary=summary,
        cases=cases,
        evaluators=list(summary.evaluators),
        as_json=_json,
    )


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, default=str, ensure_ascii=False)
