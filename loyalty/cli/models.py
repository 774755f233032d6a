"""`loyalty models ...`: fit the profile models on command, and list what is fitted."""

import json
from datetime import datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from loyalty.cli.common import DbOption, console, err_console, run, settings_for
from loyalty.cli.moments import parse_moment
from loyalty.cli.profiles import AsOfOption, ModelsDirOption, default_batch_as_of, with_service
from tools.errors import InvalidInput
from tools.nba import Calibration, ResponsePriors, calibrate
from tools.profiles import DEFAULT_STALE_AFTER, FittedModels, ProfileService

app = typer.Typer(help="The models behind profile predictions: fit, list.", no_args_is_help=True)


@app.command("fit")
def fit(
    db: DbOption = None,
    as_of: AsOfOption = None,
    models_dir: ModelsDirOption = None,
    held_out_weeks: Annotated[
        int,
        typer.Option(
            min=1, max=26, help="Weeks held out to check the message response fitted on the weeks before."
        ),
    ] = 2,
) -> None:
    """Fit every prediction model on the history before --as-of (default: the day after the
    newest data) and save them with their metrics; fit the message response on the contact
    history and show its calibration on the last --held-out-weeks."""
    settings = settings_for(db)

    async def work(service: ProfileService) -> tuple[FittedModels, Calibration]:
        moment = await default_batch_as_of(service, parse_moment(as_of, "--as-of"))
        if moment is None:
            raise InvalidInput("no orders in the database: import or seed some first")
        return await service.fit(moment), await calibrate(service.db, moment, timedelta(weeks=held_out_weeks))

    models, calibration = run(with_service(settings, models_dir, None, DEFAULT_STALE_AFTER.days, work))
    console.print_json(json.dumps(models.summary()))
    # stdout stays the models' JSON for scripts; the response report is for the person at the terminal
    err_console.print(_response_table(calibration))
    err_console.print(_calibration_table(calibration), highlight=False)
    err_console.print(_holdout_table(calibration), highlight=False)
    err_console.print(_family_table(calibration), highlight=False)
    err_console.print(_winback_table(calibration), highlight=False)
    err_console.print(_rival_pull_line(calibration), highlight=False)


def _response_table(calibration: Calibration) -> Table:
    """The response fitted from the contact history before the held-out weeks, per channel."""
    rates = calibration.rates
    table = Table(
        title=f"message response fitted on {rates.sends:,} contacts before "
        f"{calibration.fitted_until:%Y-%m-%d} (per message sent)",
        show_edge=False,
    )
    for column in (
        "channel",
        "open",
        "click",
        "order",
        "unsubscribe",
        "margin / order",
        "decline / recent contact",
        "unsubscribe rise / recent contact",
    ):
        table.add_column(column, justify="left" if column == "channel" else "right")
    for channel, r in sorted(rates.channels.items()):
        table.add_row(
            channel,
            f"{r['open'].mean:.2%}",
            f"{r['click'].mean:.2%}",
            f"{r['order'].mean:.3%}",
            f"{r['unsubscribe'].mean:.3%}",
            f"{rates.margin_per_order.get(channel, 0.0):,.2f}",
            f"{rates.decline_per_contact.get(channel, 0.0):.1%}",
            f"{rates.unsubscribe_slope.get(channel, 0.0):.2f}",
        )
    return table


def _calibration_table(calibration: Calibration) -> Table:
    table = Table(
        title=f"calibration on held-out weeks {calibration.fitted_until:%Y-%m-%d} to "
        f"{calibration.held_out_until:%Y-%m-%d}: predicted vs observed message-led orders",
        show_edge=False,
    )
    for column in ("use case", "lever", "sends", "predicted", "observed", "95% interval", "fit evidence", ""):
        table.add_column(column, justify="left" if column in ("use case", "lever", "") else "right")
    for row in calibration.rows:
        table.add_row(
            row.use_case,
            row.offer_type,
            f"{row.sends:,}",
            f"{row.predicted_orders:.1f}",
            f"{row.observed_orders}",
            f"{row.observed_low:.1f}-{row.observed_high:.1f}",
            f"{row.evidence:,}" if row.evidence else "none: family prior",
            "ok" if row.within else "off",
        )
    if not calibration.rows:
        table.add_row("(no contacts in the held-out weeks)", "", "", "", "", "", "", "")
    return table


