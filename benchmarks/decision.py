"""Decision benchmark: one trigger → orchestrator → specialist → guard → channels, in process.

    python -P benchmarks/decision.py --customers 50000 --decisions 200 --world /tmp/bench-50k.db
    python -P benchmarks/decision.py --customers 2000 --decisions 100 --world /tmp/bench-2k.db --model mock-claude

Seeds a world (or reuses `--db`), fits the profile models once, then decides `--decisions`
triggers (reactivation and upsell, alternating) with in-memory MCP. Profiles (`--profiles`):

- `framed` (default): as `loyalty worker` runs, with a whole-base frame kept fresh beside (built
  here before the timed decisions, the clock then five minutes on), so each decision reads its
  member's row after one statement finds nothing of theirs dated since. A trigger fires an hour or
  more after the member's last activity, by when a served worker's catch-up has framed it;
- `live`: no frame, so each decision computes its member's profile from the records.

The response fitted from the contact history and the learned factors are refitted before the
timed decisions, as `loyalty worker` refits them between decisions (`warm_scoring`).

SQLite statements run on the event loop's thread, as in `loyalty worker` deciding one trigger at a
time on the local model (see `tools.storage.sqlite_driver`); `--threaded` runs each on its
connection's thread instead, as a server answering concurrent requests does.

Prints latency percentiles for every decision and for those that ended in an approved send, and
per decision: model calls, MCP tool calls and agent-side tool calls (delegation, guard review) of
every agent — the guard's run included — counted from the decision log, and the SQL statements
executed. The CPU column is the process's CPU time per decision (all threads): on a shared
machine it shows the work a decision costs when wall-clock latency is inflated by other processes.

With `--world FILE` the seeded SQLite world is kept in FILE (seeded on the first run, its fitted
models beside it) and every run decides on a fresh copy of it, so runs start from the same state
(earlier runs' sends would otherwise hit contact caps and budgets). Decisions are made at 09:00 on
the world's last day, read from the world's stamp (a world seeded elsewhere may end on another
day than the default population's), or on `--day`: the morning after the data ends, say, to use
models `loyalty models fit` saved as of that day instead of fitting them again.

`--profile FILE` saves a cProfile of the timed decisions, timed in process CPU time so that other
processes on a shared machine do not show up in it (read it with `python -m pstats FILE`).

`--record FILE` writes every decision as one JSON line — the member, the trigger, the outcome,
and the contact queued with its proposal (channel, offer, send time, value) — without the ids
that differ from run to run, so two runs on the same world can be compared with `diff`: a change
made for speed must leave the file unchanged.

`--model mock-claude` runs the Claude adapter (the real SDK client) against a mock Messages API
whose answers come from the local policies, so the conversation is the local model's, turn for
turn, and only the accounting is Claude's. The mock reports usage the way the API does (see
`MockMessagesAPI`); the benchmark then prints the share of input tokens read from the prompt cache.
"""

import argparse
import asyncio
import cProfile
import hashlib
import json
import math
import shutil
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import numpy as np
from anthropic import AsyncAnthropic
from pydantic import JsonValue
from rich.console import Console
from rich.table import Table
from sqlalchemy import event, func, select

from agents.decision_log import DecisionLog, StepKind
from agents.guard.agent import GUARD_ROLE
from agents.guard.prompt import GUARD_SYSTEM_PROMPT
from agents.messages import (
    AssistantText,
    Message,
    ModelResponse,
    ToolCall,
    ToolResult,
    Usage,
    UserMessage,
    UserText,
)
from agents.models.base import ModelRequest
from agents.models.claude import ClaudeConfig, ClaudeModel
from agents.models.local import LocalModel
from agents.models.pricing import CLAUDE_PRICES
from agents.reading import json_object_in
from agents.team import Team, local_model
from loyalty.logs import configure_logging
from loyalty.runtime.service import warm_scoring
from loyalty.settings import PACKAGE_ROOT, load_settings
from loyalty.wiring import open_agents, open_product
from tools.decisions.log import SqlDecisionLog
from tools.progress import Silent
from tools.storage.db import Database, database
from tools.storage.models import Contact, Proposal
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import seed_world
from tools.world.stamp import read_world_info

