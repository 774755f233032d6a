"""A generic transactions CSV (one row per order line) into the loyalty schema, via `--map`.

The file is read in chunks with the standard csv reader (exact line numbers, quoted fields with
newlines handled); each chunk is checked column-wise and its bad rows rejected with the reason.
Checks that need the whole file (exact duplicates, an order id shared by several customers, a
negative quantity with no earlier purchase to return) run once all chunks are in; then
everything is written in one transaction. Running the same file twice changes nothing: orders
already present are skipped whole.
"""

import codecs
import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import structlog
from sqlalchemy import select

from tools.errors import InvalidInput
from tools.importers import audit
from tools.importers.column_map import ColumnMap
from tools.importers.import_report import ImportReport
from tools.importers.rejects import FrameRejects
from tools.importers.writer import ImportWriter
from tools.progress import Progress
from tools.storage import Category, Customer, Database, Order, OrderLine, Product

log = structlog.get_logger(__name__)

SOURCE = "transactions"
ORDER_CHANNELS = ("online", "store", "app")
IN_QUERY = 500  # values per IN (...) list
# What the schema can hold: INTEGER quantities (32-bit on PostgreSQL; no basket line is near
# a million), Numeric(12, 2) money, and the widths of the text columns. SQLite would store
# longer text and NUL bytes that PostgreSQL refuses, so both are rejected for either.
MAX_QUANTITY = 1_000_000
MAX_MONEY = 1_000_000_000


def _width(column: Any) -> int:
    length = getattr(column.type, "length", None)
    assert isinstance(length, int), column
    return length


TEXT_LIMITS = {
    "order_id": _width(Order.external_id),
    "customer_id": _width(Customer.external_id),
    "sku": _width(Product.sku),
    "product_name": _width(Product.name),
    "category": _width(Category.name),
    "department": _width(Category.department),
    "coupon_code": _width(Order.coupon_code),
    "email": _width(Customer.email),
    "postcode": _width(Customer.postcode),
}


@dataclass(frozen=True)
class CsvOptions:
    now: datetime  # naive UTC; rows dated after it are rejected
    date_format: str = "ISO8601"  # pandas/strftime format of placed_at, e.g. "%m/%d/%Y %H:%M"
    channel: str = "store"  # for orders when no channel column is mapped
    cost_ratio: float = 0.7  # unit cost as a share of price when no unit_cost column is mapped
    locale: str = "en-AU"
    encoding: str = "utf-8"
    chunk_rows: int = 100_000
    rejects_path: Path = Path("transactions.rejects.csv")


async def import_transactions_csv(
    db: Database, path: Path, columns: ColumnMap, options: CsvOptions, progress: Progress
) -> ImportReport:
    started = time.perf_counter()
    if options.channel not in ORDER_CHANNELS:
        raise InvalidInput(f"--channel must be one of {', '.join(ORDER_CHANNELS)}, got {options.channel!r}")
    if not 0 < options.cost_ratio < 1:
        raise InvalidInput(f"cost ratio must be between 0 and 1, got {options.cost_ratio}")
    try:
        codecs.lookup(options.encoding)
    except LookupError:
        raise InvalidInput(f"unknown --encoding {options.encoding!r}: e.g. utf-8, latin-1, cp1252") from None
    report = ImportReport(source=str(path), rejects_path=options.rejects_path)
    rejects = FrameRejects()
    accepted: list[pd.DataFrame] = []
    raw_rows: list[pd.DataFrame] = []
    read = 0
    progress.stage(f"reading {path.name}", _size(path))
    for raw in _chunks(path, columns, options, rejects, progress):
        read += len(raw)
        good = _check_chunk(raw, columns, options, rejects)
        if not accepted and not good.any():
            _explain_total_failure(rejects, options)
        accepted.append(_typed(raw.loc[good], columns, options))
        raw_rows.append(raw.loc[good])
    empty = pd.DataFrame(columns=list(columns.columns.values()), dtype="str")
    lines = pd.concat(accepted) if accepted else _typed(empty, columns, options)
    raw_all = pd.concat(raw_rows) if raw_rows else empty
    progress.stage("checking orders and returns")
    lines = _whole_file_checks(lines, raw_all, rejects, report)
    lines = await _returns_checked(db, lines, raw_all, rejects)

    async with db.engine.begin() as conn:
        writer = ImportWriter(conn, progress)
        progress.stage("catalogue")
        products = _products(lines, options.cost_ratio)
        categories = products.drop_duplicates("category")[["category", "department"]]
        category_ids = await writer.categories(categories.rename(columns={"category": "name"}))
        product_ids = await writer.products(products, category_ids)
        progress.stage("members")
        member_ids = await writer.customers(_members(lines, options))
        orders, order_lines = _orders(lines, product_ids, member_ids, options)
        await writer.orders(orders, order_lines)
    report.inserted, report.already_present = writer.inserted, writer.already_present
    report.rejected = rejects.counts
    report.findings += _audit(raw_all, lines, read, rejects, options)
    rejects.write(options.rejects_path)
    report.seconds = time.perf_counter() - started
    log.info(
        "import finished",
        source=str(path),
        inserted=report.inserted,
        rejected=report.rejected_total,
        seconds=round(report.seconds, 1),
    )
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from exc


