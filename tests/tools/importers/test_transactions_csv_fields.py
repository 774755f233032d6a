"""A property over CSV fields: whatever a transactions file holds, the import stores only what the
schema means (finite, bounded numbers; ids that fit and print) and refuses the rest row by row, or
the file as a whole with an `InvalidInput` — never another exception."""

import csv
import io
import math
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import anyio
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tools.errors import InvalidInput
from tools.importers.column_map import parse_map
from tools.importers.transactions_csv import MAX_MONEY, MAX_QUANTITY, CsvOptions, import_transactions_csv
from tools.progress import Silent
from tools.storage.db import database, init_schema

MAP = parse_map(["order_id=order,customer_id=member,sku=sku,quantity=qty,unit_price=price,placed_at=date"])

numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["inf", "-inf", "nan", "1e309", "0.001", "2.50", "", " 3 "]),
)
ids = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=100),
    st.sampled_from(["M1", "M2", "x" * 500, "M\x001", "\x7f"]),
)
rows = st.lists(st.tuples(ids, ids, numbers, numbers), min_size=1, max_size=8)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("csv_fields") / "template.db"

    async def make() -> None:
        store = database(f"sqlite:///{path}")
        try:
            await init_schema(store)
        finally:
            await store.dispose()

    anyio.run(make)
    return path


def _file(lines: list[tuple[str, str, str, str]]) -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["order", "member", "sku", "qty", "price", "date"])
    for n, (member, sku, quantity, price) in enumerate(lines):
        writer.writerow([f"O{n}", member, sku, quantity, price, "2025-06-01"])
    return text.getvalue()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=rows)
# A price near the float limit once overflowed the rounding that looks for a zero price.
@example(lines=[("M1", "S1", "1", "1.7976931348623157e+308")])
def test_only_what_the_schema_means_is_stored(
    template: Path, tmp_path: Path, lines: list[tuple[str, str, str, str]]
) -> None:
    db_path = tmp_path / "t.db"
    shutil.copy(template, db_path)
    source = tmp_path / "t.csv"
    source.write_text(_file(lines), encoding="utf-8")
    options = CsvOptions(now=datetime(2026, 1, 1), rejects_path=tmp_path / "rejects.csv")

    async def load() -> None:
        store = database(f"sqlite:///{db_path}")
        try:
            await import_transactions_csv(store, source, MAP, options, Silent())
        except InvalidInput:
            pass  # the file as a whole refused, in words
        finally:
            await store.dispose()

    anyio.run(load)
    with sqlite3.connect(db_path) as conn:
        for quantity, price in conn.execute("SELECT quantity, unit_price FROM order_lines"):
            assert isinstance(quantity, int) and 0 < abs(quantity) <= MAX_QUANTITY
            assert math.isfinite(price) and 0 < price <= MAX_MONEY
        for (member,) in conn.execute("SELECT external_id FROM customers"):
            assert 0 < len(member) <= 64 and member.isprintable()
        for (sku,) in conn.execute("SELECT sku FROM products"):
            assert 0 < len(sku) <= 64 and sku.isprintable()
