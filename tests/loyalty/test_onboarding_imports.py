"""`loyalty import consents` and `loyalty import contacts`: validated rows in, refused rows out to
an owner-only rejects file with why, a one-line summary; idempotent; a malformed file is one
clear line with nothing written."""

import csv
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loyalty.cli.app import app
from tools.time import utcnow


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "o.db"
    assert CliRunner().invoke(app, ["db", "init", "--db", f"sqlite:///{path}"]).exit_code == 0
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO customers (id, external_id, first_name, last_name, locale, time_zone, quiet_start_hour, "
            "quiet_end_hour, joined_at) VALUES (?, ?, 'A', 'B', 'en-AU', 'UTC', 21, 8, '2025-01-01 00:00:00')",
            [(1, "H1"), (2, "H2"), (3, "H3")],
        )
    return path


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _import(db: Path, kind: str, file: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["--log-level", "warning", "import", kind, str(file), *extra, "--db", f"sqlite:///{db}"]
    )
    return result.exit_code, result.output


def _consents(db: Path) -> list[tuple[int, str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT customer_id, channel, granted FROM channel_consents ORDER BY 1, 2"
        ).fetchall()


def test_consents_in_bad_rows_refused_with_why_and_again_changes_nothing(db: Path, tmp_path: Path) -> None:
    soon = (utcnow() + timedelta(days=2)).isoformat(timespec="seconds")
    file = _csv(
        tmp_path / "consents.csv",
        [
            ["Household", "channel", "status", "timestamp", "source", "confirmed_at"],
            ["H1", "email", "granted", "2026-01-05T10:00:00", "web form", "2026-01-05T10:20:00"],
            ["H1", "SMS", "yes", "2026-01-05T10:00:00", "web form", ""],
            ["H2", "push", "withdrawn", "2026-02-01", "app", ""],
            ["H9", "email", "granted", "2026-01-05", "web form", "2026-01-06"],  # unknown member
            ["H3", "fax", "granted", "2026-01-05", "web form", ""],  # bad channel
            ["H3", "sms", "granted", soon, "web form", ""],  # future timestamp
            ["H3", "email", "granted", "2026-01-05", "web form", ""],  # no double opt-in
            ["H3", "sms", "maybe", "2026-01-05", "web form", ""],  # bad status
            ["H3", "sms"],  # malformed
        ],
    )
    code, out = _import(db, "consents", file, "--map", "member=Household")
    assert code == 1
    assert out.strip() == (
        f"consents from consents.csv: 3 added, 0 updated, 0 unchanged, 6 rejected (reasons in {file}.rejects.csv)"
    )
    assert _consents(db) == [(1, "email", 1), (1, "sms", 1), (2, "push", 0)]
    rejects = Path(f"{file}.rejects.csv")
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    with rejects.open() as handle:
        reasons = {row["row"]: row["reason"] for row in csv.DictReader(handle)}
    assert reasons["5"] == "unknown member 'H9' (no member has that external id)"
    assert reasons["6"].startswith("channel: Input should be")
    assert "in the future" in reasons["7"]
    assert reasons["8"] == "email consent needs a double opt-in confirmation (confirmed_at)"
    assert "neither granted nor withdrawn" in reasons["9"]
    assert reasons["10"].startswith("malformed row")

    code, out = _import(db, "consents", file, "--map", "member=Household")
    assert "0 added, 0 updated, 3 unchanged" in out and _consents(db) == [
        (1, "email", 1),
        (1, "sms", 1),
        (2, "push", 0),
    ]

    newer = _csv(
        tmp_path / "newer.csv",
        [
            ["member", "channel", "status", "timestamp"],
            ["H1", "sms", "opt_out", "2026-03-01"],
            ["H2", "push", "granted", "2025-12-01"],
        ],
    )  # older than stored: ignored
    code, out = _import(db, "consents", newer)
    assert code == 0 and out.strip() == "consents from newer.csv: 0 added, 1 updated, 1 unchanged, 0 rejected"
    assert _consents(db) == [(1, "email", 1), (1, "sms", 0), (2, "push", 0)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty: it needs a header row"),
        ("member,channel\nH1,email\n", "lacks the columns status (for status), timestamp (for timestamp)"),
    ],
)
def test_a_malformed_consents_file_is_one_line_and_writes_nothing(
    db: Path, tmp_path: Path, content: str, message: str
) -> None:
    file = tmp_path / "bad.csv"
    file.write_text(content)
    code, out = _import(db, "consents", file)
    assert code == 2 and message in out and out.startswith("error:") and "Traceback" not in out
    assert _consents(db) == [] and not Path(f"{file}.rejects.csv").exists()
    code, out = _import(db, "consents", tmp_path / "missing.csv")
    assert code == 2 and "cannot read" in out


