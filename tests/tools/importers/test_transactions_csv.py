"""Generic transactions CSV: --map, chunked reading, rejects with reasons, returns, idempotency."""

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from loyalty.cli.db import table_counts
from tools.errors import InvalidInput
from tools.importers.column_map import parse_map
from tools.importers.transactions_csv import CsvOptions, import_transactions_csv
from tools.progress import Silent
from tools.storage.db import Database
from tools.storage.models import Customer, Order, OrderLine

MAP = [
    "order_id=InvoiceNo,sku=StockCode,product_name=Description,quantity=Quantity",
    "placed_at=InvoiceDate,unit_price=UnitPrice,customer_id=CustomerID",
]
ROWS = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom
536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850.0,United Kingdom
536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,12/1/2010 8:34,1.69,13047,United Kingdom
536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,12/1/2010 8:34,1.69,13047,United Kingdom
536368,22960,JAM MAKING SET WITH JARS,6,12/1/2010 8:34,0,13047,United Kingdom
536369,21756,BATH BUILDING BLOCK WORD,3,12/1/2010 8:35,5.95,,United Kingdom
C536379,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-1,12/1/2010 9:41,2.55,17850,United Kingdom
C536380,22961,JAM MAKING SET PRINTED,-2,12/1/2010 9:41,1.45,13047,United Kingdom
536381,22139,RETROSPOT TEA SET,1,12/1/2030 9:41,4.95,15311,United Kingdom
536382,22139,"RETROSPOT TEA SET, CERAMIC",1,12/1/2010 9:45,4.95,15311,United Kingdom,extra
536383,22139,RETROSPOT TEA SET,abc,12/1/2010 9:45,4.95,15311,United Kingdom
536384,22139,RETROSPOT TEA SET,2,not a date,4.95,15311,United Kingdom
536385,22139,RETROSPOT TEA SET,2,12/2/2010 10:00,4.95,15311,United Kingdom
536385,22140,TEA SET 2,1,12/2/2010 10:00,3.00,15312,United Kingdom
"""


def write(tmp_path: Path, text: str = ROWS) -> Path:
    path = tmp_path / "retail.csv"
    path.write_text(text)
    return path


def options(tmp_path: Path, date_format: str = "%m/%d/%Y %H:%M") -> CsvOptions:
    return CsvOptions(
        now=datetime(2026, 1, 1), date_format=date_format, chunk_rows=4, rejects_path=tmp_path / "rejects.csv"
    )


async def test_imports_good_rows_and_rejects_the_rest_with_reasons(db: Database, tmp_path: Path) -> None:
    report = await import_transactions_csv(db, write(tmp_path), parse_map(MAP), options(tmp_path), Silent())
    assert (
        report.inserted["customers"] == 2
        and report.inserted["orders"] == 3
        and report.inserted["order_lines"] == 4
    )
    assert {reason: n for (_, reason), n in report.rejected.items()} == {
        "exact duplicate of an earlier row": 1,
        "unit price of zero": 1,
        "missing customer_id": 1,
        "negative quantity with no earlier purchase of the SKU by the customer (not a return)": 1,
        "date in the future": 1,
        "malformed row (not 8 fields)": 1,
        "quantity not a number": 1,
        "placed_at not a date in format %m/%d/%Y %H:%M": 1,
        "order_id used by several customers": 2,
    }
    rejects = pd.read_csv(tmp_path / "rejects.csv", dtype=str)
    assert len(rejects) == 10
    assert rejects.loc[rejects["reason"] == "unit price of zero", "row"].tolist() == [
        "6"
    ]  # file line numbers
    async with db.session() as session:
        assert set(await session.scalars(select(Customer.external_id))) == {"17850", "13047"}
        returned = await session.scalar(
            select(OrderLine.quantity).join(Order).where(Order.external_id == "C536379")
        )
        assert returned == -1  # a return of something bought earlier that day


async def test_running_twice_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path)
    await import_transactions_csv(db, path, parse_map(MAP), options(tmp_path), Silent())
    before = await table_counts(db)
    again = await import_transactions_csv(db, path, parse_map(MAP), options(tmp_path), Silent())
    assert not again.changed_anything and await table_counts(db) == before


async def test_map_naming_a_missing_column_is_refused_before_anything_is_read(
    db: Database, tmp_path: Path
) -> None:
    columns = parse_map(
        [
            "order_id=Invoice,sku=StockCode,quantity=Quantity,placed_at=InvoiceDate",
            "unit_price=UnitPrice,customer_id=CustomerID",
        ]
    )
    with pytest.raises(
        InvalidInput, match=r"does not have: Invoice \(for order_id\); its columns are: InvoiceNo"
    ):
        await import_transactions_csv(db, write(tmp_path), columns, options(tmp_path), Silent())


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (["order=InvoiceNo"], "unknown field 'order'"),
        (["order_id=InvoiceNo"], "lacks required fields: customer_id, sku"),
        (["order_id"], "is not field=Column"),
        (["order_id=A,order_id=B"], "gives order_id twice"),
    ],
)
def test_bad_maps(spec: list[str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_map(spec)


async def test_wrong_date_format_is_one_clear_error_and_imports_nothing(db: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no placed_at value parses with date format 'ISO8601'"):
        await import_transactions_csv(
            db, write(tmp_path), parse_map(MAP), options(tmp_path, date_format="ISO8601"), Silent()
        )
    assert (await table_counts(db))["orders"] == 0


async def test_missing_or_empty_file(db: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        await import_transactions_csv(db, tmp_path / "nope.csv", parse_map(MAP), options(tmp_path), Silent())
    with pytest.raises(InvalidInput, match="is empty"):
        await import_transactions_csv(db, write(tmp_path, ""), parse_map(MAP), options(tmp_path), Silent())
