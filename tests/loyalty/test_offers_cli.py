"""`loyalty offers load`: the shipped example loads, again changes nothing, an edit updates by
code; a bad file is one line, a non-zero exit and nothing written."""

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loyalty.cli.app import app
from loyalty.settings import PACKAGE_ROOT

EXAMPLE = PACKAGE_ROOT / "docs" / "examples" / "offers.toml"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "o.db"
    assert CliRunner().invoke(app, ["db", "init", "--db", f"sqlite:///{path}"]).exit_code == 0
    return path


def _load(db: Path, file: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["--log-level", "warning", "offers", "load", str(file), "--db", f"sqlite:///{db}"]
    )
    return result.exit_code, result.output


def _offers(db: Path) -> dict[str, tuple[str, float | None, int]]:
    with sqlite3.connect(db) as conn:
        return {
            code: (kind, pct, active)
            for code, kind, pct, active in conn.execute(
                "SELECT code, type, discount_pct, active FROM offer_templates"
            )
        }


def test_the_example_loads_once_and_edits_update_by_code(db: Path, tmp_path: Path) -> None:
    assert _load(db, EXAMPLE) == (0, "offers from offers.toml: 7 added, 0 updated, 0 unchanged, 0 rejected\n")
    assert _load(db, EXAMPLE)[1].startswith("offers from offers.toml: 0 added, 0 updated, 7 unchanged")
    edited = tmp_path / "edited.toml"
    edited.write_text(
        EXAMPLE.read_text().replace("discount_pct = 20", "discount_pct = 25")
        + '\n[[offers]]\ncode = "GIFT"\ntype = "gift"\ndescription = "A gift"\nactive = false\n'
    )
    assert _load(db, edited)[1].startswith("offers from edited.toml: 1 added, 1 updated, 6 unchanged")
    assert _offers(db)["PCT20"] == ("percent_off", 25.0, 1) and _offers(db)["GIFT"] == ("gift", None, 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[offers]]\ncode = "X"\ntype = "percent_off"\ndescription = "x"\n',
            "a percent_off offer needs discount_pct",
        ),
        (
            '[[offers]]\ncode = "X"\ntype = "amount_off"\ndescription = "x"\namount_off = -5\n',
            "greater than 0",
        ),
        ('[[offers]]\ncode = "X"\ntype = "coupon"\ndescription = "x"\n', "offers.1.type: Input should be"),
        (
            '[[offers]]\ncode = "X"\ntype = "none"\ndescription = "x"\n[[offers]]\ncode = "X"\ntype = "none"\n'
            'description = "y"\n',
            "codes appear more than once: X",
        ),
        ('[[offers]\ncode = "X"', "is not valid TOML"),
    ],
)
def test_a_bad_file_is_one_line_and_writes_nothing(db: Path, tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[offers]]\ncode = "OK"\ntype = "none"\ndescription = "fine"\n\n' + text
        if text.startswith("[[offers]]\n")
        else text
    )
    code, out = _load(db, bad)
    assert code == 2 and message in out and out.startswith("error:") and len(out.strip().splitlines()) == 1
    assert _offers(db) == {}