def test_contacts_update_what_is_given_and_refuse_what_does_not_parse(db: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "contacts.csv",
        [
            ["member", "email", "phone", "time_zone", "language"],
            ["H1", "Ann@Example.COM", "+61 412 345 678", "Australia/Sydney", "en_au"],
            ["H2", "", "", "Pacific/Auckland", ""],
            ["H3", "not-an-address", "", "", ""],
            ["H3", "", "0412", "", ""],
            ["H3", "", "", "Mars/Olympus", ""],
            ["H7", "x@example.com", "", "", ""],
        ],
    )
    code, out = _import(db, "contacts", file)
    assert code == 1 and out.startswith(
        "contacts from contacts.csv: 0 added, 2 updated, 0 unchanged, 4 rejected"
    )
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT external_id, email, phone, time_zone, locale FROM customers ORDER BY id"
        ).fetchall()
    assert rows == [
        ("H1", "Ann@example.com", "+61412345678", "Australia/Sydney", "en-AU"),
        ("H2", None, None, "Pacific/Auckland", "en-AU"),
        ("H3", None, None, "UTC", "en-AU"),
    ]
    code, out = _import(db, "contacts", file)
    assert "0 updated, 2 unchanged, 4 rejected" in out


def test_stock_counts_in_unknown_skus_and_bad_counts_refused(db: Path, tmp_path: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO categories (id, name, department) VALUES (1, 'Tea', 'Pantry')")
        conn.executemany(
            "INSERT INTO products (id, sku, name, category_id, price, unit_cost, season, is_consumable, "
            "full_price_only) VALUES (?, ?, 'x', 1, 5, 2, 'all', 1, 0)",
            [(1, "T1"), (2, "T2")],
        )
    later = (utcnow() + timedelta(days=1)).isoformat(timespec="seconds")
    file = _csv(
        tmp_path / "stock.csv",
        [
            ["sku", "on_hand", "weekly_demand", "clearance", "updated_at"],
            ["T1", "40", "10", "false", "2026-01-01T08:00:00"],
            ["T2", "0", "", "yes", ""],
            ["T9", "5", "", "", ""],  # unknown SKU
            ["T1", "-3", "", "", ""],  # negative
            ["T2", "4", "", "", later],  # future count
        ],
    )
    code, out = _import(db, "stock", file)
    assert code == 1 and out.startswith("stock from stock.csv: 2 added, 0 updated, 0 unchanged, 3 rejected")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT product_id, on_hand, clearance FROM inventory ORDER BY 1").fetchall() == [
            (1, 40, 0),
            (2, 0, 1),
        ]
    code, out = _import(db, "stock", file)
    assert "0 added, 0 updated, 2 unchanged, 3 rejected" in out


def test_products_with_cost_or_margin_and_complements(db: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "products.csv",
        [
            ["sku", "name", "category", "department", "price", "unit_cost", "margin", "complements"],
            ["P1", "Green tea", "Tea", "Pantry", "5.00", "2.00", "", "Biscuits"],
            ["P2", "Shortbread", "Biscuits", "Pantry", "4.00", "", "0.25", ""],
            ["P3", "Mystery", "", "", "3.00", "1", "", ""],  # a new SKU without a category
            ["P4", "Free thing", "Tea", "", "0", "0", "", ""],  # no price
            ["P5", "Odd", "Tea", "", "3", "1", "0.5", ""],  # cost and margin
            ["P6", "Cup", "Tea", "", "3", "1", "", "Saucers"],  # unknown complement
        ],
    )
    code, out = _import(db, "products", file)
    assert code == 1 and out.startswith(
        "products from products.csv: 2 added, 0 updated, 0 unchanged, 4 rejected"
    )
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT sku, price, unit_cost FROM products ORDER BY sku").fetchall() == [
            ("P1", 5.0, 2.0),
            ("P2", 4.0, 3.0),
        ]
        assert conn.execute(
            "SELECT c.name, o.name FROM category_complements k JOIN categories c ON c.id = "
            "k.category_id JOIN categories o ON o.id = k.complement_id"
        ).fetchall() == [("Tea", "Biscuits")]
    assert "0 added, 0 updated, 2 unchanged, 4 rejected" in _import(db, "products", file)[1]
    price_change = _csv(tmp_path / "prices.csv", [["sku", "price"], ["P1", "5.50"]])
    assert _import(db, "products", price_change) == (
        0,
        "products from prices.csv: 0 added, 1 updated, 0 unchanged, 0 rejected\n",
    )
