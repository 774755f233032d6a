"""What the onboarding importers share: a CSV whose columns a `--map` names (each field defaults
to a column of its own name), rows validated one by one (pydantic) with every bad row kept with
its reason in an owner-only rejects file (it holds personal data), and a one-line summary.

A file that cannot be read as such a CSV (missing, empty, no header, a required column absent)
is refused whole with one clear error before anything is written.
"""

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import InstrumentedAttribute

from tools.errors import InvalidInput
from tools.storage import staged

IN_QUERY = 500  # values per IN (...) list
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RawRow:
    line: int  # line number in the file (the header is line 1)
    values: dict[str, str]  # field -> text, for the mapped fields present
    cells: list[str]  # the row as read, for the rejects file


@dataclass(frozen=True)
class RowFile:
    path: Path
    header: list[str]
    rows: list[RawRow]
    malformed: list[tuple[int, list[str]]]  # rows with the wrong number of fields


def parse_field_map(specs: Iterable[str], fields: Sequence[str]) -> dict[str, str]:
    """`field=Column` pairs (comma-separated and/or repeated) -> {field: column}."""
    columns: dict[str, str] = {}
    for spec in specs:
        for pair in filter(None, (p.strip() for p in spec.split(","))):
            name, equals, column = (part.strip() for part in pair.partition("="))
            if not equals or not name or not column:
                raise InvalidInput(f"--map entry {pair!r} is not field=Column")
            if name not in fields:
                raise InvalidInput(f"--map names unknown field {name!r}; fields are: {', '.join(fields)}")
            columns[name] = column
    return columns


def read_rows(
    path: Path,
    fields: Sequence[str],
    required: Sequence[str],
    column_map: dict[str, str],
    encoding: str = "utf-8",
) -> RowFile:
    """Every data row of `path` with the mapped fields' text (stripped)."""
    columns = {f: column_map.get(f, f) for f in fields}
    try:
        with path.open(newline="", encoding=encoding) as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            if not header:
                raise InvalidInput(f"{path} is empty: it needs a header row naming its columns")
            missing = [f"{columns[f]} (for {f})" for f in required if columns[f] not in header]
            if missing:
                raise InvalidInput(
                    f"{path} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                    f"its columns are: {', '.join(header)} (name others with --map field=Column)"
                )
            where = {f: header.index(c) for f, c in columns.items() if c in header}
            rows: list[RawRow] = []
            malformed: list[tuple[int, list[str]]] = []
            for cells in reader:
                if not cells or cells == [""]:
                    continue
                if len(cells) != len(header):
                    malformed.append((reader.line_num, cells))
                    continue
                rows.append(RawRow(reader.line_num, {f: cells[i].strip() for f, i in where.items()}, cells))
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"cannot read {path} as CSV: {exc} (try --encoding)") from None
    return RowFile(path, header, rows, malformed)


@dataclass
class RowRejects:
    """Rows refused, with why: written beside the import, owner-only."""

    header: list[str]
    rows: list[tuple[int, str, list[str]]] = field(default_factory=list)

    def add(self, row: RawRow, reason: str) -> None:
        self.rows.append((row.line, reason, row.cells))

    def write(self, path: Path) -> None:
        """Always written (header only when nothing was refused), so an earlier run's file never
        lingers as if it were current."""
        with staged(path) as temporary, temporary.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row", "reason", *self.header])
            for line, reason, cells in sorted(self.rows, key=lambda r: r[0]):
                writer.writerow([line, reason, *cells])


def reason_of(error: ValidationError) -> str:
    """A validation failure as one short reason: the first problem, named by field."""
    first = error.errors()[0]
    where = ".".join(map(str, first["loc"]))
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def validated(model: type[M], rows: Iterable[RawRow], rejects: RowRejects) -> list[tuple[RawRow, M]]:
    """Each row as `model` (empty text as missing); rows that fail go to `rejects`."""
    good: list[tuple[RawRow, M]] = []
    for row in rows:
        try:
            good.append((row, model.model_validate({k: v for k, v in row.values.items() if v != ""})))
        except ValidationError as exc:
            rejects.add(row, reason_of(exc))
    return good


class ImportSummary(BaseModel):
    what: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_path: Path | None = None

    def line(self) -> str:
        text = (
            f"{self.what}: {self.added:,} added, {self.updated:,} updated, {self.unchanged:,} unchanged, "
            f"{self.rejected:,} rejected"
        )
        return text + (f" (reasons in {self.rejects_path})" if self.rejected and self.rejects_path else "")


async def ids_by_key(
    conn: AsyncConnection, key: InstrumentedAttribute[str], id_: InstrumentedAttribute[int], keys: set[str]
) -> dict[str, int]:
    """The ids of the rows whose `key` column holds one of `keys` (unknown keys are absent), read
    IN_QUERY keys at a time."""
    found: dict[str, int] = {}
    names = sorted(keys)
    for start in range(0, len(names), IN_QUERY):
        rows = await conn.execute(select(key, id_).where(key.in_(names[start : start + IN_QUERY])))
        found.update((name, row_id) for name, row_id in rows)
    return found
