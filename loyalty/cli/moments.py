"""Reading dates and times given on the command line: ISO 8601, a date meaning its midnight,
returned as naive UTC (the storage convention)."""

from datetime import UTC, datetime

from tools.errors import InvalidInput


def parse_moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{option} {text!r} is not a date: use YYYY-MM-DD or an ISO 8601 time") from None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment
