"""Every progress bar the CLI draws (stderr, rich): the stage bars behind the tools' `Progress`
protocol (imports, seeding, campaigns), the simulator's day bars and the eval runner's case bar."""

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from loyalty.cli.common import err_console


class StageBars:
    """`tools.progress.Progress` drawn as one rich bar per stage. The bars appear with the first
    stage, so a command that fails its checks prints nothing but its error."""

    def __init__(self, width: int = 28) -> None:
        self.bars = Progress(
            TextColumn(f"{{task.description:<{width}}}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=False,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> "StageBars":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.task is not None:
            self.bars.stop()

    def stage(self, name: str, total: int | None = None) -> None:
        if self.task is None:
            self.bars.start()
        else:  # a finished step shows full, whatever its last count was
            done = self.bars.tasks[-1]
            size = done.total or done.completed or 1
            self.bars.update(self.task, total=size, completed=size)
        self.task = self.bars.add_task(name, total=total)

    def advance(self, units: int = 1) -> None:
        if self.task is not None:
            self.bars.advance(self.task, units)


def day_bars() -> Progress:
    """One bar per simulated policy, counted in days."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("day {task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
    )


def case_bar(console: Console) -> Progress:
    """One bar for an eval suite, with the last case's verdict beside it; gone when done."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
