"""Run directories: summary, one line per case, transcripts referenced, an HTML page; comparisons."""

import json
from pathlib import Path

import pytest

from evals.harness.compare import compare_runs
from evals.harness.run_dir import read_run, write_run
from evals.harness.run_results import CaseResult
from evals.harness.thresholds import Bounds, CiSubset, Thresholds, load_thresholds
from tests.evals.harness.builders import case_result, summary_of

INJECTED = "<script>alert('x')</script>"


def write(directory: Path, *cases: CaseResult, suite: str = "scenarios") -> None:
    write_run(directory, summary_of(suite, cases), cases)


def test_a_run_directory_holds_summary_cases_and_html(tmp_path: Path) -> None:
    cases = (
        case_result(
            "cart/a", ("completed", True), ("channel_in", True), transcript="transcripts/cart__a.json"
        ),
        case_result("cart/b", ("completed", True), ("channel_in", False), group="cart_abandonment"),
        CaseResult(id="cart/c", title=INJECTED, error="FixtureError: no category 'Hats'"),
    )
    write(tmp_path, *cases)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["suite"] == "scenarios" and summary["config"]["world"]["seed"] == 7
    assert summary["cases"] == {"total": 3, "passed": 1, "failed": 1, "errored": 1}
    assert summary["evaluators"]["channel_in"] == {"passed": 1, "failed": 1, "not_applicable": 0}
    assert summary["metrics"]["pass_rate"] == round(1 / 3, 4)
    lines = [json.loads(line) for line in (tmp_path / "cases.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == ["cart/a", "cart/b", "cart/c"]
    assert lines[0]["transcript"] == "transcripts/cart__a.json" and lines[0]["passed"] is True
    assert lines[1]["checks"][1] == {
        "evaluator": "channel_in",
        "passed": False,
        "reason": "channel_in wrong",
        "applicable": True,
    }
    html = (tmp_path / "report.html").read_text()
    assert "cart/b" in html and "channel_in wrong" in html and "no category" in html
    assert INJECTED not in html and "&lt;script&gt;" in html  # member text is data, escaped
    assert "<script" not in html.lower()
    assert read_run(tmp_path)[1] == cases


def test_reading_something_that_is_not_a_run_says_so(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an eval run directory"):
        read_run(tmp_path)


def test_compare_shows_what_changed_case_by_case(tmp_path: Path) -> None:
    write(
        tmp_path / "a",
        case_result("x", ("completed", True), ("decision", False), outcome="nothing"),
        case_result("y", ("completed", True), ("decision", True)),
        case_result("gone", ("completed", True)),
    )
    write(
        tmp_path / "b",
        case_result("x", ("completed", True), ("decision", True), outcome="sent"),
        case_result("y", ("completed", True), ("decision", True)),
        case_result("new", ("completed", False)),
    )
    comparison = compare_runs(tmp_path / "a", tmp_path / "b")
    changed = {c.id: c for c in comparison.changed}
    assert set(changed) == {"x", "gone", "new"} and comparison.unchanged == 1
    assert changed["x"].before is False and changed["x"].after is True
    assert (changed["x"].outcome_before, changed["x"].outcome_after) == ("nothing", "sent")
    assert [(e.evaluator, e.before, e.after) for e in changed["x"].evaluators] == [("decision", False, True)]
    assert changed["gone"].after is None and changed["new"].before is None
    assert [c.id for c in comparison.fixed] == ["x"] and comparison.broken == []
    assert "pass_rate" not in comparison.metrics  # 2 of 3 both times: only metrics that moved are listed
    assert comparison.metrics["evaluator_pass_rate.decision"] == (0.5, 1.0)


def test_thresholds_name_every_breach() -> None:
    cases = (
        case_result("a", ("completed", True), ("no_rule_violations", False)),
        case_result("b", ("completed", True), ("no_rule_violations", True)),
    )
    summary = summary_of("scenarios", cases)
    bounds = Thresholds(
        ci=CiSubset(scenario_sample=1, guard_sample=1),
        suites={
            "scenarios": Bounds(
                min={
                    "pass_rate": 0.4,
                    "evaluator_pass_rate.no_rule_violations": 1.0,
                    "evaluator_pass_rate.copy": 1.0,
                },
                max={"pass_rate": 0.4},
            )
        },
    )
    breaches = bounds.breaches(summary)
    assert len(breaches) == 3
    assert any("no_rule_violations = 0.5 is below the floor 1.0" in b for b in breaches)
    assert any("copy = None" in b for b in breaches)  # a metric the run lacks is a breach
    assert any("above the ceiling" in b for b in breaches)
    assert bounds.breaches(summary_of("other", cases)) == []


def test_the_shipped_thresholds_load_and_bound_every_ci_suite() -> None:
    shipped = load_thresholds()
    assert set(shipped.suites) == {"seed", "scenarios", "guard", "simulation"}  # simulation: its invariants
    assert shipped.suites["simulation"].max["agents.violations.mean"] == 0.0
    assert shipped.suites["guard"].min["violations_blocked_rate"] == 1.0
    assert shipped.suites["scenarios"].min["evaluator_pass_rate.no_rule_violations"] == 1.0
