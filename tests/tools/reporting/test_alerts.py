"""Alert rules: the ones built to fire do, the quiet ones and those under their minimum counts do
not, each alert is logged once, and a bad rules file is refused with the reason."""

from pathlib import Path

import pytest
from structlog.testing import capture_logs

from tests.tools.reporting.alert_world import AT, build
from tools.errors import InvalidInput
from tools.reporting.alerts import ConversionDrop, RuleBook, evaluate_alerts, load_rules
from tools.storage.db import Database


async def test_shipped_rules_fire_where_built_to(db: Database) -> None:
    await build(db)
    with capture_logs() as logs:
        async with db.engine.connect() as conn:
            alerts = await evaluate_alerts(conn, load_rules(), AT)
    fired = {(a.rule, a.group): a for a in alerts}
    assert set(fired) == {
        ("conversion_drop", "reactivation"),
        ("unsubscribe_spike", "reactivation"),
        ("over_discount_by_tier", "tier=gold"),
    }
    drop = fired["conversion_drop", "reactivation"]
    assert drop.value == pytest.approx(0.10) and drop.threshold == pytest.approx(0.30 * 0.7)
    assert "10.0% over 60 messages" in drop.message and "30.0% over 100" in drop.message
    spike = fired["unsubscribe_spike", "reactivation"]
    assert spike.value == pytest.approx(0.15) and spike.threshold == pytest.approx(0.02)  # 2 x 1%
    assert fired["over_discount_by_tier", "tier=gold"].value == pytest.approx(15.0)
    events = [e for e in logs if e["event"] == "alert"]
    assert len(events) == 3 and {(e["rule"], e["group"]) for e in events} == set(fired)
    assert all(e["log_level"] == "warning" for e in events)


async def test_thresholds_are_data(db: Database) -> None:
    await build(db)
    tolerant = RuleBook(rules=(ConversionDrop(id="big_drop_only", kind="conversion_drop", max_drop=0.8),))
    strict = RuleBook(rules=(ConversionDrop(id="small_sample_ok", kind="conversion_drop", min_contacts=5),))
    async with db.engine.connect() as conn:
        assert await evaluate_alerts(conn, tolerant, AT) == []  # a 67% drop is under 80%
        # With a lower minimum, cart abandonment's 10 recent messages (0 orders) count too.
        groups = {a.group for a in await evaluate_alerts(conn, strict, AT)}
    assert groups == {"reactivation", "cart_abandonment"}


async def test_a_drop_chance_explains_does_not_fire(db: Database) -> None:
    await build(db)
    # 6 orders of 60 against a 30% baseline happens by chance 2 times in 10,000 (binomial).
    doubting = RuleBook(rules=(ConversionDrop(id="only_certain", kind="conversion_drop", max_p_value=1e-4),))
    async with db.engine.connect() as conn:
        assert await evaluate_alerts(conn, doubting, AT) == []
        shipped = await evaluate_alerts(conn, load_rules(), AT)
    (drop,) = [a for a in shipped if a.rule == "conversion_drop"]
    assert "p = 0.00021" in drop.message


async def test_nothing_fires_on_an_empty_database(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await evaluate_alerts(conn, load_rules(), AT) == []


def test_bad_rule_files_are_refused_with_the_reason(tmp_path: Path) -> None:
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('[[rules]]\nid = "x"\nkind = "conversion_drop"\nmax_dorp = 0.5\n')
    with pytest.raises(InvalidInput, match="max_dorp"):
        load_rules(unknown)
    duplicate = tmp_path / "duplicate.toml"
    duplicate.write_text(
        '[[rules]]\nid = "x"\nkind = "conversion_drop"\n[[rules]]\nid = "x"\nkind = "unsubscribe_spike"\n'
    )
    with pytest.raises(InvalidInput, match="unique"):
        load_rules(duplicate)
    broken = tmp_path / "broken.toml"
    broken.write_text("[[rules]\n")
    with pytest.raises(InvalidInput, match="not valid TOML"):
        load_rules(broken)
    with pytest.raises(InvalidInput, match="cannot read"):
        load_rules(tmp_path / "missing.toml")
