"""The eval summary counts what the decisions cost and says how many a fallback model answered."""

from evals.harness.run_results import CaseResult, scenario_metrics, score_cases


def case(case_id: str, *, degraded: bool, requests: int, tokens: int, cost: float) -> CaseResult:
    return CaseResult(
        id=case_id,
        title=case_id,
        group="reactivation",
        checks=(),
        transcript="t.json",
        seconds=0.1,
        decision={
            "outcome": "sent",
            "degraded": degraded,
            "model_requests": requests,
            "tokens": tokens,
            "cost_usd": cost,
        },
    )


def test_degraded_share_requests_tokens_and_cost() -> None:
    cases = (
        case("a", degraded=False, requests=9, tokens=30_000, cost=0.05),
        case("b", degraded=True, requests=7, tokens=10_000, cost=0.01),
        case("c", degraded=False, requests=8, tokens=20_000, cost=0.03),
        case("d", degraded=False, requests=6, tokens=0, cost=0.0),
    )
    _, evaluators = score_cases(cases)
    metrics = scenario_metrics(cases, evaluators)
    assert metrics["degraded_share"] == 0.25
    assert (metrics["model_requests"], metrics["tokens"], metrics["cost_usd"]) == (30, 60_000, 0.09)