# Assumptions of the mock API's accounting (no tokenizer offline): about 4 characters of JSON or
# English per token; the smallest cacheable prefix is 1,024 tokens for Sonnet and 4,096 for Haiku 4.5;
# cache entries live 5 minutes (longer than a run).
CHARS_PER_TOKEN = 4
MIN_CACHEABLE = {"claude-sonnet-4-6": 1024, "claude-haiku-4-5": 4096}
ROLE_MODELS = {"orchestrator": "claude-sonnet-4-6", "guard": "claude-sonnet-4-6"}
SPECIALIST_MODEL = "claude-haiku-4-5"


class CountingLog:
    """The product's decision log, counting each trace's model requests and tool calls on the way."""

    def __init__(self, inner: DecisionLog) -> None:
        self._inner = inner
        self.counts: dict[str, Counter[str]] = {}

    async def record(
        self, trace_id: str, agent: str, step: int, kind: StepKind, payload: Mapping[str, JsonValue]
    ) -> None:
        counts = self.counts.setdefault(trace_id, Counter())
        if kind is StepKind.MODEL_REQUEST:
            counts["model"] += 1
        elif kind is StepKind.TOOL_CALL:
            counts["mcp" if "__" in str(payload["name"]) else "agent_tools"] += 1
        await self._inner.record(trace_id, agent, step, kind, payload)


def _tokens(value: Any) -> int:
    return math.ceil(len(json.dumps(value, separators=(",", ":"))) / CHARS_PER_TOKEN)


@dataclass
class MockMessagesAPI:
    """A Messages API answering with the local policies and accounting like Claude's prompt cache.

    The role is recognised by the system prompt. Usage: the request is rendered tools → system →
    messages; every block carrying `cache_control` ends a cacheable prefix. The longest prefix
    already cached (same model, same content), ending at any block boundary up to the last
    breakpoint, is read from the cache; the prefix up to the last breakpoint, if at least the
    model's minimum, is written beyond what was read; the rest is plain input. (The API's 20-block
    look-back is not modelled: no conversation here is that long.) Cost is priced per model with
    `CLAUDE_PRICES`.
    """

    local: LocalModel
    roles: dict[str, str]  # system prompt → role
    cached: set[str] = field(default_factory=set)
    usage: Counter[str] = field(default_factory=Counter)
    cost_usd: float = 0.0
    by_role: dict[str, Counter[str]] = field(default_factory=dict)

    async def handler(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        role = self.roles[body["system"][0]["text"]]
        messages = _from_wire(body["messages"])
        response = await self.local.request(
            ModelRequest(role=role, system_prompt=body["system"][0]["text"], messages=messages)
        )
        content = [
            {"type": "text", "text": p.text}
            if isinstance(p, AssistantText)
            else {"type": "tool_use", "id": p.id, "name": p.name, "input": p.arguments}
            for p in response.parts
        ]
        read, write, total = self._account(body)
        usage = {
            "input_tokens": total - read - write,
            "output_tokens": _tokens(content),
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": write,
        }
        self.usage.update({**usage, "requests": 1})
        self.by_role.setdefault(role if role in ROLE_MODELS else "specialist", Counter()).update(
            {**usage, "requests": 1}
        )
        self.cost_usd += CLAUDE_PRICES[body["model"]].cost(
            Usage(
                input_tokens=usage["input_tokens"],
                output_tokens=usage["output_tokens"],
                cache_read_tokens=read,
                cache_write_tokens=write,
            )
        )
        return httpx2.Response(
            200,
            json={
                "id": f"msg_{uuid.uuid4().hex[:12]}",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "stop_reason": response.stop_reason,
                "content": content,
                "usage": usage,
            },
        )

    def _account(self, body: dict[str, Any]) -> tuple[int, int, int]:
        blocks = [
            *body.get("tools", []),
            *body.get("system", []),
            *(
                block
                for m in body["messages"]
                for block in (
                    m["content"]
                    if isinstance(m["content"], list)
                    else [{"type": "text", "text": m["content"]}]
                )
            ),
        ]
        # A prefix is identified by the model and its content; the markers themselves are not content.
        digest = hashlib.sha256(body["model"].encode())
        ends: list[tuple[int, str]] = []  # (tokens so far, prefix key) at every block boundary
        marks: list[int] = []  # indexes of the blocks carrying a breakpoint
        for index, block in enumerate(blocks):
            bare = {k: v for k, v in block.items() if k != "cache_control"}
            digest.update(json.dumps(bare, sort_keys=True).encode())
            ends.append(((ends[-1][0] if ends else 0) + _tokens(bare), digest.copy().hexdigest()))
            if "cache_control" in block:
                marks.append(index)
        total = ends[-1][0] if ends else 0
        if not marks:
            return 0, 0, total
        # The API looks for a cached prefix at every block boundary up to the last breakpoint.
        read = max((n for n, key in ends[: marks[-1] + 1] if key in self.cached), default=0)
        minimum = MIN_CACHEABLE.get(body["model"], 1024)
        written = [ends[i] for i in marks if ends[i][0] >= minimum]
        self.cached.update(key for _, key in written)
        write = max(written[-1][0] - read, 0) if written else 0
        return read, write, total


def _from_wire(params: list[dict[str, Any]]) -> tuple[Message, ...]:
    """Messages-API messages back into our neutral ones (tool results named by their tool_use)."""
    names: dict[str, str] = {}
    messages: list[Message] = []
    for param in params:
        blocks = (
            param["content"]
            if isinstance(param["content"], list)
            else [{"type": "text", "text": param["content"]}]
        )
        if param["role"] == "assistant":
            parts: list[AssistantText | ToolCall] = []
            for block in blocks:
                if block["type"] == "tool_use":
                    names[block["id"]] = block["name"]
                    parts.append(ToolCall(block["id"], block["name"], block["input"]))
                else:
                    parts.append(AssistantText(block["text"]))
            messages.append(ModelResponse(parts=tuple(parts), model_name="claude"))
            continue
        user: list[UserText | ToolResult] = []
        for block in blocks:
            if block["type"] == "tool_result":
                text = "".join(c["text"] for c in block["content"])
                try:
                    result: JsonValue = json.loads(text)
                except json.JSONDecodeError:
                    result = text
                user.append(
                    ToolResult(
                        block["tool_use_id"],
                        names[block["tool_use_id"]],
                        result,
                        is_error=block.get("is_error", False),
                    )
                )
            else:
                user.append(UserText(block["text"]))
        messages.append(UserMessage(parts=tuple(user)))
    return tuple(messages)


async def _last_day(db_url: str) -> date | None:
    db = database(db_url)
    try:
        info = await read_world_info(db)
    finally:
        await db.dispose()
    return None if info is None else info.last_day


async def _newest_contact(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.max(Contact.id))) or 0)


