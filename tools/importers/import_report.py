"""What an import did, for the CLI to print and a caller to check."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tools.importers.audit import Finding


@dataclass
class ImportReport:
    source: str
    inserted: dict[str, int] = field(default_factory=dict)  # table -> rows added by this run
    already_present: dict[str, int] = field(default_factory=dict)  # table -> rows skipped as imported before
    rejected: Counter[tuple[str, str]] = field(default_factory=Counter)  # (source table, reason) -> rows
    findings: list[Finding] = field(default_factory=list)
    rejects_path: Path | None = None
    seconds: float = 0.0

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def changed_anything(self) -> bool:
        return any(self.inserted.values())
