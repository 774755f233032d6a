"""`loyalty segments`: the micro-segments with their member counts (or the fields rules may use)."""

from typing import Annotated

import typer
from rich.table import Table

from loyalty.cli.common import DbOption, console, run, settings_for
from loyalty.cli.moments import parse_moment
from loyalty.cli.profiles import (
    AsOfOption,
    ModelsDirOption,
    SegmentsOption,
    default_batch_as_of,
    with_service,
)
from tools.profiles import DEFAULT_STALE_AFTER, SEGMENT_FIELDS, ProfileService, SegmentCount, segment_counts


def segments_command(
    db: DbOption = None,
    as_of: AsOfOption = None,
    models_dir: ModelsDirOption = None,
    segments: SegmentsOption = None,
    fields: Annotated[
        bool, typer.Option("--fields", help="List the profile fields segment rules can use, and exit.")
    ] = False,
) -> None:
    """List the segments with member counts (as of the day after the newest data unless --as-of)."""
    if fields:
        table = Table(show_edge=False)
        table.add_column("field")
        table.add_column("meaning")
        for name, meaning in SEGMENT_FIELDS.items():
            table.add_row(name, meaning)
        console.print(table)
        return
    settings = settings_for(db)

    async def work(service: ProfileService) -> tuple[list[SegmentCount], int, str]:
        frame = await service.frame(await default_batch_as_of(service, parse_moment(as_of, "--as-of")))
        return segment_counts(frame, service.segments), len(frame), f"{frame.as_of:%Y-%m-%d %H:%M}"

    counts, members, when = run(with_service(settings, models_dir, segments, DEFAULT_STALE_AFTER.days, work))
    table = Table(title=f"segments as of {when} UTC · {members:,} members", show_edge=False)
    for column in ("segment", "family", "members", "share", "rule"):
        table.add_column(column, justify="right" if column in ("members", "share") else "left")
    for c in counts:
        share = c.members / members if members else 0.0
        table.add_row(c.id, c.family, f"{c.members:,}", f"{share:.1%}", c.rule)
    console.print(table)
