"""`loyalty report` and `loyalty alerts`: how the product is doing, read from its own database.

`report` prints the KPI and holdout tables and writes a self-contained HTML report with charts;
`alerts` lists what the alert rules flag at a moment. Both only read.
"""

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import func, select

from loyalty.cli.common import DbOption, console, fail, run, settings_for
from loyalty.cli.moments import parse_moment
from tools.reporting import (
    DEFAULT_DAYS,
    KPI_COLUMNS,
    Alert,
    Period,
    PeriodReport,
    UseCaseLift,
    build_report,
    current_alerts,
    interval,
    kpi_cell,
    load_rules,
    write_html,
)
from tools.storage import Contact, Database, Order, checked_database
from tools.time import utcnow

RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules", help="Alert rules TOML (default: LOYALTY_ALERT_RULES_PATH or the shipped rules)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def report_command(
    db: DbOption = None,
    since: Annotated[
        str | None,
        typer.Option(help=f"Start, ISO date or time (default: {DEFAULT_DAYS} days before --until)."),
    ] = None,
    until: Annotated[str | None, typer.Option(help="End, exclusive (default: now).")] = None,
    out: Annotated[
        Path | None, typer.Option(help="HTML file (default: <reports_dir>/report-SINCE-UNTIL.html).")
    ] = None,
    rules: RulesOption = None,
    as_json: JsonOption = False,
) -> None:
    """KPIs, incrementality against the holdout, activity and alerts for a period, and an HTML report."""
    settings = settings_for(db)

    async def work() -> tuple[PeriodReport, datetime | None]:
        end = parse_moment(until, "--until") or utcnow()
        start = parse_moment(since, "--since")
        period = Period(start, end) if start is not None else Period.ending(end)
        book = load_rules(rules or settings.alert_rules_path)

        async def read(store: Database) -> tuple[PeriodReport, datetime | None]:
            report = await build_report(store, period, book, announce=False)
            return report, (None if _active(report) else await _latest_activity(store))

        async with checked_database(settings.db_url) as store:
            return await read(store)

    report, latest = run(work())
    target = out or settings.reports_dir / f"report-{report.since:%Y%m%d}-{report.until:%Y%m%d}.html"
    try:
        path = write_html(report, target)
    except OSError as exc:
        raise fail(f"cannot write the report to {target}: {exc.strerror or exc}") from None
    if as_json:
        typer.echo(
            json.dumps({"report": report.model_dump(mode="json"), "html": str(path.resolve())}, indent=2)
        )
        return
    console.print(_kpi_table(report))
    console.print(_lift_table(report))
    if report.nothing_by_cause:
        console.print(_nothing_table(report))
    print_alerts(report.alerts)
    if latest is not None:
        console.print(
            f"[yellow]Nothing happened in this period; the latest order or message is at "
            f"{latest:%Y-%m-%d %H:%M} UTC (pass --until to report on it).[/]"
        )
    console.print(f"report: {path.resolve()}")


def alerts_command(
    db: DbOption = None,
    at: Annotated[
        str | None, typer.Option(help="Evaluate as of this moment, ISO date or time (default: now).")
    ] = None,
    rules: RulesOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the alerts the rules raise: conversion drops, over-discounted segments, unsubscribe spikes."""
    settings = settings_for(db)

    async def work() -> list[Alert]:
        moment = parse_moment(at, "--at") or utcnow()
        book = load_rules(rules or settings.alert_rules_path)
        async with checked_database(settings.db_url) as store:
            return await current_alerts(
                store, book, moment
            )  # logged too: cron and log collectors watch this command

    alerts = run(work())
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in alerts], indent=2))
        return
    print_alerts(alerts)


def _active(report: PeriodReport) -> bool:
    everything = report.kpis[-1]
    return bool(everything.orders or everything.contacts or report.lift)


async def _latest_activity(store: Database) -> datetime | None:
    async with store.session() as session:
        order = await session.scalar(select(func.max(Order.placed_at)))
        message = await session.scalar(select(func.max(Contact.sent_at)))
    return max((t for t in (order, message) if t is not None), default=None)


def _kpi_table(report: PeriodReport) -> Table:
    # Measures down, use cases across: fits a terminal, as the demo's table does.
    table = Table(title=f"KPIs · {report.period.label()}", show_edge=False)
    table.add_column("")
    for row in report.kpis:
        table.add_column(row.group, justify="right")
    for field, heading in KPI_COLUMNS:
        table.add_row(heading, *(kpi_cell(row, field) for row in report.kpis))
    return table


def _lift_table(report: PeriodReport) -> Table:
    table = Table(title="Against the holdout: difference per member, Welch 95% interval", show_edge=False)
    table.add_column("")
    for u in report.lift:
        table.add_column(u.use_case, justify="right")
    if not report.lift:
        table.add_row("no member was triggered in the period")
        return table
    lines: list[tuple[str, Callable[[UseCaseLift], str]]] = [
        ("contacted / eligible", lambda u: f"{u.contacted:,} / {u.eligible_treatment:,}"),
        ("holdout", lambda u: f"{u.holdout:,}"),
        ("revenue / member", lambda u: interval(u.revenue)),
        ("margin / member", lambda u: interval(u.margin)),
        ("incremental margin", lambda u: f"{u.incremental_margin:+,.2f}"),
        ("margin / member, all eligible", lambda u: interval(u.eligible_margin)),
        ("note", lambda u: u.margin.note or u.eligible_margin.note or ""),
    ]
    for heading, cell in lines:
        table.add_row(heading, *(cell(u) for u in report.lift))
    return table


def _nothing_table(report: PeriodReport) -> Table:
    causes = list(dict.fromkeys(c for by_cause in report.nothing_by_cause.values() for c in by_cause))
    table = Table(title="Decided nothing, by cause", show_edge=False)
    table.add_column("cause")
    for use_case in report.nothing_by_cause:
        table.add_column(use_case, justify="right")
    for cause in causes:
        table.add_row(cause, *(f"{by.get(cause, 0):,}" for by in report.nothing_by_cause.values()))
    return table


def print_alerts(alerts: list[Alert]) -> None:
    if not alerts:
        console.print("No alerts.")
        return
    table = Table(title=f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}", show_edge=False)
    for column in ("rule", "group", "what"):
        table.add_column(column)
    for alert in alerts:
        table.add_row(alert.rule, alert.group, alert.message)
    console.print(table)
