"""The rules and channels servers through a real MCP client: checks, verdicts, and the only door
to a member."""

import json
from datetime import timedelta

from mcp import Client

from mcp_servers.channels.server import build as build_channels
from mcp_servers.rules.server import build as build_rules
from policies.vocabulary import Channel
from tests.mcp_servers.harness import GUARD_CREDENTIAL, deps_for
from tests.tools.proposals import NOW, add_member, proposal
from tools.decisions.approvals import pending_reviews
from tools.storage.db import Database


def args(p) -> dict:
    return json.loads(p.model_dump_json())


async def approve(rules: Client, p) -> dict:
    result = await rules.call_tool(
        "record_guard_verdict",
        {
            "proposal": args(p),
            "verdict": "approve",
            "reasons": ["fits the member"],
            "guard_credential": GUARD_CREDENTIAL,
        },
    )
    assert not result.is_error, result.content
    return result.structured_content


async def test_policy_is_listed_with_every_rule(sqlite_db: Database) -> None:
    async with Client(build_rules(deps_for(sqlite_db))) as rules:
        summary = (await rules.call_tool("get_policy", {})).structured_content
        ids = {r["rule_id"] for r in summary["rules"]}
        assert {"consent.channel", "frequency.channel_weekly", "sms.length", "data.freshness"} <= ids
        text = (await rules.read_resource("policy://current")).contents[0].text
        assert json.loads(text)["version"] == summary["version"]


