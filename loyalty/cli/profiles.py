"""`loyalty profile ID` (one member) and `loyalty profiles export` (every member, JSON Lines)."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table

from loyalty.cli.common import DbOption, console, err_console, run, settings_for
from loyalty.cli.moments import parse_moment
from loyalty.settings import Settings
from tools.profiles import (
    DEFAULT_STALE_AFTER,
    Profile,
    ProfileService,
    check_export_path,
    day_after,
    export_profiles,
    open_profiles,
)
from tools.storage import checked_database

app = typer.Typer(help="Member profiles for every member: export.", no_args_is_help=True)

AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD) or ISO time, UTC.")]
ModelsDirOption = Annotated[
    Path | None,
    typer.Option(
        "--models-dir",
        help="Where fitted models live (default: beside a SQLite file as <name>.models/, else ./models).",
    ),
]
SegmentsOption = Annotated[
    Path | None,
    typer.Option(
        "--segments", help="Segment definitions (TOML; default: the shipped tools/segments/default.toml)."
    ),
]
StaleOption = Annotated[
    float,
    typer.Option(
        "--stale-after-days",
        min=0.0,
        help="A profile with no new data from any source for this long is stale.",
    ),
]


async def with_service(
    settings: Settings, models_dir: Path | None, segments: Path | None, stale_days: float, work: Any
) -> Any:
    """Open the database and the profile service, run `work(service)`, close. Options given on
    the command line win over the settings' `models_dir` and `segments_path`."""
    async with checked_database(settings.db_url) as store:
        service = open_profiles(
            store,
            models_dir=models_dir or settings.models_dir,
            segments_path=segments or settings.segments_path,
            stale_after=timedelta(days=stale_days),
        )
        return await work(service)


async def default_batch_as_of(service: ProfileService, given: datetime | None) -> datetime | None:
    """Batch commands default to the day after the newest order: every record is included."""
    if given is not None:
        return given
    newest = await service.newest_data()
    return day_after(newest) if newest is not None else None


def profile_command(
    member: Annotated[
        str, typer.Argument(help="Internal id or external id (id:12 / ext:12 when ambiguous).")
    ],
    db: DbOption = None,
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full profile as JSON.")] = False,
    show_pii: Annotated[
        bool, typer.Option("--show-pii", help="Show e-mail, phone and last name unmasked.")
    ] = False,
    models_dir: ModelsDirOption = None,
    segments: SegmentsOption = None,
    stale_after_days: StaleOption = DEFAULT_STALE_AFTER.days,
) -> None:
    """Print one member's profile (as of now unless --as-of)."""
    settings = settings_for(db)

    async def work(service: ProfileService) -> Profile:
        return await service.profile(member, parse_moment(as_of, "--as-of"))

    profile = run(with_service(settings, models_dir, segments, stale_after_days, work))
    shown = profile if show_pii else profile.masked()
    if as_json:
        console.print_json(shown.model_dump_json())
        return
    _print_profile(shown)


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="JSON Lines file to write.")],
    db: DbOption = None,
    as_of: AsOfOption = None,
    models_dir: ModelsDirOption = None,
    segments: SegmentsOption = None,
    stale_after_days: StaleOption = DEFAULT_STALE_AFTER.days,
) -> None:
    """Write every member's profile and predictions, one JSON object per line (as of the day after
    the newest data unless --as-of). Format: docs/profiles-export.md."""
    settings = settings_for(db)

    async def work(service: ProfileService) -> tuple[int, datetime]:
        check_export_path(out)  # before minutes of work, not after
        frame = await service.frame(await default_batch_as_of(service, parse_moment(as_of, "--as-of")))
        with err_console.status(f"writing {len(frame):,} profiles"):
            return export_profiles(frame, out), frame.as_of

    count, used = run(with_service(settings, models_dir, segments, stale_after_days, work))
    console.print(f"exported {count:,} profiles as of {used:%Y-%m-%d %H:%M} → {out}", highlight=False)


def _print_profile(p: Profile) -> None:
    m, f, pr = p.monetary, p.frequency, p.predictions
    recency = p.recency.days_since_last_order
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    rows = [
        ("member", f"{p.customer_id} (external {p.external_id})"),
        ("as of", f"{p.as_of:%Y-%m-%d %H:%M} UTC · models as of {pr.model_as_of:%Y-%m-%d}"),
        (
            "contact",
            " ".join(
                x
                for x in (
                    p.contact.first_name,
                    p.contact.last_name,
                    p.contact.email or "",
                    p.contact.phone or "",
                )
                if x
            )
            or "—",
        ),
        (
            "loyalty",
            f"tier {p.loyalty.tier or '—'} · points {_text(p.loyalty.points_balance)}"
            f" · member {p.loyalty.tenure_days:.0f} days",
        ),
        ("recency", "no orders" if recency is None else f"{recency:.1f} days since the last order"),
        (
            "frequency",
            f"{f.orders_30} / {f.orders_90} / {f.orders_365} orders in 30 / 90 / 365 days "
            f"({f.orders_total} ever)",
        ),
        (
            "monetary",
            f"AOV {_money(m.aov)} · spend 365 d {_money(m.spend_365)} · margin 365 d {_money(m.margin_365)}",
        ),
        (
            "price",
            f"discount share {_pct(p.price_sensitivity.discount_share)} · "
            f"offer response {_pct(p.price_sensitivity.offer_response_rate)}",
        ),
        (
            "channel",
            f"prefers {p.preferred_channel or '—'} · send {p.send_time.weekday or '—'} "
            f"{'' if p.send_time.hour is None else f'{p.send_time.hour:02d}:00'}",
        ),
        ("lifecycle", p.lifecycle_stage),
        ("segments", ", ".join(p.segments) or "—"),
        (
            "predictions",
            f"churn risk {pr.churn_risk:.0%} (next {pr.churn_horizon_days} days) · next order ~"
            f"{pr.predicted_next_purchase_date} · CLV 365 d {_money(pr.predicted_clv_365)}",
        ),
        ("freshness", ("STALE · " if p.freshness.stale else "fresh · ") + _age(p.freshness.data_age_hours)),
    ]
    for label, value in rows:
        head.add_row(label, value)
    console.print(Panel(head, title="profile", expand=False), highlight=False)
    if pr.category_affinity:
        table = Table(title="category affinity (chance of buying next)", show_edge=False)
        table.add_column("category")
        table.add_column("score", justify="right")
        for item in pr.category_affinity[:10]:
            table.add_row(item.category, f"{item.score:.2f}")
        console.print(table)
    if pr.replenishment:
        table = Table(title="replenishment", show_edge=False)
        for column in ("category", "every (days)", "last", "expected next"):
            table.add_column(column)
        for item in pr.replenishment[:10]:
            table.add_row(
                item.category,
                f"{item.interval_days:.0f}",
                str(item.last_purchased),
                str(item.expected_next_date),
            )
        console.print(table)


def _text(value: object) -> str:
    return "—" if value is None else str(value)


def _age(hours: float | None) -> str:
    return "no data" if hours is None else f"newest record {hours:.0f} h old"


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"
