"""`loyalty import ...`: bring real data in (Complete Journey, or a transactions CSV), with progress
bars and a data-quality audit at the end."""

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from loyalty.cli.bars import StageBars
from loyalty.cli.common import DbOption, console, run, settings_for
from loyalty.cli.moments import parse_moment
from tools.importers import FIELDS as MAP_FIELDS
from tools.importers import (
    CompleteJourneyOptions,
    CsvOptions,
    ImportReport,
    ImportSummary,
    import_completejourney,
    import_consents,
    import_contacts,
    import_products,
    import_stock,
    import_transactions_csv,
    parse_map,
)
from tools.storage import check_schema, checked_database, database
from tools.time import utcnow

app = typer.Typer(
    help="Import real data: Complete Journey, a transactions CSV, consents and contacts.",
    no_args_is_help=True,
)

CostRatioOption = Annotated[
    float,
    typer.Option(
        "--cost-ratio",
        min=0.01,
        max=0.99,
        help="Unit cost as a share of price where the source has no costs.",
    ),
]


@app.command("completejourney")
def completejourney(
    db: DbOption = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Import only what happened before this date.")
    ] = None,
    rejects: Annotated[
        Path, typer.Option(help="Where rows that cannot be imported go, with the reason.")
    ] = Path("completejourney.rejects.csv"),
    cost_ratio: CostRatioOption = 0.7,
) -> None:
    """Dunnhumby "The Complete Journey" (needs the `data` extra): households, products, baskets,
    campaigns and coupon redemptions. Safe to run twice."""
    settings = settings_for(db)

    async def go() -> ImportReport:
        options = CompleteJourneyOptions(
            now=utcnow(), until=parse_moment(until, "--until"), cost_ratio=cost_ratio, rejects_path=rejects
        )
        store = database(settings.db_url)
        try:
            await check_schema(store)
            with StageBars() as bars:
                return await import_completejourney(store, options, bars)
        finally:
            await store.dispose()

    _print_report(run(go()))


@app.command("transactions")
def transactions(
    file: Annotated[Path, typer.Argument(help="CSV with one row per order line and a header row.")],
    column_map: Annotated[
        list[str],
        typer.Option(
            "--map",
            help="field=Column pairs, comma-separated or repeated. Fields: " + ", ".join(MAP_FIELDS) + ".",
        ),
    ],
    db: DbOption = None,
    date_format: Annotated[
        str, typer.Option(help='Format of the date column: ISO8601, or strftime like "%m/%d/%Y %H:%M".')
    ] = "ISO8601",
    channel: Annotated[
        str, typer.Option(help="Order channel when none is mapped: online, store or app.")
    ] = "store",
    encoding: Annotated[str, typer.Option(help="Text encoding of the file (e.g. latin-1).")] = "utf-8",
    chunk_rows: Annotated[int, typer.Option(min=1_000, help="Rows read per chunk.")] = 100_000,
    rejects: Annotated[
        Path | None, typer.Option(help="Where rows that cannot be imported go (default: <file>.rejects.csv).")
    ] = None,
    cost_ratio: CostRatioOption = 0.7,
) -> None:
    """A generic transactions CSV, streamed in chunks. Safe to run twice."""
    settings = settings_for(db)

    async def go() -> ImportReport:
        columns = parse_map(column_map)
        options = CsvOptions(
            now=utcnow(),
            date_format=date_format,
            channel=channel,
            cost_ratio=cost_ratio,
            encoding=encoding,
            chunk_rows=chunk_rows,
            rejects_path=rejects or file.with_name(file.name + ".rejects.csv"),
        )
        store = database(settings.db_url)
        try:
            await check_schema(store)
            with StageBars() as bars:
                return await import_transactions_csv(store, file, columns, options, bars)
        finally:
            await store.dispose()

    _print_report(run(go()))


RowMapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="field=Column pairs where the file's columns have other names (comma-separated or repeated).",
    ),
]
RowRejectsOption = Annotated[
    Path | None,
    typer.Option(
        help="Where refused rows go, with why (default: <file>.rejects.csv; owner-only: it holds personal data)."
    ),
]
EncodingOption = Annotated[str, typer.Option(help="Text encoding of the file (e.g. latin-1).")]


