"""`loyalty import ...` errors: one line, non-zero exit, nothing written."""

import sqlite3
from pathlib import Path

import pytest

from tests.tools.importers.test_transactions_csv import ROWS
from tests.tools.profiles.cli import loyalty, one_error_line

GOOD_MAP = "order_id=InvoiceNo,sku=StockCode,quantity=Quantity,placed_at=InvoiceDate,unit_price=UnitPrice,customer_id=CustomerID"


@pytest.fixture
def ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # the command reads and writes relative to where it runs
    (tmp_path / "retail.csv").write_text(ROWS)
    assert loyalty("db", "init", "--db", "sqlite:///shop.db").exit_code == 0
    return tmp_path


def rows(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["transactions", "retail.csv", "--map", GOOD_MAP.replace("InvoiceNo", "Invoice")],
            "--map names columns that retail.csv does not have: Invoice (for order_id)",
        ),
        (["transactions", "retail.csv", "--map", "order=InvoiceNo"], "unknown field 'order'"),
        (["transactions", "nope.csv", "--map", GOOD_MAP], "cannot read nope.csv"),
        (
            ["transactions", "retail.csv", "--map", GOOD_MAP],
            "no placed_at value parses with date format 'ISO8601'",
        ),
        (["completejourney", "--until", "2031-01-01"], "--until 2031-01-01 is in the future"),
        (["completejourney", "--until", "someday"], "--until 'someday' is not a date"),
    ],
)
def test_import_errors(ready: Path, args: list[str], message: str) -> None:
    result = loyalty("import", *args, "--db", "sqlite:///shop.db")
    assert message in one_error_line(result)
    assert rows(ready / "shop.db", "orders") == rows(ready / "shop.db", "customers") == 0


def test_a_good_import_reports_and_audits(ready: Path) -> None:
    result = loyalty(
        "import",
        "transactions",
        "retail.csv",
        "--map",
        GOOD_MAP,
        "--date-format",
        "%m/%d/%Y %H:%M",
        "--db",
        "sqlite:///shop.db",
    )
    assert result.exit_code == 0, result.stderr
    assert rows(ready / "shop.db", "orders") == 3
    assert "data-quality audit" in result.stdout and "retail.csv.rejects.csv" in result.stdout
    assert (ready / "retail.csv.rejects.csv").exists()
