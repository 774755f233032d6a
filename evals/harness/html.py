"""The HTML report: one self-contained page, plain HTML and inline CSS, no scripts.

A grid of cases by evaluator (hover a cell for the reason), then every case in full; failing
cases come first and open. Everything shown is escaped: member names and copy are data.
"""

import json
from html import escape
from typing import Any

from evals.harness.results import CaseResult, Metric, RunSummary

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d232a;max-width:1400px}
h1{font-size:1.4rem;margin:0 0 .3rem} h2{font-size:1.1rem;margin:2rem 0 .5rem}
table{border-collapse:collapse;margin:.5rem 0} td,th{border:1px solid #d5dae0;padding:.25rem .5rem;text-align:left;
vertical-align:top} th{background:#f2f4f7} .pass{background:#e3f5e6} .fail{background:#fbe3e1}
.na{background:#f5f5f5;color:#8a939c} .meta{color:#5b6670} code,pre{font:12px ui-monospace,monospace}
pre{white-space:pre-wrap;background:#f7f8fa;padding:.5rem;border-radius:4px}
details{border:1px solid #d5dae0;border-radius:4px;margin:.4rem 0;padding:.3rem .6rem}
summary{cursor:pointer;font-weight:600} .badge{display:inline-block;padding:0 .4rem;border-radius:3px;font-size:12px}
"""


def render_html(summary: RunSummary, cases: tuple[CaseResult, ...]) -> str:
    evaluators = list(summary.evaluators)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(summary.suite)} eval · {_e(summary.model)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Suite <code>{_e(summary.suite)}</code> on model <code>{_e(summary.model)}</code></h1>",
        f"<p class='meta'>started {summary.started_at:%Y-%m-%d %H:%M:%S} UTC · {summary.seconds:.1f} s · "
        f"{summary.cases.passed}/{summary.cases.total} cases passed, {summary.cases.failed} failed, "
        f"{summary.cases.errored} errored</p>",
        "<h2>Evaluators</h2><table><tr><th>evaluator</th><th>passed</th><th>failed</th><th>not applicable</th>"
        "<th>pass rate</th></tr>",
        *(f"<tr><td>{_e(name)}</td><td>{s.passed}</td><td>{s.failed}</td><td>{s.not_applicable}</td>"
          f"<td class='{'pass' if s.failed == 0 else 'fail'}'>{s.rate:.0%}</td></tr>"
          for name, s in summary.evaluators.items()),
        "</table><h2>Metrics</h2><table>",
        *(f"<tr><th>{_e(name)}</th><td>{_metric(value)}</td></tr>" for name, value in summary.metrics.items()),
        "</table><h2>Cases</h2><table><tr><th>case</th><th>group</th><th>outcome</th>",
        *(f"<th>{_e(name)}</th>" for name in evaluators),
        "</tr>",
        *(_row(case, evaluators) for case in cases),
        "</table><h2>Details</h2>",
        *(_details(case) for case in sorted(cases, key=lambda c: c.passed)),
        "<h2>Configuration</h2>", f"<pre>{_e(_json(summary.config))}</pre>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _row(case: CaseResult, evaluators: list[str]) -> str:
    cells = []
    for name in evaluators:
        check = case.check(name)
        if check is None:
            cells.append("<td class='na'></td>")
        else:
            kind, mark = ("na", "–") if not check.applicable else ("pass", "✓") if check.passed else ("fail", "✗")
            cells.append(f"<td class='{kind}' title='{_e(check.reason)}'>{mark}</td>")
    status = "pass" if case.passed else "fail"
    outcome = "error" if case.error else str(case.decision.get("outcome", ""))
    return (f"<tr><td class='{status}'><a href='#{_e(case.id)}'>{_e(case.id)}</a></td><td>{_e(case.group or '')}</td>"
            f"<td>{_e(outcome)}</td>{''.join(cells)}</tr>")


def _details(case: CaseResult) -> str:
    status = "pass" if case.passed else "fail"
    checks = "".join(
        f"<tr><td>{_e(c.evaluator)}</td><td class='{'na' if not c.applicable else 'pass' if c.passed else 'fail'}'>"
        f"{'n/a' if not c.applicable else 'pass' if c.passed else 'FAIL'}</td><td>{_e(c.reason)}</td></tr>"
        for c in case.checks
    )
    error = f"<p class='fail'>could not run: {_e(case.error)}</p>" if case.error else ""
    link = f" · <a href='{_e(case.transcript)}'>transcript</a>" if case.transcript else ""
    return (
        f"<details id='{_e(case.id)}'{'' if case.passed else ' open'}><summary>"
        f"<span class='badge {status}'>{status}</span> {_e(case.id)} — {_e(case.title)}</summary>"
        f"<p class='meta'>{case.seconds:.2f} s{link}</p>{error}"
        f"<table><tr><th>evaluator</th><th>verdict</th><th>reason</th></tr>{checks}</table>"
        f"<pre>{_e(_json(case.decision))}</pre></details>"
    )


def _metric(value: Metric) -> str:
    if isinstance(value, dict):
        return "<br>".join(f"{_e(k)}: {v:.4g}" for k, v in value.items()) or "–"
    return f"{value:.4g}"


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, default=str, ensure_ascii=False)


def _e(text: object) -> str:
    return escape(str(text), quote=True)