def _chunks(
    path: Path, columns: ColumnMap, options: CsvOptions, rejects: FrameRejects, progress: Progress
) -> Iterator[pd.DataFrame]:
    """DataFrames of raw strings (every column of the file), indexed by line number."""
    try:
        handle = path.open(newline="", encoding=options.encoding)
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        counted = _counting(handle, progress)
        reader = csv.reader(counted)
        try:
            header = next(reader)
        except StopIteration:
            raise InvalidInput(f"{path} is empty: it needs a header row") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInput(f"cannot read the header of {path}: {exc} (try --encoding)") from exc
        header = [h.strip() for h in header]
        columns.check_header(header, str(path))
        rows: list[list[str]] = []
        numbers: list[int] = []
        malformed: list[tuple[int, str]] = []
        try:
            for row in reader:
                if not row:
                    continue  # a blank line is no row
                if len(row) != len(header):
                    malformed.append((reader.line_num, ",".join(row)))
                else:
                    rows.append(row)
                    numbers.append(reader.line_num)
                if len(rows) >= options.chunk_rows:
                    yield pd.DataFrame(rows, columns=header, index=numbers, dtype="str")
                    rows, numbers = [], []
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInput(
                f"cannot read {path} near line {reader.line_num}: {exc} (try --encoding)"
            ) from exc
        if rows:
            yield pd.DataFrame(rows, columns=header, index=numbers, dtype="str")
        if malformed:
            bad = pd.DataFrame({"raw": [text for _, text in malformed]}, index=[n for n, _ in malformed])
            rejects.add(
                SOURCE, bad, np.ones(len(bad), dtype=bool), f"malformed row (not {len(header)} fields)"
            )


def _counting(handle, progress: Progress) -> Iterator[str]:
    for line in handle:
        progress.advance(len(line))
        yield line


def _check_chunk(
    raw: pd.DataFrame, columns: ColumnMap, options: CsvOptions, rejects: FrameRejects
) -> np.ndarray:
    def field(name: str) -> pd.Series:
        return raw[columns.columns[name]].str.strip()

    def reject(mask: np.ndarray, reason: str) -> None:
        nonlocal ok
        ok &= rejects.add(SOURCE, raw, ok & mask, reason)

    ok = np.ones(len(raw), dtype=bool)
    for name in ("order_id", "customer_id", "sku", "quantity", "unit_price", "placed_at"):
        reject((field(name) == "").to_numpy(), f"missing {name}")
    placed = pd.to_datetime(field("placed_at"), format=options.date_format, errors="coerce")
    reject(placed.isna().to_numpy(), f"placed_at not a date in format {options.date_format}")
    reject((placed > pd.Timestamp(options.now)).to_numpy(), "date in the future")
    for name, limit in TEXT_LIMITS.items():
        if columns.source(name):
            text = field(name)
            reject((text.str.len() > limit).to_numpy(), f"{name} longer than {limit} characters")
            printable = text.map(str.isprintable, na_action="ignore").fillna(True).astype(bool)
            reject(~printable.to_numpy(), f"{name} contains control characters")
    quantity = pd.to_numeric(field("quantity"), errors="coerce").to_numpy(float)
    reject(~np.isfinite(quantity), "quantity not a number")
    reject(np.abs(np.nan_to_num(quantity)) > MAX_QUANTITY, f"quantity beyond ±{MAX_QUANTITY:,}")
    reject(np.mod(np.nan_to_num(quantity), 1) != 0, "quantity not a whole number")
    reject(quantity == 0, "zero quantity")
    price = pd.to_numeric(field("unit_price"), errors="coerce").to_numpy(float)
    reject(~np.isfinite(price), "unit_price not a number")
    reject(price < 0, "negative unit price")
    reject(np.nan_to_num(price) > MAX_MONEY, f"unit_price above {MAX_MONEY:,.0f}")
    # Not np.round(price, 2) == 0: rounding scales by 100 first, which overflows near the float limit.
    reject(np.abs(price) < 0.005, "unit price of zero")
    for optional in ("discount", "unit_cost"):
        if columns.source(optional):
            text = field(optional)
            value = pd.to_numeric(text, errors="coerce").to_numpy(float)
            reject((text != "").to_numpy() & ~np.isfinite(value), f"{optional} not a number")
            reject(value < 0, f"negative {optional}")
            reject(np.nan_to_num(value) > MAX_MONEY, f"{optional} above {MAX_MONEY:,.0f}")
    if columns.source("channel"):
        reject(
            ~field("channel").str.lower().isin(ORDER_CHANNELS).to_numpy(), "channel not online, store or app"
        )
    return ok


