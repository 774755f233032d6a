"""Hand-made decisions and runs for the harness tests: no world, no model."""

from datetime import UTC, datetime, timedelta
from typing import Any

from evals.harness.decision import Decision, GuardView, RuleHit
from evals.harness.evaluators import Seen
from evals.harness.run_results import CaseResult, Check, RunSummary, scenario_metrics, score_cases
from policies.proposal import OfferProposal

SEND_AT = datetime(2026, 6, 26, 9, 0, tzinfo=UTC)  # 19:00 in Sydney


def proposal(**changes: Any) -> OfferProposal:
    offer = changes.pop("offer", {"type": "percent_off", "discount_pct": 10.0})
    message = changes.pop(
        "message",
        {
            "tone": "warm",
            "subject": "New activewear",
            "body": "Hi Sarah, our new activewear is in.",
            "cta": "Shop now",
        },
    )
    send_at = changes.pop("send_at", SEND_AT)
    base: dict[str, Any] = {
        "customer_id": 401,
        "use_case": "reactivation",
        "channel": "email",
        "send_at": send_at.isoformat(),
        "valid_from": send_at.isoformat(),
        "valid_until": (send_at + timedelta(hours=24)).isoformat(),
        "offer": offer,
        "message": message,
        "rationale": "because",
        "value": {
            "propensity": 0.3,
            "uplift": 0.05,
            "expected_margin": 10.0,
            "cost": 1.0,
            "fatigue_penalty": 0.5,
            "expected_value": 1.0,
        },
        "estimated_cost": 20.0,
    }
    return OfferProposal.model_validate(base | changes)


def decision(
    outcome: str = "sent",
    *,
    stated: str | None = None,
    proposal_: OfferProposal | None = None,
    **changes: Any,
) -> Decision:
    sent = outcome in ("sent", "review", "rejected", "refused")
    base: dict[str, Any] = {
        "outcome": outcome,
        "stated": stated or outcome,
        "detail": "queued on email",
        "use_case": "reactivation",
        "termination": "completed",
        "degraded": False,
        "proposal": (proposal_ or proposal()) if sent else None,
        "guard": GuardView(
            verdict="approve",
            codes=("guard.approved",),
            reasons=("guard.approved: fine",),
            needs_review=outcome == "review",
            failed_closed=False,
        )
        if sent
        else None,
        "scheduled_at": None,
        "refusal": None,
        "violations": (),
        "content_checked": sent,
        "model_requests": 5,
        "tool_calls": 6,
    }
    return Decision.model_validate(base | changes)


def seen(d: Decision, **changes: Any) -> Seen:
    base: dict[str, Any] = {
        "decision": d,
        "time_zone": "Australia/Sydney",
        "quiet_hours": (21, 8),
        "basket_value": 100.0,
        "sku_prices": {},
    }
    return Seen(**(base | changes))


def hit(rule_id: str, severity: str = "block") -> RuleHit:
    return RuleHit(rule_id=rule_id, severity=severity, message=f"{rule_id} broken")


def case_result(
    case_id: str,
    *checks: tuple[str, bool],
    outcome: str = "sent",
    group: str = "reactivation",
    transcript: str | None = None,
) -> CaseResult:
    return CaseResult(
        id=case_id,
        title=f"title of {case_id}",
        group=group,
        checks=tuple(
            Check(evaluator=name, passed=ok, reason=f"{name} {'ok' if ok else 'wrong'}")
            for name, ok in checks
        ),
        decision={"outcome": outcome},
        transcript=transcript,
        seconds=0.1,
    )


def summary_of(suite: str, cases: tuple[CaseResult, ...]) -> RunSummary:
    counts, evaluators = score_cases(cases)
    return RunSummary(
        suite=suite,
        model="local",
        config={"suite": suite, "world": {"seed": 7}},
        started_at=datetime(2026, 6, 25, tzinfo=UTC),
        seconds=1.0,
        cases=counts,
        evaluators=evaluators,
        metrics=scenario_metrics(cases, evaluators),
    )
