"""`loyalty chat` and `loyalty campaign plan` from the command line, on the seeded world."""

import asyncio
import json

import pytest
from typer.testing import CliRunner

from loyalty.cli.app import app
from tests.mcp_servers.seeded_world import SeededWorld
from tools.storage.db import database
from tools.storage.models import Contact


@pytest.fixture
def invoke(world: SeededWorld):
    # No key: the local model answers, whatever the machine's environment holds.
    env = {
        "ANTHROPIC_API_KEY": None,
        "LOYALTY_MODELS_DIR": str(world.models_dir),
        "LOYALTY_LOG_LEVEL": "warning",
    }
    common = ["--db", world.url, "--at", world.now.isoformat()]

    def run(*args: str, stdin: str | None = None):
        return CliRunner().invoke(app, [*args, *common], env=env, input=stdin)

    return run


def test_chat_once_json_parses(invoke) -> None:
    result = invoke("chat", "--once", "segment dormant_recoverable", "--json")
    assert result.exit_code == 0, result.output
    reply = json.loads(result.stdout)
    assert reply["ok"] and reply["operation"] == "show_segment"
    assert reply["result"]["summary"]["id"] == "dormant_recoverable"


def test_chat_once_refuses_what_it_cannot_do(invoke) -> None:
    result = invoke("chat", "--once", "fly me to the moon", "--json")
    assert result.exit_code == 1
    reply = json.loads(result.stdout)
    assert (
        not reply["ok"]
        and reply["text"].startswith("I can't do that")
        and "segment <segment id>" in reply["text"]
    )


def test_chat_once_plain(invoke) -> None:
    result = invoke("chat", "--once", "help")
    assert result.exit_code == 0 and "plan <use case> for <segment> budget <amount>" in result.stdout


def test_interactive_chat_reads_requests_until_exit(invoke) -> None:
    result = invoke("chat", stdin="segment at_risk\nplease dance\nexit\n")
    assert result.exit_code == 0, result.output
    assert "segment at_risk" in result.stdout and "I can't do that" in result.stdout


def test_campaign_plan_previews_then_executes_with_yes(invoke) -> None:
    result = invoke(
        "campaign",
        "plan",
        "--use-case",
        "reactivation",
        "--segment",
        "dormant_recoverable",
        "--budget",
        "500",
        "--limit",
        "8",
        "--yes",
    )
    assert result.exit_code == 0, result.output
    assert "expected incremental margin" in result.stdout and "sample messages" in result.stdout
    assert "executed" in result.stdout and "queued for delivery" in result.stdout


def test_campaign_plan_without_yes_does_not_execute_when_nobody_can_answer(invoke) -> None:
    result = invoke("campaign", "plan", "--use-case", "upsell", "--segment", "all", "--budget", "100")
    assert result.exit_code == 0, result.output
    assert "Not executed. Pass --yes to execute." in result.stdout
    assert "queued for delivery" not in result.stdout


def test_campaign_plan_reports_a_bad_request_in_one_line(invoke) -> None:
    result = invoke(
        "campaign", "plan", "--use-case", "cart_abandonment", "--segment", "all", "--budget", "100"
    )
    assert result.exit_code == 2
    assert "decided per trigger" in result.output


async def add_dead_letter(world: SeededWorld) -> int:
    db = database(world.url)
    try:
        async with db.session() as session, session.begin():
            letter = Contact(
                idempotency_key="test:dead",
                customer_id=3,
                channel="push",
                use_case="upsell",
                status="dead_letter",
                attempts=4,
                last_error="push failed after 4 attempt(s): no device",
                scheduled_at=world.now.replace(tzinfo=None),
            )
            session.add(letter)
            await session.flush()
            return letter.id
    finally:
        await db.dispose()


def test_dead_letters_show_in_the_cli_and_in_chat(invoke, world: SeededWorld) -> None:
    contact_id = asyncio.run(add_dead_letter(world))
    listed = CliRunner().invoke(app, ["outbox", "dead-letters", "--db", world.url], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert str(contact_id) in listed.output and "no device" in listed.output
    chatted = invoke("chat", "--once", "dead letters", "--json")
    assert chatted.exit_code == 0, chatted.output
    reply = json.loads(chatted.stdout)
    assert reply["ok"] and reply["operation"] == "dead_letters"
    assert [(i["contact_id"], i["reason"]) for i in reply["result"]["items"]] == [
        (contact_id, "push failed after 4 attempt(s): no device")
    ]