def _explain_total_failure(rejects: FrameRejects, options: CsvOptions) -> None:
    """When not one row of the first chunk survives because of its dates, the format is wrong:
    say so instead of rejecting the whole file row by row."""
    date_reason = f"placed_at not a date in format {options.date_format}"
    if rejects.counts[(SOURCE, date_reason)] and rejects.counts[(SOURCE, date_reason)] >= max(
        rejects.counts.values()
    ):
        raise InvalidInput(
            f"no placed_at value parses with date format {options.date_format!r}: "
            'pass --date-format (e.g. "%m/%d/%Y %H:%M")'
        )


def _typed(raw: pd.DataFrame, columns: ColumnMap, options: CsvOptions) -> pd.DataFrame:
    def text(name: str, default: str | None = None) -> pd.Series:
        source = columns.source(name)
        if source is None or source not in raw:
            return pd.Series(default, index=raw.index, dtype=object)
        values = raw[source].str.strip()
        return (
            values.where(values != "", default) if default is not None else values.where(values != "", None)
        )

    customer = text("customer_id").str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return pd.DataFrame(
        {
            "order_id": text("order_id"),
            "customer_id": customer,
            "sku": text("sku"),
            "quantity": pd.to_numeric(text("quantity")).astype("int64"),
            "unit_price": pd.to_numeric(text("unit_price")).astype(float).round(2),
            "placed_at": pd.to_datetime(text("placed_at"), format=options.date_format),
            "discount": pd.to_numeric(text("discount", "0")).astype(float).round(2),
            "unit_cost": pd.to_numeric(text("unit_cost")).astype(float),
            "channel": text("channel", options.channel).str.lower(),
            "coupon_code": text("coupon_code"),
            "product_name": text("product_name"),
            "category": text("category", "Uncategorised"),
            "department": text("department", "General"),
            "email": text("email"),
            "postcode": text("postcode"),
        },
        index=raw.index,
    )


def _whole_file_checks(
    lines: pd.DataFrame, raw: pd.DataFrame, rejects: FrameRejects, report: ImportReport
) -> pd.DataFrame:
    key = ["order_id", "customer_id", "sku", "quantity", "unit_price", "placed_at", "discount"]
    repeated = lines.duplicated(subset=key).to_numpy()
    report.findings += audit.duplicates(SOURCE, lines, key)
    ok = rejects.add(SOURCE, raw, repeated, "exact duplicate of an earlier row")
    owners = lines.loc[ok].groupby("order_id")["customer_id"].nunique()
    shared = lines["order_id"].isin(owners.index[owners > 1]).to_numpy()
    ok &= rejects.add(SOURCE, raw, ok & shared, "order_id used by several customers")
    return lines.loc[ok]


async def _returns_checked(
    db: Database, lines: pd.DataFrame, raw: pd.DataFrame, rejects: FrameRejects
) -> pd.DataFrame:
    """A negative quantity is a return only if the customer bought that SKU earlier (in this
    file or already in the database); otherwise it is an impossible value, rejected."""
    negative = lines["quantity"] < 0
    if not negative.any():
        return lines
    bought = lines.loc[~negative].groupby(["customer_id", "sku"])["placed_at"].min()
    earlier = await _earlier_purchases(db, lines.loc[negative])
    first = pd.concat([bought, earlier]).groupby(level=[0, 1]).min() if len(earlier) else bought
    returns = lines.loc[negative]
    first_for = first.reindex(pd.MultiIndex.from_frame(returns[["customer_id", "sku"]])).to_numpy()
    is_return = ~pd.isna(first_for) & (first_for <= returns["placed_at"].to_numpy())
    orphan = np.zeros(len(lines), dtype=bool)
    orphan[np.nonzero(negative.to_numpy())[0][~is_return]] = True
    ok = rejects.add(
        SOURCE,
        raw.loc[lines.index],
        orphan,
        "negative quantity with no earlier purchase of the SKU by the customer (not a return)",
    )
    return lines.loc[ok]


