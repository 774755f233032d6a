"""Rows an import could not take, each with the reason, so nothing is dropped silently.

The file keeps the source's own columns (as read, before any conversion) after `source`, `row`
and `reason`, so a corrected file can be fed back in.
"""

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from tools.files import owner_only


class FrameRejects:
    def __init__(self) -> None:
        self._frames: list[pd.DataFrame] = []
        self.counts: Counter[tuple[str, str]] = Counter()

    def add(self, source: str, rows: pd.DataFrame, mask: np.ndarray, reason: str) -> np.ndarray:
        """Reject the rows of `rows` where `mask` is true; returns the mask of rows still accepted.

        `rows.index` must be the row number in the source (1-based data line for files)."""
        if mask.any():
            taken = rows.loc[mask].astype(object)
            taken.insert(0, "reason", reason)
            taken.insert(0, "row", rows.index[mask])
            taken.insert(0, "source", source)
            self._frames.append(taken.reset_index(drop=True))
            self.counts[(source, reason)] += int(mask.sum())
        return ~mask

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def write(self, path: Path) -> None:
        """Write every rejected row; an empty import still writes the header, so an old file
        from an earlier run never lingers as if it were current."""
        owner_only(path)  # rejected rows are member data; to_csv keeps the mode when it truncates
        if self._frames:
            frame = pd.concat(self._frames, ignore_index=True)
        else:
            frame = pd.DataFrame(columns=["source", "row", "reason"])
        frame.to_csv(path, index=False)