async def test_check_reports_every_violation_with_a_fix(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    async with Client(build_rules(deps_for(sqlite_db))) as rules:
        ok = (await rules.call_tool("check_proposal", {"proposal": args(proposal())})).structured_content
        assert ok["passed"], ok["violations"]
        bad = proposal(
            channel=Channel.SMS,
            discount=60,
            cost=90,
            body="Come back! 60% off everything this week only, don't miss out on the sale!!",
        )
        report = (await rules.call_tool("check_proposal", {"proposal": args(bad)})).structured_content
        broken = {v["rule_id"] for v in report["violations"]}
        assert "sms.opt_out_text" in broken and "max_discount.segment" in broken
        assert all(v["message"] for v in report["violations"])


async def test_approved_proposal_is_sent_once(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    deps = deps_for(sqlite_db)
    p = proposal()
    async with Client(build_rules(deps)) as rules, Client(build_channels(deps)) as channels:
        receipt = await approve(rules, p)
        assert receipt["approval_id"] and receipt["verdict"] == "approve"
        sent = await channels.call_tool(
            "send_approved_proposal", {"proposal": args(p), "approval_id": receipt["approval_id"]}
        )
        assert not sent.is_error and sent.structured_content["status"] == "queued"
        again = await channels.call_tool(
            "send_approved_proposal", {"proposal": args(p), "approval_id": receipt["approval_id"]}
        )
        assert again.is_error and "approval_used" in again.content[0].text
        outbox = (await channels.call_tool("outbox_status", {})).structured_content
        assert outbox == {"queued": 1}


async def test_send_refusals(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    p = proposal()
    async with Client(build_rules(deps_for(sqlite_db))) as rules:
        approval = (await approve(rules, p))["approval_id"]
    cases = {
        "no_approval": (deps_for(sqlite_db), p, "forged-approval-id"),
        "content_changed": (deps_for(sqlite_db), proposal(discount=15), approval),
        "approval_expired": (deps_for(sqlite_db, NOW + timedelta(days=2)), p, approval),
    }
    for code, (deps, sent, approval_id) in cases.items():
        async with Client(build_channels(deps)) as channels:
            result = await channels.call_tool(
                "send_approved_proposal", {"proposal": args(sent), "approval_id": approval_id}
            )
            assert result.is_error and code in result.content[0].text, (code, result.content)


async def test_guard_cannot_approve_a_blocked_proposal(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    async with Client(build_rules(deps_for(sqlite_db))) as rules:
        result = await rules.call_tool(
            "record_guard_verdict",
            {
                "proposal": args(proposal(discount=60, cost=90)),
                "verdict": "approve",
                "reasons": ["looks fine"],
                "guard_credential": GUARD_CREDENTIAL,
            },
        )
        assert result.is_error and "max_discount" in result.content[0].text


async def test_caps_are_rechecked_at_send_time(sqlite_db: Database) -> None:
    # Two e-mails approved before either was sent: the weekly e-mail cap lets only one through.
    await add_member(sqlite_db)
    deps = deps_for(sqlite_db)
    first, second = proposal(), proposal(discount=5, cost=8)
    async with Client(build_rules(deps)) as rules, Client(build_channels(deps)) as channels:
        approvals = [(await approve(rules, p))["approval_id"] for p in (first, second)]
        ok = await channels.call_tool(
            "send_approved_proposal", {"proposal": args(first), "approval_id": approvals[0]}
        )
        assert not ok.is_error
        capped = await channels.call_tool(
            "send_approved_proposal", {"proposal": args(second), "approval_id": approvals[1]}
        )
        assert capped.is_error and "frequency" in capped.content[0].text


async def test_contact_status_and_outcomes(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    deps = deps_for(sqlite_db)
    p = proposal()
    async with Client(build_rules(deps)) as rules, Client(build_channels(deps)) as channels:
        approval = (await approve(rules, p))["approval_id"]
        contact = (
            await channels.call_tool("send_approved_proposal", {"proposal": args(p), "approval_id": approval})
        ).structured_content
        status = (await channels.call_tool("contact_status", {"customer_id": 1})).structured_content
        email = next(c for c in status["channels"] if c["channel"] == "email")
        assert email["consented"] and email["sent_last_7_days"] == 1 and email["remaining_this_week"] == 0
        sms = next(c for c in status["channels"] if c["channel"] == "sms")
        assert sms["send_window_local"] == "08:00-21:00"
        for _ in range(2):
            recorded = await channels.call_tool(
                "record_outcome", {"contact_id": contact["contact_id"], "outcome": "unsubscribe"}
            )
        assert recorded.structured_content == {"recorded": False}  # the second is a duplicate
        status = (await channels.call_tool("contact_status", {"customer_id": 1})).structured_content
        email = next(c for c in status["channels"] if c["channel"] == "email")
        assert not email["consented"] and email["opted_out_at"]
        history = (await channels.call_tool("contact_history", {"customer_id": 1})).structured_content
        assert history["contacts"][0]["outcomes"] == ["unsubscribe"]


async def test_bad_arguments_are_tool_errors(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    async with Client(build_channels(deps_for(sqlite_db))) as channels:
        for name, arguments in [
            ("contact_status", {"customer_id": 999}),
            ("contact_status", {"customer_id": "1; DROP TABLE customers"}),
            ("contact_history", {"customer_id": 1, "limit": 10_000}),
            ("send_approved_proposal", {"proposal": {"customer_id": 1}, "approval_id": "x" * 10}),
            (
                "send_approved_proposal",
                {"proposal": args(proposal()) | {"rationale": "x" * 100_000}, "approval_id": "y" * 10},
            ),
        ]:
            result = await channels.call_tool(name, arguments)
            assert result.is_error, name
            assert "Traceback" not in result.content[0].text
        assert not (await channels.call_tool("contact_status", {"customer_id": 1})).is_error


async def test_guard_can_flag_a_proposal_for_human_review(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    deps = deps_for(sqlite_db)
    async with Client(build_rules(deps)) as rules:
        result = await rules.call_tool(
            "record_guard_verdict",
            {
                "proposal": args(proposal()),
                "verdict": "approve",
                "reasons": ["fits the member"],
                "flag_for_review": "first offer to a member who complained last year",
                "guard_credential": GUARD_CREDENTIAL,
            },
        )
        receipt = result.structured_content
    assert receipt["approval_id"] is None and receipt["review_id"] is not None
    queued = await pending_reviews(sqlite_db)
    assert [q["review_id"] for q in queued] == [receipt["review_id"]]
    assert "flagged by the guard" in queued[0]["reason"]
