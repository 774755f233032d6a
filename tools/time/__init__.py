"""Time: the storage convention (naive UTC) and the wire form of timestamps (RFC 3339, aware UTC)."""

from tools.time.convention import from_storage, to_storage, utcnow
from tools.time.timestamps import UtcTimestamp, as_utc, utc_text

__all__ = ["UtcTimestamp", "as_utc", "from_storage", "to_storage", "utc_text", "utcnow"]
