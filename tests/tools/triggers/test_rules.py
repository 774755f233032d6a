"""Trigger rules load from data and refuse what they cannot mean."""

from pathlib import Path

import pytest

from tools.errors import InvalidInput
from tools.storage.runtime import TriggerKind
from tools.triggers import load_trigger_rules


def test_default_rules_cover_every_kind() -> None:
    rules = load_trigger_rules()
    assert {rule.kind for rule in rules.enabled} == set(TriggerKind)


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        '[[rules]]\nname = "a"\nkind = "cart_abandoned"\nuse_case = "cart_abandonment"\nafter_minutes = 30\n'
        '[[rules]]\nname = "a"\nkind = "purchase"\nuse_case = "upsell"\n'
    )
    with pytest.raises(InvalidInput, match="unique: a"):
        load_trigger_rules(path)


def test_bad_parameter_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        '[[rules]]\nname = "lapse"\nkind = "rhythm_lapse"\nuse_case = "reactivation"\nrhythm_multiple = 0.5\n'
    )
    with pytest.raises(InvalidInput, match="rhythm_multiple"):
        load_trigger_rules(path)


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[[rules]]\nname = "x"\nkind = "birthday"\nuse_case = "upsell"\n')
    with pytest.raises(InvalidInput, match="kind"):
        load_trigger_rules(path)
