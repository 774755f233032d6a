"""Bad input on the command line: one clear line, a non-zero exit, nothing half-written — one
test per case the read-through found giving a traceback, and a property over arguments.

The cases run on an initialised, empty database: each is refused before data would matter."""

import shutil
import sqlite3
from pathlib import Path

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from loyalty.cli.app import app
from tools.storage.db import database, init_schema

TRANSACTIONS_MAP = "order_id=order,customer_id=member,sku=sku,quantity=qty,unit_price=price,placed_at=date"
HEADER = "order,member,sku,qty,price,date"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad_input") / "template.db"

    async def make() -> None:
        store = database(f"sqlite:///{path}")
        try:
            await init_schema(store)
        finally:
            await store.dispose()

    anyio.run(make)
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LOYALTY_LOG_LEVEL", "warning")
    monkeypatch.delenv("LOYALTY_MCP_HTTP_TOKEN", raising=False)
    path = tmp_path / "loyalty.db"
    shutil.copy(template, path)
    return path


def one_line_error(args: list[str], env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(app, args, env=env)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def rows(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_a_20_digit_member_id_is_not_found(db: Path) -> None:
    line = one_line_error(["profile", "12345678901234567890", "--db", f"sqlite:///{db}"])
    assert "no member with id or external id '12345678901234567890'" in line


@pytest.mark.parametrize("member", ["x" * 500, "M\x001"])
def test_a_500_character_or_nul_member_id_is_refused(db: Path, member: str) -> None:
    line = one_line_error(["profile", member, "--db", f"sqlite:///{db}"])
    assert "a member id is at most 64 printable characters" in line


@pytest.mark.parametrize(
    "args",
    [
        ["profile", "M1", "--as-of", "0001-01-01"],
        ["models", "fit", "--as-of", "0001-01-01"],
        ["segments", "--as-of", "9999-12-31"],
        ["report", "--until", "0001-01-01"],
        ["alerts", "--at", "0001-01-01"],
    ],
)
def test_a_date_outside_the_computable_years_is_refused(db: Path, args: list[str]) -> None:
    line = one_line_error([*args, "--db", f"sqlite:///{db}"])
    assert "is out of range: use a date from 1970-01-01 to 2099-12-31" in line


@pytest.mark.parametrize("at", ["tomorrow", "2026-13-01", "0001-01-01T00:00+01:00"])
@pytest.mark.parametrize(
    "command",
    [
        ["worker", "--once"],
        [
            "campaign",
            "plan",
            "--use-case",
            "reactivation",
            "--segment",
            "dormant_recoverable",
            "--budget",
            "100",
        ],
    ],
)
def test_a_malformed_at_is_refused(db: Path, command: list[str], at: str) -> None:
    line = one_line_error([*command, "--at", at, "--db", f"sqlite:///{db}"])
    assert line.startswith(f"error: --at {at!r} is not a date")


def test_profiles_export_to_a_directory_is_refused_before_any_work(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "exports"
    target.mkdir()
    line = one_line_error(["profiles", "export", "--out", str(target), "--db", f"sqlite:///{db}"])
    assert f"--out {target} is a directory: name a file" in line
    assert list(target.iterdir()) == [] and not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sslmode=require", "cannot open database"),  # understood, and then no server on that port
        ("sslmode=sometimes", "sslmode 'sometimes' is not one of disable, allow, prefer, require"),
        ("sslcert=x.pem", "unsupported PostgreSQL URL parameter sslcert"),
    ],
)
def test_postgresql_url_parameters(db: Path, query: str, message: str) -> None:
    line = one_line_error(["db", "stats", "--db", f"postgresql://nobody@127.0.0.1:1/none?{query}"])
    assert message in line


def test_an_unknown_encoding_is_refused_writing_nothing(db: Path, tmp_path: Path) -> None:
    source = tmp_path / "t.csv"
    source.write_text(f"{HEADER}\nO1,M1,S1,1,2.50,2026-01-01\n")
    line = one_line_error(
        [
            "import",
            "transactions",
            str(source),
            "--map",
            TRANSACTIONS_MAP,
            "--encoding",
            "klingon",
            "--db",
            f"sqlite:///{db}",
        ]
    )
    assert "unknown --encoding 'klingon'" in line
    assert rows(db, "orders") == 0 and not list(tmp_path.glob("*.rejects.csv"))


def test_csv_rows_the_schema_cannot_hold_are_rejected_one_by_one(db: Path, tmp_path: Path) -> None:
    source = tmp_path / "t.csv"
    source.write_text(
        "\n".join(
            [
                HEADER,
                "O1,M1,S1,99999999999999999999999,2.50,2026-01-01",  # a quantity past any integer column
                "O2,M1,S1,1,inf,2026-01-01",
                "O3,M1,S1,1,1e300,2026-01-01",
                f"O4,{'x' * 500},S1,1,2.50,2026-01-01",
                "O5,M\x001,S1,1,2.50,2026-01-01",
                "O6,M1,S1,2,2.50,2026-01-01",  # the one good row
            ]
        )
        + "\n"
    )
    result = CliRunner().invoke(
        app, ["import", "transactions", str(source), "--map", TRANSACTIONS_MAP, "--db", f"sqlite:///{db}"]
    )
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT external_id FROM orders").fetchall() == [("O6",)]
        assert conn.execute("SELECT quantity, unit_price FROM order_lines").fetchall() == [(2, 2.5)]
    rejects = (tmp_path / "t.csv.rejects.csv").read_text()
    for reason in (
        "quantity beyond ±1,000,000",
        "unit_price not a number",
        "unit_price above 1,000,000,000",
        "customer_id longer than 64 characters",
        "customer_id contains control characters",
    ):
        assert reason in rejects


def test_a_short_mcp_token_is_refused(db: Path) -> None:
    line = one_line_error(
        ["mcp", "serve", "rules", "--http", "--db", f"sqlite:///{db}"],
        env={"LOYALTY_MCP_HTTP_TOKEN": "short"},
    )
    assert "needs a bearer token of 16+ characters" in line and "(5 given)" in line


def test_a_short_events_token_is_refused(db: Path) -> None:
    line = one_line_error(
        ["events", "serve", "--db", f"sqlite:///{db}"], env={"LOYALTY_EVENTS_TOKEN": "short"}
    )
    assert "needs a token of 16+ characters" in line


# Text as a person might type it: anything printable, plus the odd control character; no lone
# surrogates (a terminal cannot send them). `=` joins an option to its value so a value that
# starts with "-" is still a value.
typed = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(member=typed, as_of=typed)
def test_any_member_and_date_get_one_line(db: Path, member: str, as_of: str) -> None:
    result = CliRunner().invoke(app, ["profile", f"--as-of={as_of}", f"--db=sqlite:///{db}", "--", member])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    # the database has no members: every call is refused, in one line, as the user's mistake
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), result.output
