"""How long work reports progress without knowing who is watching: importers, seeding, campaigns.

`Progress` is the protocol (named stages of counted units); `Silent` goes nowhere (tests, library
callers); `StageClock` times each stage (benchmarks). The terminal's bars live with the CLI
(`loyalty.cli.bars`), which is the only place that draws.
"""

from tools.progress.stages import Progress, Silent, StageClock

__all__ = ["Progress", "Silent", "StageClock"]
