"""Usage by agent and model from the decision log: Claude's calls over a mock API, a fallback's, an
unknown model's (unpriced, never $0 silently), and `loyalty usage --since`."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest
from tenacity import stop_after_attempt, wait_none
from typer.testing import CliRunner

from agents.agent import Agent
from agents.loop import run_agent
from agents.models.claude import ClaudeConfig, ClaudeModel, RetryConfig
from agents.models.local import EchoPolicy, LocalModel
from loyalty.cli.app import app
from loyalty.cli.common import console
from tests.agents import fake_anthropic as fake
from tests.db_fixtures import fresh_database
from tools.decisions.log import SqlDecisionLog
from tools.reporting.model_usage import paid_tokens_since, usage_since
from tools.storage.db import Database

CONFIG = ClaudeConfig(retry=RetryConfig(stop=stop_after_attempt(1), wait=wait_none()))


async def log_some_runs(db: Database) -> None:
    api = fake.FakeMessagesAPI(
        [
            fake.message(fake.text("a"), input_tokens=100, output_tokens=10, cache_read=900),
            fake.message(fake.text("b"), model="claude-future-9", input_tokens=50, output_tokens=5),
            fake.error(529, "overloaded_error"),
        ]
    )
    log = SqlDecisionLog(db)
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http:
        model = ClaudeModel(
            api.client(http),
            config=CONFIG,
            fallback=LocalModel({"guard": EchoPolicy(), "upsell": EchoPolicy()}),
        )
        await run_agent(Agent("guard", "You audit.", model), "one", log=log)
        await run_agent(Agent("upsell", "You sell.", model), "two", log=log)
        await run_agent(Agent("guard", "You audit.", model), "three", log=log)


async def test_usage_by_agent_and_model(db: Database) -> None:
    await log_some_runs(db)
    rows = {(r.agent, r.model): r for r in await usage_since(db)}
    sonnet = rows[("guard", "claude-sonnet-4-6")]
    assert (sonnet.requests, sonnet.input_tokens, sonnet.cache_read_tokens) == (1, 100, 900)
    assert sonnet.cache_share == pytest.approx(0.9)
    assert sonnet.cost_usd == pytest.approx((100 * 3 + 10 * 15 + 900 * 0.3) / 1e6) and sonnet.unpriced == 0
    unknown = rows[("upsell", "claude-future-9")]
    assert unknown.unpriced == 1 and unknown.cost_usd == 0
    fallback = rows[("guard", "local")]
    assert fallback.degraded == 1 and fallback.input_tokens == 0
    assert await usage_since(db, datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)) == []
    # What a daily budget starts from: every model's tokens but the free local one's.
    assert await paid_tokens_since(db, datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)) == 1_065


def test_the_usage_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI's console measured its terminal when first imported (80 columns under xdist).
    monkeypatch.setattr(console, "width", 200)

    async def prepare() -> None:
        async with fresh_database("sqlite", tmp_path) as store:
            await log_some_runs(store)

    asyncio.run(prepare())
    url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    result = CliRunner().invoke(app, ["usage", "--since", "24h", "--db", url])
    assert result.exit_code == 0, result.output
    assert "claude-sonnet-4-6" in result.stdout and "90%" in result.stdout
    assert "(1 unpriced)" in result.stdout
    bad = CliRunner().invoke(app, ["usage", "--since", "yesterday", "--db", url])
    assert bad.exit_code == 2 and "--since 'yesterday'" in bad.output