@app.command("consents")
def consents(
    file: Annotated[
        Path, typer.Argument(help="CSV: member, channel, status, timestamp[, source, confirmed_at].")
    ],
    column_map: RowMapOption = None,
    db: DbOption = None,
    rejects: RowRejectsOption = None,
    encoding: EncodingOption = "utf-8",
) -> None:
    """Consent per member and channel (granted or withdrawn, when, double opt-in where the channel
    needs it). Newer wins; safe to run twice. Exits 1 when rows were refused."""
    settings = settings_for(db)
    _import_rows(
        import_consents,
        settings.db_url,
        file,
        column_map,
        rejects,
        encoding,
        double_opt_in=settings.double_opt_in_channels,
    )


@app.command("contacts")
def contacts(
    file: Annotated[Path, typer.Argument(help="CSV: member[, email, phone, time_zone, language].")],
    column_map: RowMapOption = None,
    db: DbOption = None,
    rejects: RowRejectsOption = None,
    encoding: EncodingOption = "utf-8",
) -> None:
    """How to reach each member: e-mail, phone, time zone, preferred language. An empty cell keeps
    what is stored; safe to run twice. Exits 1 when rows were refused."""
    _import_rows(import_contacts, settings_for(db).db_url, file, column_map, rejects, encoding)


@app.command("stock")
def stock(
    file: Annotated[Path, typer.Argument(help="CSV: sku, on_hand[, weekly_demand, clearance, updated_at].")],
    column_map: RowMapOption = None,
    db: DbOption = None,
    rejects: RowRejectsOption = None,
    encoding: EncodingOption = "utf-8",
) -> None:
    """Units on hand per SKU (the inventory rule keeps offers off what is out). Newer counts win;
    safe to run twice. Exits 1 when rows were refused."""
    _import_rows(import_stock, settings_for(db).db_url, file, column_map, rejects, encoding)


@app.command("products")
def products(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: sku[, name, category, department, price, unit_cost or margin, "
            "complements (categories, ;-separated)]."
        ),
    ],
    column_map: RowMapOption = None,
    db: DbOption = None,
    rejects: RowRejectsOption = None,
    encoding: EncodingOption = "utf-8",
) -> None:
    """The catalogue with cost or margin per SKU and the categories that go together. An empty cell
    keeps what is stored; safe to run twice. Exits 1 when rows were refused."""
    _import_rows(import_products, settings_for(db).db_url, file, column_map, rejects, encoding)


def _import_rows(
    importer: Callable[..., Awaitable[ImportSummary]],
    db_url: str,
    file: Path,
    column_map: list[str] | None,
    rejects: Path | None,
    encoding: str,
    **options: object,
) -> None:
    """Run one of the row-file importers (same arguments, same summary) and print its line."""

    async def go() -> ImportSummary:
        async with checked_database(db_url) as store:
            return await importer(
                store,
                file,
                column_map or [],
                now=utcnow(),
                rejects_path=rejects or _rejects_beside(file),
                encoding=encoding,
                **options,
            )

    _print_summary(run(go()))


def _rejects_beside(file: Path) -> Path:
    return file.with_name(file.name + ".rejects.csv")


def _print_summary(summary: ImportSummary) -> None:
    console.print(summary.line(), highlight=False, soft_wrap=True)
    if summary.rejected:
        raise typer.Exit(1)


def _print_report(report: ImportReport) -> None:
    table = Table(title=f"imported {report.source} in {report.seconds:.1f} s", show_edge=False)
    for column in ("table", "added", "already there"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for name in report.inserted:
        table.add_row(name, f"{report.inserted[name]:,}", f"{report.already_present.get(name, 0):,}")
    console.print(table)
    if not report.changed_anything:
        console.print("nothing new: everything in the source was already imported", highlight=False)
    if report.rejected:
        rejected = Table(
            title=f"rejected {report.rejected_total:,} rows → {report.rejects_path}", show_edge=False
        )
        for column in ("source", "reason", "rows"):
            rejected.add_column(column, justify="right" if column == "rows" else "left")
        for (source, reason), count in sorted(report.rejected.items()):
            rejected.add_row(source, reason, f"{count:,}")
        console.print(rejected)
    audit = Table(title="data-quality audit", show_edge=False)
    for column in ("check", "subject", "finding"):
        audit.add_column(column)
    for finding in report.findings:
        audit.add_row(finding.check.value, finding.subject, finding.detail)
    console.print(audit)
