"""The storage convention (naive UTC): aware times are converted, never just stripped of their zone."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from tools.time import UtcTimestamp, as_utc, from_storage, to_storage, utc_text, utcnow

SYDNEY = ZoneInfo("Australia/Sydney")


def test_an_aware_time_is_converted_to_utc_before_its_zone_is_dropped() -> None:
    ten_in_sydney = datetime(2026, 6, 1, 10, 0, tzinfo=SYDNEY)  # AEST, +10:00
    assert to_storage(ten_in_sydney) == datetime(2026, 6, 1, 0, 0)
    assert to_storage(ten_in_sydney).tzinfo is None
    assert to_storage(datetime(2026, 6, 1, 9, 30, tzinfo=timezone(timedelta(hours=-5)))) == datetime(
        2026, 6, 1, 14, 30
    )


def test_a_naive_time_is_taken_to_be_utc_already() -> None:
    naive = datetime(2026, 6, 1, 12, 0)
    assert to_storage(naive) == naive
    assert from_storage(naive) == datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_from_storage_and_to_storage_round_trip() -> None:
    stored = datetime(2026, 3, 29, 1, 30)  # across a daylight-saving change in Europe
    assert to_storage(from_storage(stored)) == stored
    aware = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert from_storage(to_storage(aware)) == aware  # the same instant
    assert from_storage(aware).tzinfo is UTC


def test_utcnow_is_naive_utc() -> None:
    before = datetime.now(UTC)
    now = utcnow()
    after = datetime.now(UTC)
    assert now.tzinfo is None
    assert before <= now.replace(tzinfo=UTC) <= after


def test_timestamps_leave_as_aware_utc_text() -> None:
    class Row(BaseModel):
        at: UtcTimestamp

    assert utc_text(datetime(2026, 6, 1)) == "2026-06-01T00:00:00+00:00"
    assert as_utc(datetime(2026, 6, 1, 10, tzinfo=SYDNEY)) == datetime(2026, 6, 1, 0, tzinfo=UTC)
    assert Row(at=datetime(2026, 6, 1, 10, tzinfo=SYDNEY)).model_dump(mode="json") == {
        "at": "2026-06-01T00:00:00+00:00"
    }
    assert Row(at=datetime(2026, 6, 1)).model_dump()["at"] == datetime(2026, 6, 1)  # Python value kept