def _holdout_table(calibration: Calibration) -> Table:
    """Incremental margin per contact measured against the holdout (`tools.nba.uplift`)."""
    table = Table(
        title="incremental margin per contact against the holdout (shrunk; '*': the use case as a whole)",
        show_edge=False,
    )
    for column in ("use case", "lever", "per contact", "± 1.96 se", "treated", "holdout"):
        table.add_column(column, justify="left" if column in ("use case", "lever") else "right")
    for (use_case, family), u in sorted(calibration.rates.incremental.items()):
        table.add_row(
            use_case, family, f"{u.margin:,.2f}", f"{1.96 * u.se:,.2f}", f"{u.members:,}", f"{u.holdout:,}"
        )
    if not calibration.rates.incremental:
        table.add_row("(no holdout evidence: attributed orders are taken as caused)", "", "", "", "", "")
    return table


def _family_table(calibration: Calibration) -> Table:
    """What each offer family adds to a click's chance of an order (`tools.nba.response_fit`)."""
    table = Table(
        title="offer families: attributed orders per click against plain messages' of the same use cases (1 = no "
        "effect; the prior of levers without evidence)",
        show_edge=False,
    )
    for column in ("family", "effect"):
        table.add_column(column, justify="left" if column == "family" else "right")
    for family, effect in sorted(calibration.rates.family_effect.items()):
        table.add_row(family, f"{effect:.2f}")
    if not calibration.rates.family_effect:
        table.add_row("(no plain message led to an order: offers are credited with nothing extra)", "")
    return table


def _winback_table(calibration: Calibration) -> Table:
    """What a return restores, by how deep the lapse was (`tools.nba.winback`)."""
    winback = calibration.rates.winback
    window = winback.window_days if winback is not None else 0
    table = Table(
        title=f"win-backs: margin over the {window} days after a return and after a lapse, as a share of the "
        "member's usual rhythm; an order a message wins from a lapsed member is worth the difference on top of its basket",
        show_edge=False,
    )
    for column in (
        "lapsed at least",
        "after a return",
        "after a lapse",
        "restored",
        "± 1.96 se",
        "returns",
        "lapses",
    ):
        table.add_column(column, justify="right")
    for depth in winback.depths if winback is not None else ():
        table.add_row(
            f"{depth.multiple:g} gaps",
            f"{depth.returned:.2f}",
            f"{depth.lapsed:.2f}",
            f"{depth.restored:.2f}",
            f"{1.96 * depth.se:.2f}",
            f"{depth.returns:,}",
            f"{depth.lapses:,}",
        )
    if winback is None:
        table.add_row(
            "(too few lapses and returns in the order history: no lasting value credited)",
            "",
            "",
            "",
            "",
            "",
            "",
        )
    return table


def _rival_pull_line(calibration: Calibration) -> str:
    """How strongly a rival's promotion pulls members away (`tools.nba.rival_pull`)."""
    pull, prior = calibration.rates.rival_pull, ResponsePriors().competitor_pull
    if pull is None or pull.signals == 0:
        return (
            "rival pull: no competitor signal with exposed members in the history: "
            f"the prior {prior:.2f} stands until one is observed"
        )
    return (
        f"rival pull: {pull.given(prior):.2f} (measured {pull.raw:+.2f} ± {1.96 * pull.se:.2f}, "
        f"with the prior {prior:.2f}) from "
        f"{pull.signals:,} competitor signals, {pull.exposures:,} exposed members: "
        f"{pull.observed_orders:,} category orders observed against {pull.expected_orders:,.1f} expected"
    )


@app.command("list")
def list_models(db: DbOption = None, models_dir: ModelsDirOption = None) -> None:
    """The fitted model sets, by as-of date."""
    settings = settings_for(db)

    async def work(service: ProfileService) -> tuple[str, list[datetime]]:
        return str(service.store.directory), service.store.available()

    where, found = run(with_service(settings, models_dir, None, DEFAULT_STALE_AFTER.days, work))
    table = Table(title=f"fitted models in {where}", show_edge=False)
    table.add_column("as of")
    for moment in found:
        table.add_row(f"{moment:%Y-%m-%d %H:%M}")
    console.print(table if found else f"no fitted models in {where}", highlight=False)
