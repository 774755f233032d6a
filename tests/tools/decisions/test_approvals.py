"""Verdicts are stored in the storage convention: an aware time in another zone is converted to
UTC (it used to lose its zone unconverted: an approval given at 20:00 in Sydney, 09:00 UTC, was
stored as 20:00 and expired eleven hours late)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.tools.proposals import NOW, add_member, approve, proposal
from tools.storage.db import Database
from tools.storage.models import GuardVerdict, Proposal

TTL = timedelta(hours=2)


async def test_an_aware_time_in_another_zone_is_stored_as_utc(db: Database) -> None:
    await add_member(db)
    in_sydney = NOW.astimezone(ZoneInfo("Australia/Sydney"))
    assert in_sydney.utcoffset() != timedelta(0)
    record = await approve(db, proposal(), now=in_sydney, ttl=TTL)
    utc_now = datetime(2026, 3, 10, 9, 0)  # NOW, 20:00 in Sydney
    assert record.approval_expires_at == utc_now + TTL
    async with db.session() as s:
        stored = await s.scalar(select(Proposal.created_at))
        verdict_at = await s.scalar(select(GuardVerdict.created_at))
    assert stored == utc_now
    assert verdict_at == utc_now