async def _earlier_purchases(db: Database, returns: pd.DataFrame) -> pd.Series:
    customers = sorted(set(returns["customer_id"]))
    found: list[tuple[str, str, datetime]] = []
    async with db.session() as session:
        for start in range(0, len(customers), IN_QUERY):
            rows = await session.execute(
                select(Customer.external_id, Product.sku, Order.placed_at)
                .join(Order, Order.customer_id == Customer.id)
                .join(OrderLine, OrderLine.order_id == Order.id)
                .join(Product, Product.id == OrderLine.product_id)
                .where(Customer.external_id.in_(customers[start : start + IN_QUERY]), OrderLine.quantity > 0)
            )
            found.extend(tuple(row) for row in rows)
    if not found:
        return pd.Series([], dtype="datetime64[us]")
    frame = pd.DataFrame(found, columns=["customer_id", "sku", "placed_at"])
    return frame.groupby(["customer_id", "sku"])["placed_at"].min()


def _products(lines: pd.DataFrame, cost_ratio: float) -> pd.DataFrame:
    by_sku = lines.groupby("sku", sort=True)
    price = by_sku["unit_price"].median().round(2)
    cost = by_sku["unit_cost"].median()
    first = by_sku[["product_name", "category", "department"]].first()
    return pd.DataFrame(
        {
            "sku": price.index.to_numpy(object),
            "name": first["product_name"].fillna(pd.Series(price.index, index=price.index)).to_numpy(object),
            "category": first["category"].to_numpy(object),
            "department": first["department"].to_numpy(object),
            "product_type": None,
            "brand": None,
            "price": price.to_numpy(float),
            "unit_cost": cost.fillna(price * cost_ratio).round(2).to_numpy(float),
            "is_consumable": False,
        }
    )


def _members(lines: pd.DataFrame, options: CsvOptions) -> pd.DataFrame:
    by_member = lines.groupby("customer_id", sort=True)
    first = by_member[["email", "postcode"]].first()
    synced = lines["placed_at"].max() if len(lines) else pd.Timestamp(options.now)
    return pd.DataFrame(
        {
            "external_id": first.index.to_numpy(object),
            "joined_at": by_member["placed_at"].min().to_numpy(),
            "data_synced_at": synced,
            "locale": options.locale,
            "email": first["email"].str.slice(0, 254).to_numpy(object),
            "postcode": first["postcode"].str.slice(0, 16).to_numpy(object),
        }
    )


def _orders(
    lines: pd.DataFrame, product_ids: dict[str, int], member_ids: dict[str, int], options: CsvOptions
) -> tuple[pd.DataFrame, pd.DataFrame]:
    by_order = lines.groupby("order_id", sort=False)
    head = by_order.agg(
        customer_id=("customer_id", "first"),
        placed_at=("placed_at", "min"),
        channel=("channel", "first"),
        coupon_code=("coupon_code", "first"),
    )
    orders = pd.DataFrame(
        {
            "external_id": head.index.to_numpy(object),
            "customer_id": head["customer_id"].map(member_ids).to_numpy(np.int64),
            "placed_at": head["placed_at"].to_numpy(),
            "channel": head["channel"].to_numpy(object),
            "coupon_code": head["coupon_code"].str.slice(0, 40).to_numpy(object),
            "contact_id": pd.array([None] * len(head), dtype="Int64"),
        }
    )
    cost = lines["unit_cost"].fillna(lines["unit_price"] * options.cost_ratio).round(2)
    order_lines = pd.DataFrame(
        {
            "order": lines["order_id"].to_numpy(object),
            "product_id": lines["sku"].map(product_ids).to_numpy(np.int64),
            "quantity": lines["quantity"].to_numpy(np.int64),
            "unit_price": lines["unit_price"].to_numpy(float),
            "unit_cost": cost.to_numpy(float),
            "discount": lines["discount"].to_numpy(float),
        }
    )
    return orders, order_lines


IMPOSSIBLE = (
    "zero quantity",
    "unit price of zero",
    "negative unit price",
    "date in the future",
    "negative quantity with no earlier purchase of the SKU by the customer (not a return)",
)


def _audit(
    raw: pd.DataFrame, lines: pd.DataFrame, read: int, rejects: FrameRejects, options: CsvOptions
) -> list[audit.Finding]:
    found: list[audit.Finding] = []
    for reason in IMPOSSIBLE:
        count = rejects.counts[(SOURCE, reason)]
        found += audit.impossible(SOURCE, "row", count, f"{count:,} rows: {reason} (rejected)")
    if len(raw):
        found += audit.missing_values(SOURCE, raw.replace("", None))
    newest = lines["placed_at"].max() if len(lines) else None
    found.append(audit.staleness(SOURCE, None if newest is None else newest.to_pydatetime(), options.now))
    found.append(audit.Finding(audit.AuditCheck.ASSUMPTION, SOURCE, read, f"{read:,} well-formed rows read"))
    return found
