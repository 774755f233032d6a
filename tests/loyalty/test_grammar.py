"""The local model's fixed grammar of ops requests."""

import pytest

from agents.orchestrator.ops_grammar import FORMS, HELP, Command, Help, Unsupported, parse
from loyalty.ops.operations import OPERATIONS


@pytest.mark.parametrize(
    ("text", "operation", "arguments"),
    [
        (
            "plan reactivation for dormant_recoverable budget 5000 limit 200",
            "plan_campaign",
            {"use_case": "reactivation", "segment": "dormant_recoverable", "budget": 5000.0, "limit": 200},
        ),
        (
            "Plan an Upsell campaign for At_Risk with budget $2,500",
            "plan_campaign",
            {"use_case": "upsell", "segment": "at_risk", "budget": 2500.0},
        ),
        (
            "plan competitive response for all budget 1.5k",
            "plan_campaign",
            {"use_case": "competitive_response", "segment": "all", "budget": 1500.0},
        ),
        ("confirm", "confirm_campaign", {}),
        ("cancel", "cancel_campaign", {}),
        ("offer for member 1042", "offer_for_member", {"member": "1042"}),
        ("what would you offer member EXT-7 now?", "offer_for_member", {"member": "EXT-7"}),
        ("offer for member id:12 for upsell", "offer_for_member", {"member": "id:12", "use_case": "upsell"}),
        ("explain 3f2a9c", "explain_decision", {"trace_id": "3f2a9c"}),
        ("segment at_risk", "show_segment", {"segment": "at_risk"}),
        ("rejections", "guard_rejections", {}),
        ("show guard rejections 50", "guard_rejections", {"limit": 50}),
        ("reviews", "review_queue", {}),
        ("list the review queue", "review_queue", {}),
        ("approve review 3", "decide_review", {"review_id": 3, "approve": True}),
        ("reject review 3", "decide_review", {"review_id": 3, "approve": False}),
        ("dead letters", "dead_letters", {}),
        ("show the dead-letter list 20", "dead_letters", {"limit": 20}),
        ("pause cart_abandonment", "pause_use_case", {"use_case": "cart_abandonment"}),
        ("resume cart abandonment", "resume_use_case", {"use_case": "cart_abandonment"}),
    ],
)
def test_each_request_names_an_operation_with_valid_arguments(
    text: str, operation: str, arguments: dict[str, object]
) -> None:
    parsed = parse(text)
    assert parsed == Command(operation, arguments)
    OPERATIONS[operation].arguments.model_validate(arguments)  # what the grammar builds, the operation takes


def test_help_lists_every_request() -> None:
    assert parse("help") == Help(HELP)
    assert all(form.usage in HELP for form in FORMS)


def test_a_known_verb_with_the_wrong_shape_says_how_to_say_it() -> None:
    parsed = parse("plan reactivation")
    assert isinstance(parsed, Unsupported)
    assert "plan <use case> for <segment> budget <amount> [limit <n>]" in parsed.message


def test_anything_else_is_refused_plainly_with_what_it_can_do() -> None:
    parsed = parse("send 20% off to everyone who looks sad")
    assert isinstance(parsed, Unsupported)
    assert parsed.message.startswith("I can't do that")
    assert HELP in parsed.message
