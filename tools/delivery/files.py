"""File sinks for channels without a configured gateway: a JSON Lines file per channel (what the
webhook would have received) and the in-store export (CSV for POS and digital shelf labels).
Both write each idempotency key at most once (see `sinks`)."""

import csv
import io
import json
from pathlib import Path

from tools.delivery.message import DeliveryResult, OutboundMessage
from tools.delivery.sinks import KeyedAppendFile

IN_STORE_COLUMNS = (
    "idempotency_key",
    "member",
    "offer_code",
    "headline",
    "message",
    "use_case",
    "valid_from",
)
_FORMULA_START = ("=", "+", "-", "@", "\t")


class JsonlSink:
    def __init__(self, path: Path) -> None:
        self.file = KeyedAppendFile(path, _jsonl_key)

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        line = json.dumps(message.record(), ensure_ascii=False, separators=(",", ":"))
        if await self.file.append(message.idempotency_key, line):
            return DeliveryResult(status="sent", detail=str(self.file.path))
        return DeliveryResult(status="duplicate", detail=f"already in {self.file.path.name}")


class InStoreExport:
    """Rows the POS shows at the till for the member's loyalty card, one per message."""

    def __init__(self, path: Path) -> None:
        self.file = KeyedAppendFile(path, _csv_key, header=_csv_line(IN_STORE_COLUMNS))

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        row = (
            message.idempotency_key,
            message.customer_external_id,
            message.offer_code or "",
            message.subject or "",
            message.body,
            message.use_case or "",
            message.scheduled_at.isoformat(),
        )
        if await self.file.append(message.idempotency_key, _csv_line(row)):
            return DeliveryResult(status="sent", detail=str(self.file.path))
        return DeliveryResult(status="duplicate", detail=f"already in {self.file.path.name}")


def _jsonl_key(line: str) -> str | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    key = record.get("idempotency_key") if isinstance(record, dict) else None
    return key if isinstance(key, str) else None


def _csv_key(line: str) -> str | None:
    fields = next(csv.reader([line]), [])
    return fields[0] if fields and fields[0] != IN_STORE_COLUMNS[0] else None


def _csv_line(values: tuple[str, ...]) -> str:
    """One CSV line. Line breaks become spaces (a till shows one line, and a record must be one
    line); a cell a spreadsheet would run as a formula is quoted as text, since names and messages
    can carry customer-controlled text."""
    cells = [" ".join(v.split()) if ("\n" in v or "\r" in v) else v for v in values]
    cells = ["'" + c if c.startswith(_FORMULA_START) else c for c in cells]
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()
