"""Reading dates and times given on the command line: ISO 8601, a date meaning its midnight,
returned as naive UTC (the storage convention), within the years the product can compute over."""

from datetime import datetime

from tools.errors import InvalidInput
from tools.time import to_storage

# Retail history starts after 1970 and plans end before 2100; outside that, date arithmetic
# (windows of days, time zones) overflows Python's and numpy's ranges instead of meaning anything.
EARLIEST = datetime(1970, 1, 1)
LATEST = datetime(2100, 1, 1)


def parse_moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
        naive = to_storage(moment)
    except (ValueError, OverflowError):
        raise InvalidInput(f"{option} {text!r} is not a date: use YYYY-MM-DD or an ISO 8601 time") from None
    if not EARLIEST <= naive < LATEST:
        raise InvalidInput(
            f"{option} {text!r} is out of range: use a date from {EARLIEST:%Y-%m-%d} "
            f"to {LATEST.year - 1}-12-31"
        )
    return naive
