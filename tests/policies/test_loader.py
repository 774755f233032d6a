from pathlib import Path

import pytest

from policies.errors import PolicyError
from policies.loader import DEFAULT_POLICY_PATH, load_policy
from policies.model import Policy
from policies.rule_config import RuleConfig
from policies.rule_ids import RuleId
from policies.violation import Severity


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _default_text() -> str:
    return DEFAULT_POLICY_PATH.read_text(encoding="utf-8")


def test_default_policy_loads_with_a_version(policy: Policy) -> None:
    assert policy.version == "2026.11.0"


@pytest.mark.parametrize("rule_id", list(RuleId))
def test_every_rule_id_is_the_path_of_its_block(policy: Policy, rule_id: RuleId) -> None:
    config = policy.rule(rule_id)
    assert isinstance(config, RuleConfig)
    assert config.enabled
    assert config.message


def test_default_high_value_rule_sends_to_review(policy: Policy) -> None:
    assert policy.review.high_value.severity is Severity.REVIEW


def test_toml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    lines = _default_text().splitlines()
    broken_line = lines.index("[margin.floor]") + 2  # 1-based: the line after the table header
    lines.insert(broken_line - 1, "min_margin_pct 15")
    path = _write(tmp_path, "\n".join(lines))
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    error = caught.value
    assert error.path == path
    assert [problem.line for problem in error.problems] == [broken_line]
    assert str(path) in str(error)
    assert f"line {broken_line}: TOML syntax: Expected '='" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        (
            "max_gsm7_chars = 160",
            "max_gsm7_chars = 0",
            "sms.length.max_gsm7_chars",
            "greater than or equal to 1",
        ),
        (
            "discount_seeker = 15 ",
            "discount_seeker = 150 ",
            "max_discount.segment.limits.discount_seeker",
            "less than or equal to 100",
        ),
        (
            'severity = "review"',
            'severity = "maybe"',
            "review.high_value.severity",
            "'block', 'review' or 'warn'",
        ),
        (
            "cooldown_days = 14",
            "cooldown_days = 14\ncooldown_weeks = 2",
            "fatigue.backoff.cooldown_weeks",
            "Extra inputs",
        ),
        (
            'sms = { send_from = "08:00"',
            'fax = { send_from = "08:00"',
            "quiet_hours.local.windows.fax.[key]",
            "Input should be 'email'",
        ),
        (
            'push = { send_from = "08:00", send_until = "21:00" }',
            'push = { send_from = "08:00", send_until = "08:00" }',
            "quiet_hours.local.windows.push",
            "send_from and send_until are equal",
        ),
        (
            "(limit {max_contacts} a week)",
            "(limit {max_contact} a week)",
            "frequency.weekly_total.message",
            "unknown placeholder {max_contact}",
        ),
        ("{margin_pct:.1f}%", "{margin_pct:d}%", "margin.floor.message", "Unknown format code 'd'"),
    ],
)
def test_invalid_field_names_its_path_and_reason(
    tmp_path: Path, old: str, new: str, field: str, reason: str
) -> None:
    text = _default_text()
    assert old in text
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    [problem] = caught.value.problems
    assert problem.field == field
    assert reason in problem.reason
    assert f"{field}: " in str(caught.value)


def test_a_missing_rule_block_is_an_error_not_a_silent_default(tmp_path: Path) -> None:
    text = _default_text()
    start = text.index("[points.top_tier]")
    end = text.index("# A discount in the first cart-abandonment message")
    path = _write(tmp_path, text[:start] + text[end:])
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert [(p.field, p.reason) for p in caught.value.problems] == [("points", "Field required")]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        _default_text()
        .replace("max_age_hours = 48", "max_age_hours = -1")
        .replace("max_days = 30", "max_days = 0")
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(_write(tmp_path, text))
    assert {problem.field for problem in caught.value.problems} == {
        "data.freshness.max_age_hours",
        "validity.bounds.max_days",
    }


def test_unreadable_file_is_a_policy_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    with pytest.raises(PolicyError, match="cannot read the file") as caught:
        load_policy(missing)
    assert caught.value.path == missing