# What differs between two runs of the same decisions: fresh ids, and the time the run took place.
RUN_KEYS = frozenset({"proposal_id", "trace_id", "approval_id", "idempotency_key", "id", "created_at"})


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in sorted(value.items()) if k not in RUN_KEYS}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


async def _record(
    db: Database, watermark: int, outputs: list[tuple[int, str, dict[str, Any]]], path: Path
) -> None:
    """Each decision with the contact it queued (if any), in the order decided."""
    async with db.session() as session:
        rows = (
            await session.execute(
                select(Contact, Proposal.content)
                .outerjoin(Proposal, Proposal.id == Contact.proposal_id)
                .where(Contact.id > watermark)
                .order_by(Contact.id)
            )
        ).all()
    queued: dict[int, list[dict[str, Any]]] = {}
    for contact, content in rows:
        queued.setdefault(contact.customer_id, []).append(
            {
                "channel": contact.channel,
                "use_case": contact.use_case,
                "offer_code": contact.offer_code,
                "scheduled_at": contact.scheduled_at.isoformat(),
                "subject": contact.subject,
                "body": contact.body,
                "status": contact.status,
                "proposal": _stable(content),
            }
        )
    with path.open("w") as out:
        for member, use_case, output in outputs:
            line = {"member": member, "use_case": use_case, "output": _stable(output)}
            out.write(json.dumps(line | {"contacts": queued.get(member, [])}, sort_keys=True) + "\n")


def _roles(team: Team) -> dict[str, str]:
    agents = [team.orchestrator, *team.specialists.values()]
    return {**{agent.system_prompt: agent.name for agent in agents}, GUARD_SYSTEM_PROMPT: GUARD_ROLE}


