"""Outcomes move the scorer: a family whose messages led to more orders than predicted ranks higher."""

from datetime import timedelta

from policies.vocabulary import OfferType, OutcomeType, UseCase, Verdict
from tests.tools.proposals import NOW, add_member, proposal
from tools.decisions.approvals import record_verdict
from tools.members import record_outcome
from tools.nba.learning import learned_lift
from tools.outbox import send_approved
from tools.storage.db import Database
from tools.storage.models import Contact


async def test_orders_above_prediction_raise_the_family(sqlite_db: Database) -> None:
    for member in range(1, 31):
        await add_member(sqlite_db, member, budget=10_000.0)
        p = proposal(member)
        record = await record_verdict(
            sqlite_db,
            p,
            verdict=Verdict.APPROVE,
            reasons=[],
            policy_version="t",
            guard_model="local",
            trace_id="t",
            now=NOW,
            approval_ttl=timedelta(hours=2),
        )
        receipt = await send_approved(sqlite_db, p, record.approval_id, now=NOW)
        async with sqlite_db.session() as s, s.begin():
            contact = await s.get(Contact, receipt.contact_id)
            contact.status, contact.sent_at = "sent", NOW.replace(tzinfo=None)
        if member <= 20:  # 20 orders where uplift 0.1 x 30 = 3 were predicted
            await record_outcome(
                sqlite_db, receipt.contact_id, OutcomeType.ORDER, occurred_at=NOW + timedelta(hours=2)
            )
    lift = await learned_lift(sqlite_db)
    use_case = UseCase(p.use_case)
    assert lift.factor(OfferType.PERCENT_OFF, use_case) > 1.2
    # nothing observed for the family: it takes the use case's evidence, not the bare prior
    assert lift.factor(OfferType.EARLY_ACCESS, use_case) == lift.by_use_case[use_case]
