"""Ops results for people: rich renderables (a terminal draws them; a pipe gets plain text)."""

from functools import singledispatch

from pydantic import BaseModel, ValidationError
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from loyalty.ops.results import (
    Cancelled,
    DeadLetterList,
    DecisionExplanation,
    MemberOffer,
    ReviewDecision,
    ReviewQueue,
    SegmentView,
)
from policies.proposal import Offer
from tools.budgets import UseCaseBudget
from tools.campaigns import CampaignPreview, CampaignResult, RejectionReport, describe_offer


def _pairs(title: str, rows: list[tuple[str, object]]) -> Table:
    table = Table(title=title, show_header=False, show_edge=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        if value is not None:  # an SMS has no subject: leave the row out rather than print "None"
            table.add_row(key, str(value))
    return table


def _money(amount: float) -> str:
    return f"${amount:,.2f}"


@singledispatch
def render(value: BaseModel) -> RenderableType:
    return Text(value.model_dump_json(indent=2))


@render.register
def _(value: CampaignPreview) -> RenderableType:
    p = value
    head = _pairs(
        f"campaign {p.campaign_id}: {p.use_case} for {p.segment}",
        [
            (
                "segment members",
                f"{p.segment_members:,} ({p.holdout:,} in the holdout, {p.stale:,} with stale data)",
            ),
            ("worth contacting", f"{p.eligible:,} of {p.audience:,}; {p.compliant:,} pass every rule"),
            ("chosen", f"{p.members:,} members (limited by {p.limited_by.value})"),
            (
                "budget",
                f"{_money(p.budget_committed)} committed of {_money(p.budget_available)} available"
                f"{' (use case paused)' if p.budget_paused else ''}",
            ),
            ("expected incremental margin", _money(p.expected_incremental_margin)),
            ("expected cost", _money(p.expected_cost)),
            ("expected value", _money(p.expected_value)),
            ("guard reviews on confirm", f"{p.variants:,} variants + {p.flagged:,} flagged members"),
            ("fairness", "passes" if p.fair else "FAILS: " + "; ".join(p.fairness)),
        ],
    )
    offers = Table(title="offers", title_justify="left", show_edge=False)
    for column in ("offer", "channel", "members", "budget", "value"):
        offers.add_column(column, justify="right" if column in ("members", "budget", "value") else "left")
    for line in p.offers:
        offers.add_row(
            line.offer,
            line.channel,
            f"{line.members:,}",
            _money(line.budget_committed),
            _money(line.expected_value),
        )
    rules = Table(
        title="rule and judgement outcomes (proposals checked)", title_justify="left", show_edge=False
    )
    for column in ("rule", "blocked", "review", "warn"):
        rules.add_column(column, justify="left" if column == "rule" else "right")
    for outcome in p.rule_outcomes:
        rules.add_row(outcome.rule_id, str(outcome.block), str(outcome.review), str(outcome.warn))
    samples = [
        Text.assemble(
            (f"member {s.customer_id} · {s.channel} · {s.offer}\n", "bold"),
            (f"{s.subject}\n" if s.subject else "", "italic"),
            s.body,
        )
        for s in p.samples
    ]
    parts: list[RenderableType] = [head, offers]
    if p.rule_outcomes:
        parts.append(rules)
    if samples:
        parts += [Text("sample messages", style="bold"), *samples]
    return Group(*parts)


@render.register
def _(value: CampaignResult) -> RenderableType:
    r = value
    rows: list[tuple[str, object]] = [
        ("guard reviews", f"{r.guard_reviews:,} ({r.variants:,} variants, {r.flagged:,} flagged members)"),
        ("approved", f"{r.approved:,} of {r.members:,}"),
        ("queued for delivery", f"{r.queued:,} ({_money(r.budget_reserved)} reserved)"),
        (
            "waiting for a person",
            f"{r.in_review:,}"
            + (
                f" (reviews {', '.join(map(str, r.review_ids[:10]))}{'…' if len(r.review_ids) > 10 else ''})"
                if r.review_ids
                else ""
            ),
        ),
        ("rejected", f"{r.rejected:,}" + (f" ({_counts(r.rejected_by)})" if r.rejected_by else "")),
    ]
    if r.refused:
        rows.append(("refused by the outbox", f"{r.refused:,} ({_counts(r.refused_by)})"))
    return _pairs(f"campaign {r.campaign_id} executed", rows)


def _optional(value: float | None, form: str) -> str:
    return "unknown" if value is None else form.format(value)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{code} {n:,}" for code, n in sorted(counts.items(), key=lambda item: -item[1]))


@render.register
def _(value: MemberOffer) -> RenderableType:
    asked = Table(title="specialists asked", title_justify="left", show_edge=False)
    for column in ("use case", "decision", "value / reason", "trace"):
        asked.add_column(column)
    for a in value.answers:
        detail = _money(a.expected_value) if a.expected_value is not None else (a.reason or "")
        asked.add_row(a.use_case, a.decision, detail[:100], a.trace_id)
    if value.proposal is None:
        return Group(Text(f"member {value.customer_id}: nothing to offer now.", style="bold"), asked)
    p = value.proposal
    message = p.get("message") or {}
    head = _pairs(
        f"member {value.customer_id}: best offer now ({value.best.use_case if value.best else ''})",
        [
            ("offer", _offer(p.get("offer"))),
            ("channel", p.get("channel")),
            ("send at", p.get("send_at")),
            ("valid until", p.get("valid_until")),
            ("subject", message.get("subject")),
            ("message", message.get("body")),
            ("why", value.rationale),
            ("needs a person", "yes" if value.needs_review else "no"),
            ("guard's judgement", "; ".join(value.judgement) or "reads well"),
        ],
    )
    return Group(head, asked)


def _offer(offer: object) -> str:
    try:
        return describe_offer(Offer.model_validate(offer))
    except ValidationError:  # a model's proposal need not be valid: show what it said
        return str(offer)


@render.register
def _(value: DecisionExplanation) -> RenderableType:
    steps = Table(title="steps", title_justify="left", show_edge=False)
    steps.add_column("agent")
    steps.add_column("step")
    for step in value.steps:
        steps.add_row(step.agent, step.summary)
    parts: list[RenderableType] = [
        _pairs(
            f"decision {value.trace_id}",
            [
                ("agents", ", ".join(value.agents)),
                ("outcome", value.outcome),
                (
                    "models",
                    ", ".join(value.models)
                    + (" — DEGRADED: a fallback model answered" if value.degraded else ""),
                ),
            ],
        ),
        steps,
    ]
    if value.proposals:
        recorded = Table(title="verdicts recorded", title_justify="left", show_edge=False)
        for column in ("member", "channel", "status", "verdict", "reasons"):
            recorded.add_column(column)
        for p in value.proposals:
            reasons = "; ".join(p["reasons"])[:120]
            recorded.add_row(str(p["customer_id"]), p["channel"], p["status"], p["verdict"], reasons)
        parts.append(recorded)
        if value.more_proposals:
            parts.append(Text(f"… and {value.more_proposals:,} more under this trace"))
    return Group(*parts)


@render.register
def _(value: SegmentView) -> RenderableType:
    s = value.summary
    head = _pairs(
        f"segment {s.id}: {s.name}",
        [
            ("description", s.description),
            ("rule", s.rule),
            ("members", f"{s.members:,} ({s.share_of_members:.1%} of members, {s.stale_members:,} stale)"),
            ("mean churn risk", _optional(s.mean_churn_risk, "{:.2f}")),
            ("mean predicted CLV (365 d)", _optional(s.mean_predicted_clv_365, "${:,.2f}")),
            ("mean spend (365 d)", _optional(s.mean_spend_365, "${:,.2f}")),
            ("lifecycle stages", _counts(s.lifecycle_stages)),
            ("preferred channels", _counts(s.preferred_channels)),
            ("top categories", ", ".join(f"{c} ({n})" for c, n in s.top_categories[:5])),
        ],
    )
    examples = Table(title="highest churn risk", title_justify="left", show_edge=False)
    for column in ("member", "tier", "recency (d)", "churn risk", "CLV", "top categories"):
        examples.add_column(column)
    for m in value.examples:
        examples.add_row(
            str(m.customer_id),
            m.tier or "",
            str(m.recency_days),
            f"{m.churn_risk:.2f}",
            _money(m.predicted_clv_365),
            ", ".join(m.top_categories),
        )
    return Group(head, examples)


@render.register
def _(value: RejectionReport) -> RenderableType:
    if not value.verdicts:
        return Text("The guard has rejected nothing yet.")
    table = Table(
        title=f"guard rejections by rule (last {value.verdicts:,} rejected verdicts)",
        title_justify="left",
        show_edge=False,
    )
    for column in ("rule", "rejections", "example"):
        table.add_column(column, justify="right" if column == "rejections" else "left")
    for rule in value.by_rule:
        table.add_row(rule.rule_id, f"{rule.rejections:,}", rule.example[:100])
    recent = Table(title="most recent", title_justify="left", show_edge=False)
    for column in ("at", "member", "use case", "channel", "rules", "trace"):
        recent.add_column(column)
    for r in value.recent:
        recent.add_row(
            f"{r.at:%Y-%m-%d %H:%M}",
            str(r.customer_id),
            r.use_case,
            r.channel,
            ", ".join(r.rule_ids),
            r.trace_id,
        )
    return Group(table, recent)


@render.register
def _(value: ReviewQueue) -> RenderableType:
    if not value.items:
        return Text("The review queue is empty.")
    table = Table(title="waiting for a person", title_justify="left", show_edge=False)
    for column in ("review", "member", "use case", "channel", "cost", "reason"):
        table.add_column(column)
    for item in value.items:
        table.add_row(
            str(item["review_id"]),
            str(item["customer_id"]),
            item["use_case"],
            item["channel"],
            _money(item["estimated_cost"]),
            str(item["reason"])[:100],
        )
    return Group(table, Text("approve review <id> / reject review <id>"))


@render.register
def _(value: ReviewDecision) -> RenderableType:
    if not value.approved:
        return Text(f"Review {value.review_id} rejected; nothing will be sent.")
    if value.contact_id is not None:
        return Text(
            f"Review {value.review_id} approved; message queued for delivery (contact {value.contact_id})."
        )
    return Text(f"Review {value.review_id} approved, but the outbox would not queue it: {value.refused}")


@render.register
def _(value: DeadLetterList) -> RenderableType:
    if not value.items:
        return Text("No dead letters: every message was delivered or is still being tried.")
    table = Table(title="dead letters (newest first)", title_justify="left", show_edge=False)
    for column in ("contact", "member", "channel", "use case", "attempts", "scheduled", "reason"):
        table.add_column(column)
    for item in value.items:
        table.add_row(
            str(item.contact_id),
            str(item.customer_id),
            item.channel,
            item.use_case or "",
            str(item.attempts),
            f"{item.scheduled_at:%Y-%m-%d %H:%M}",
            (item.reason or "")[:160],
        )
    return table


@render.register
def _(value: UseCaseBudget) -> RenderableType:
    state = "paused: nothing more is sent for it" if value.paused else "running"
    return Text(
        f"{value.use_case.value} is {state} (budget {_money(value.spent)} spent of {_money(value.amount)}, "
        f"{value.period_start:%Y-%m-%d} to {value.period_end:%Y-%m-%d})."
    )


@render.register
def _(value: Cancelled) -> RenderableType:
    return Text(value.message)