async def main(
    customers: int,
    decisions: int,
    db_url: str | None,
    world: Path | None,
    model_name: str,
    profiles: str = "framed",
    threaded: bool = False,
    record: Path | None = None,
    day: date | None = None,
    profile: Path | None = None,
) -> None:
    population = load_population(PACKAGE_ROOT / "tools" / "world" / "default_population.toml")
    models_dir = None
    scratch = None  # the copy of a kept world this run decides on, removed after the run
    if db_url is None:
        folder = Path(tempfile.mkdtemp(prefix="bench-decision-"))
        template = world or folder / "bench.db"
        if not template.exists():
            request = WorldRequest(population, customers, 7, 12, population.world.end_date)
            await seed_world(
                f"sqlite+aiosqlite:///{template}",
                template.with_suffix(".truth"),
                request,
                population_name="default",
                reset=True,
                progress=Silent(),
            )
        if world is not None:
            shutil.copyfile(template, folder / "bench.db")
            models_dir, scratch = template.with_suffix(".models"), folder
        db_url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    end = day or await _last_day(db_url) or population.world.end_date
    now = datetime(end.year, end.month, end.day, 9, tzinfo=UTC)
    local = local_model()
    api = MockMessagesAPI(local, {})
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler))
    model = (
        local
        if model_name == "local"
        else ClaudeModel(
            AsyncAnthropic(api_key="mock", http_client=http),
            config=ClaudeConfig(
                model_by_role={
                    **ROLE_MODELS,
                    **dict.fromkeys(
                        ("reactivation", "cart_abandonment", "upsell", "competitive_response"),
                        SPECIALIST_MODEL,
                    ),
                }
            ),
        )
    )
    statements = Counter[str]()
    clock = [now]
    async with (
        http,
        open_product(
            load_settings(db_url=db_url, models_dir=models_dir),
            clock=lambda: clock[0],
            sqlite_inline=not threaded,
        ) as product,
    ):
        started = time.perf_counter()
        await product.profiles.models(now.replace(tzinfo=None))
        fit_seconds = time.perf_counter() - started

        @event.listens_for(product.db.engine.sync_engine, "before_cursor_execute")
        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements["sql"] += 1

        log = CountingLog(SqlDecisionLog(product.db))
        async with open_agents(product, model, log) as team:
            api.roles.update(_roles(team))
            members = np.random.default_rng(3).choice(
                np.arange(1, customers + 1), size=decisions, replace=False
            )
            frame_seconds = None
            if profiles == "framed":
                started = time.perf_counter()
                await product.profiles.frame(
                    now
                )  # as `loyalty worker` keeps one: built on start, rebuilt as it ages
                frame_seconds = time.perf_counter() - started
                clock[0] = now + timedelta(minutes=5)
            started = time.perf_counter()
            await warm_scoring(product)  # as `loyalty worker` refits them, between decisions
            warm_seconds = time.perf_counter() - started
            profiler = cProfile.Profile(time.process_time) if profile is not None else None
            rows = []
            outputs: list[tuple[int, str, dict[str, Any]]] = []
            watermark = await _newest_contact(product.db)
            for i, member in enumerate(members.tolist()):
                use_case = "reactivation" if i % 2 == 0 else "upsell"
                product.profiles.forget(member)
                trace_id, sql_before = uuid.uuid4().hex, statements["sql"]
                t, cpu = time.perf_counter(), time.process_time()
                if profiler is not None:
                    profiler.enable()
                result = await team.handle(
                    json.dumps({"customer_id": member, "use_case": use_case}), trace_id=trace_id
                )
                if profiler is not None:
                    profiler.disable()
                seconds, cpu_seconds = time.perf_counter() - t, time.process_time() - cpu
                counts = log.counts.pop(trace_id)
                # An answer that is not JSON (a run cut short) is recorded as it came.
                answer = json_object_in(result.output) or {"unreadable": result.output[:200]}
                if not result.completed:
                    answer = {"termination": result.termination.value, **answer}
                outputs.append((member, use_case, answer))
                rows.append(
                    (
                        seconds,
                        answer.get("decision", result.termination.value),
                        counts["model"],
                        counts["mcp"],
                        counts["agent_tools"],
                        statements["sql"] - sql_before,
                        cpu_seconds,
                    )
                )
        if profiler is not None and profile is not None:
            profiler.dump_stats(profile)
        if record is not None:
            await _record(product.db, watermark, outputs, record)
    if scratch is not None:
        shutil.rmtree(scratch)
    label = "local model" if model_name == "local" else "Claude adapter on a mock API"
    how = ("profiles from a fresh whole-base frame" if profiles == "framed" else "profiles computed live") + (
        ", SQLite on threads" if threaded else ""
    )
    table = Table(title=f"{decisions} decisions on {customers:,} members ({label}, in-memory MCP, {how})")
    for column in (
        "decisions",
        "n",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "CPU p50 ms",
        "model calls",
        "MCP calls",
        "agent tool calls",
        "SQL statements",
    ):
        table.add_column(column, justify="right")
    for name, subset in (("all", rows), ("sent", [r for r in rows if r[1] == "sent"])):
        if not subset:
            continue
        latency = np.array([r[0] for r in subset]) * 1000
        table.add_row(
            name,
            str(len(subset)),
            *(f"{np.percentile(latency, q):.0f}" for q in (50, 90, 99)),
            f"{np.percentile([r[6] for r in subset], 50) * 1000:.0f}",
            *(f"{np.mean([r[k] for r in subset]):.1f}" for k in (2, 3, 4, 5)),
        )
    console = Console(width=150)
    console.print(table)
    framed = "" if frame_seconds is None else f"whole-base frame: {frame_seconds:.1f} s (not timed above); "
    console.print(
        f"model fit: {fit_seconds:.1f} s; {framed}response fit: {warm_seconds:.1f} s (not timed); outcomes: "
        + ", ".join(f"{k} {sum(1 for r in rows if r[1] == k)}" for k in sorted({r[1] for r in rows}))
    )
    if model_name != "local":
        u = api.usage
        total = u["input_tokens"] + u["cache_read_input_tokens"] + u["cache_creation_input_tokens"]
        console.print(
            f"mock Claude: {u['requests'] / decisions:.1f} model calls per decision; input tokens per "
            f"decision {total / decisions:,.0f} (read from cache {u['cache_read_input_tokens'] / decisions:,.0f}, "
            f"written {u['cache_creation_input_tokens'] / decisions:,.0f}, uncached "
            f"{u['input_tokens'] / decisions:,.0f}); cache share "
            f"{u['cache_read_input_tokens'] / max(total, 1):.1%} of input tokens; "
            f"${api.cost_usd / decisions:.4f} per decision at list prices"
        )
        for role, r in sorted(api.by_role.items()):
            seen = r["input_tokens"] + r["cache_read_input_tokens"] + r["cache_creation_input_tokens"]
            console.print(
                f"  {role}: {r['requests'] / decisions:.1f} calls, {seen / max(r['requests'], 1):,.0f} input "
                f"tokens per call, {r['cache_read_input_tokens'] / max(seen, 1):.1%} read from cache"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--db", default=None, help="an already seeded database, decided on in place")
    parser.add_argument(
        "--world",
        type=Path,
        default=None,
        help="a SQLite file kept between runs: seeded if missing, each run works on a copy",
    )
    parser.add_argument("--model", choices=("local", "mock-claude"), default="local")
    parser.add_argument(
        "--profiles",
        choices=("framed", "live"),
        default="framed",
        help="read from a fresh whole-base frame (as `loyalty worker` does) or computed live",
    )
    parser.add_argument(
        "--threaded",
        action="store_true",
        help="SQLite statements on their connection's thread, as a server runs them (default: "
        "on the event loop's thread, as `loyalty worker` deciding one at a time does)",
    )
    parser.add_argument(
        "--record", type=Path, default=None, help="write every decision as a JSON line (see above)"
    )
    parser.add_argument(
        "--day", type=date.fromisoformat, default=None, help="decide at 09:00 UTC that day (YYYY-MM-DD)"
    )
    parser.add_argument("--profile", type=Path, default=None, help="save a cProfile of the timed decisions")
    args = parser.parse_args()
    configure_logging("warning", "json")
    asyncio.run(
        main(
            args.customers,
            args.decisions,
            args.db,
            args.world,
            args.model,
            args.profiles,
            args.threaded,
            args.record,
            args.day,
            args.profile,
        )
    )
