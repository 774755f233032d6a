"""Holdout groups: about the configured share, the same on every run and machine, independent
across use cases, and never reassigned once stored."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from policies.vocabulary import UseCase
from tests.tools.events.world import NAIVE_NOW, add_members
from tools.decisions.holdout import Arm, arm_for, assign_holdout
from tools.storage.db import Database
from tools.storage.models import ExperimentAssignment

IDS = [f"M{i}" for i in range(20_000)]


def control(use_case: UseCase, share: float = 0.10) -> set[str]:
    return {m for m in IDS if arm_for(m, use_case, share) is Arm.CONTROL}


def test_control_share_is_close_to_the_setting() -> None:
    assert 0.09 < len(control(UseCase.REACTIVATION)) / len(IDS) < 0.11
    assert 0.24 < len(control(UseCase.REACTIVATION, 0.25)) / len(IDS) < 0.26


def test_assignment_is_deterministic_and_nested_in_larger_shares() -> None:
    assert control(UseCase.UPSELL) == control(UseCase.UPSELL)
    # Raising the share only adds members to control: nobody in it leaves.
    assert control(UseCase.UPSELL, 0.10) <= control(UseCase.UPSELL, 0.20)


def test_use_cases_are_independent() -> None:
    overlap = len(control(UseCase.REACTIVATION) & control(UseCase.CART_ABANDONMENT)) / len(IDS)
    assert 0.005 < overlap < 0.015  # ~10% of 10%, not the same members every time


def test_share_must_be_a_proportion() -> None:
    with pytest.raises(ValueError):
        arm_for("M1", UseCase.UPSELL, 1.0)


async def test_stored_assignments_are_stable(db: Database) -> None:
    await add_members(db, range(1, 2001))
    first = await assign_holdout(db, UseCase.REACTIVATION, now=NAIVE_NOW)
    assert first.treatment + first.control == 2000 and 150 < first.control < 250
    # Later, with a different share: stored members keep their arm.
    again = await assign_holdout(
        db, UseCase.REACTIVATION, now=NAIVE_NOW + timedelta(days=30), control_share=0.5
    )
    assert again == first
    async with db.session() as s:
        stored = dict(
            (
                await s.execute(
                    select(ExperimentAssignment.customer_id, ExperimentAssignment.arm).where(
                        ExperimentAssignment.use_case == "reactivation"
                    )
                )
            ).all()
        )
        assert await s.scalar(select(func.count(func.distinct(ExperimentAssignment.assigned_at)))) == 1
    assert all(Arm(arm) is arm_for(f"M{member}", UseCase.REACTIVATION) for member, arm in stored.items())
    # New members get the share in force when they are first assigned.
    await add_members(db, range(2001, 4001))
    grown = await assign_holdout(db, UseCase.REACTIVATION, now=NAIVE_NOW, control_share=0.5)
    assert 800 < grown.control - first.control < 1200
