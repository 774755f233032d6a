"""Running policies over simulated days and scoring them on the true incremental effect.

For each seed one world is generated; every policy runs on its own copy of it, over the same days,
with the same organic behaviour replayed (so differences are the policy's doing). Each day:
replay the members' own orders and browsing → the policy acts (the agents through triggers, the
orchestrator, specialists, guard and channels server; baselines straight to the outbox) → messages
are delivered → members respond through the hidden response model → members use the offers they
hold on the day's own orders (`evals.simulation.own_orders`) → outcomes are recorded, which the
agents' profiles and scoring learn from the next day. Responses are drawn from one random stream
per message (`responses.message_streams`): the same for every policy that messages a member on a
channel that day, and untouched by the order in which decisions were taken.

Seeds are independent worlds: with `processes` above 1 they run in parallel worker processes (the
results are the same as run one after another; progress is then reported per finished seed).
"""

import asyncio
import multiprocessing
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, BaseModel, Field

from evals.simulation.baselines import Nothing, SimpleRules, WeeklyBlast, send_planned
from evals.simulation.decision_process import DecisionProcess
from evals.simulation.environment import SimWorld, build_world
from evals.simulation.expected import Valuer
from evals.simulation.flows import Flows
from evals.simulation.metrics import PolicyMetrics, summarise
from evals.simulation.moments import Moments, moments_at
from evals.simulation.oracle import Oracle
from evals.simulation.own_orders import Wallet, redeem_on_own_orders
from evals.simulation.responses import Ledger, ProductIndex, SentOffer, respond
from evals.simulation.sending import as_proposal, count_violations, sent_between
from loyalty.logs import configure_logging
from loyalty.runtime.worker import drain
from loyalty.settings import Settings
from loyalty.wiring import named_model, open_agents, open_product
from policies.loader import load_policy
from policies.model import Policy
from tools.delivery import ChannelSetup, build_adapters, deliver_due
from tools.nba import known_policy
from tools.profiles import open_profiles
from tools.rule_facts import ProfileFacts, SkuCost, facts_from_profile
from tools.storage import database
from tools.triggers import due_members, expected_from_profiles, run_due_triggers
from tools.world import load_population

AGENTS = "agents"
POLICIES = (AGENTS, "flows", "rules", "blast", "nothing", "oracle")
TICK_HOUR = 20  # UTC: the day's decisions are taken once its activity is in (early morning in Australia)


def _known_policy(name: str) -> str:
    agents, _, target = name.partition(":")
    if agents == AGENTS and target:
        known_policy(target)
    elif name not in POLICIES:
        raise ValueError(f"unknown policy {name!r}: one of {', '.join(POLICIES)}, or agents:TARGET")
    return name


class SimulationConfig(BaseModel):
    population: Path
    members: int = Field(2_000, ge=50, le=200_000)
    days: int = Field(14, ge=1, le=120)
    seeds: int = Field(1, ge=1, le=20)
    first_seed: int = 1
    history_months: int = Field(6, ge=2, le=24)
    # `POLICIES`, and `agents:TARGET`: the agents following a target policy of `loyalty eval
    # offline` (`tools.nba.served_by`: greedy, no_discount, email_only, ...) instead of their own
    # exploring one, so what it estimated from the log is also run for real.
    policies: tuple[Annotated[str, AfterValidator(_known_policy)], ...] = POLICIES
    # Concurrent decisions per process; by default one on the local model and four on Claude. The
    # local model is CPU-bound, so concurrency in one process only interleaves the work, and its
    # write transactions then queue on SQLite's lock: measured on 10,000 members, 3 days, 2
    # processes, 20 ms a decision with one worker each against 35 ms with four.
    workers: int | None = Field(None, ge=1, le=32)
    processes: int = Field(1, ge=1, le=32)  # seeds simulated at once, each in its own process
    # The agents' decisions of one world in one process, or two (the second core: see
    # `evals.simulation.decision_process`); which worker decides a member then varies run to run.
    decision_processes: int = Field(1, ge=1, le=2)
    model: Literal["local", "claude"] = "local"  # the agents' model (Claude needs ANTHROPIC_API_KEY)
    directory: Path | None = None  # keeps the databases when given (the demo shows its outbox)

    @property
    def decision_workers(self) -> int:
        return self.workers or (1 if self.model == "local" else 4)


@dataclass
class PolicyRun:
    policy: str
    seed: int
    ledger: Ledger
    members: int
    decisions: int = 0
    degraded: int = 0  # decisions a fallback model answered (part of): Claude unavailable
    tokens: int = 0  # the agents' model tokens, the guard's included
    cost_usd: float = 0.0
    seconds: float = 0.0  # wall time of the policy's days (the world's generation not included)
    phases: Counter[str] = field(default_factory=Counter)  # seconds by step of the day (the agents' runs)
    scoped: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict
    )  # contact id → (categories, skus)


class DayProgress(Protocol):
    """Called after each simulated day of each policy (the CLI draws a bar per policy)."""

    def __call__(self, policy: str, seed: int, day: int, days: int) -> None: ...


def _quiet(policy: str, seed: int, day: int, days: int) -> None:
    return None


async def run_simulation(
    config: SimulationConfig, policy_rules: Policy | None = None, *, progress: DayProgress = _quiet
) -> dict[str, PolicyMetrics]:
    """Every policy of `config` over the same worlds; `policy_rules` is the retailer's policy
    (the shipped default unless given) that the agents obey and the baselines are judged by."""
    policy_rules = policy_rules or load_policy()
    seeds = list(range(config.first_seed, config.first_seed + config.seeds))
    root = config.directory or Path(tempfile.mkdtemp(prefix="loyalty-sim-"))
    try:
        if config.processes > 1 and len(seeds) > 1:
            runs = await _in_processes(config, policy_rules, root, seeds, progress)
        else:
            runs = [
                run for seed in seeds for run in await run_seed(config, policy_rules, root, seed, progress)
            ]
    finally:
        if config.directory is None:
            shutil.rmtree(root, ignore_errors=True)
    return summarise(runs, dict(load_population(config.population).budgets.amount))


async def run_seed(
    config: SimulationConfig, policy_rules: Policy, root: Path, seed: int, progress: DayProgress = _quiet
) -> list[PolicyRun]:
    """One world (seed), every policy of `config` on its own copy of it."""
    population = load_population(config.population)
    start = population.world.end_date + timedelta(days=1)
    template = await build_world(
        population,
        members=config.members,
        seed=seed,
        history_months=config.history_months,
        days=config.days,
        start=start,
        directory=root / f"seed{seed}",
    )
    # The profile models as of the first day, fitted once on the shared history: every policy's copy
    # finds them beside its database instead of fitting its own.
    await open_profiles(template.db).models(
        (template.start + timedelta(hours=TICK_HOUR)).replace(tzinfo=None)
    )
    await template.db.dispose()
    runs = []
    for name in config.policies:
        world = _copy(template, policy_db(root, seed, name))
        try:
            started = time.perf_counter()
            run = await run_policy(
                world,
                name,
                seed,
                policy_rules,
                config,
                lambda day, n=name: progress(n, seed, day, config.days),
            )
            run.seconds = time.perf_counter() - started
            runs.append(run)
        finally:
            await world.db.dispose()
    return runs


def clear_previous_run(root: Path, seed: int) -> Path | None:
    """Remove what an earlier run of `seed` left in `root` (its world, policies' databases, models
    and outbox), so a run in the same folder starts fresh; returns the folder removed, if any.
    Only a folder holding that run's world file is removed: nothing else in `root` is touched."""
    folder = root / f"seed{seed}"
    if not (folder / f"sim-seed{seed}.db").is_file():
        return None
    shutil.rmtree(folder)
    return folder


def _seed_in_process(
    config: SimulationConfig, policy_rules: Policy, root: Path, seed: int
) -> list[PolicyRun]:
    configure_logging("warning")  # a worker's logs would interleave with the parent's output
    return asyncio.run(run_seed(config, policy_rules, root, seed))


async def _in_processes(
    config: SimulationConfig, policy_rules: Policy, root: Path, seeds: list[int], progress: DayProgress
) -> list[PolicyRun]:
    # "spawn": a forked child would inherit the parent's running event loop and open connections.
    context = multiprocessing.get_context("spawn")
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=min(config.processes, len(seeds)), mp_context=context) as pool:
        pending = [
            loop.run_in_executor(pool, _seed_in_process, config, policy_rules, root, seed) for seed in seeds
        ]
        runs: list[PolicyRun] = []
        for seed, future in zip(seeds, pending, strict=True):
            runs += await future
            for name in config.policies:
                progress(name, seed, config.days - 1, config.days)
    return runs


def policy_db(root: Path, seed: int, policy: str) -> Path:
    """Where policy `policy`'s copy of world `seed` lives (kept when the run has a directory)."""
    return root / f"seed{seed}" / f"{policy.replace(':', '-')}.db"


def _copy(template: SimWorld, path: Path) -> SimWorld:
    source = Path(template.db_url.split("///", 1)[1])
    shutil.copyfile(source, path)
    models = source.with_name(f"{source.stem}.models")
    if models.is_dir():
        shutil.copytree(models, path.with_name(f"{path.stem}.models"), dirs_exist_ok=True)
    url = f"sqlite+aiosqlite:///{path}"
    return replace(template, db=database(url), db_url=url)


async def run_policy(
    world: SimWorld,
    name: str,
    seed: int,
    policy_rules: Policy,
    config: SimulationConfig,
    tick: Callable[[int], None],
) -> PolicyRun:
    run = PolicyRun(name, seed, Ledger(), members=config.members)
    catalogue = await ProductIndex.load(world)
    valuer = Valuer.build(world, catalogue, policy_rules.valuation)
    orders = [0]
    wallet = Wallet(valid_for=timedelta(days=world.response.params.redeem_window_days), seed=seed)
    agents, _, target = name.partition(":")
    if agents == AGENTS:
        await _run_agents(
            world, run, catalogue, valuer, policy_rules, config, seed, orders, wallet, tick, target or None
        )
        return run
    settings = Settings(db_url=world.db_url)
    async with open_product(settings) as product:
        today = [world.start]

        async def facts(sent: list[SentOffer]) -> dict[int, ProfileFacts]:
            return await _facts(product, sent, today[0], catalogue)

        baseline: WeeklyBlast | SimpleRules | Nothing | Flows | Oracle = {
            "blast": WeeklyBlast(),
            "rules": SimpleRules(),
            "nothing": Nothing(),
            "flows": Flows(),
            "oracle": Oracle(valuer, policy_rules, facts),
        }[name]
        for day in range(world.days):
            begin, end = world.day_window(day)
            now = today[0] = begin + timedelta(hours=TICK_HOUR)
            await world.replay(day)
            moments = await moments_at(world, now)
            plans = (
                await baseline.plan(world, now, moments)
                if isinstance(baseline, Oracle)
                else await baseline.plan(world, day, now)
            )
            run.decisions += len(plans)
            run.scoped |= await send_planned(world, plans, f"{name}-{day}")
            sent = [
                replace(s, categories=run.scoped[s.contact_id][0], skus=run.scoped[s.contact_id][1])
                if s.contact_id in run.scoped
                else s
                for s in await sent_between(world, begin, end)
            ]
            run.ledger.violations += await _recheck(world, product, sent, policy_rules, now, catalogue)
            await _members_respond(
                world, day, sent, catalogue, valuer, moments, policy_rules, run.ledger, wallet, seed, orders
            )
            tick(day)
    return run


async def _facts(
    product: Any, sent: list[SentOffer], at: datetime, catalogue: ProductIndex
) -> dict[int, ProfileFacts]:
    """The profile's rule facts for each message's member, as of `at` (its products priced as the
    rules engine prices them)."""
    frame = await product.profiles.frame(at.replace(tzinfo=UTC) if at.tzinfo is None else at)
    positions = {s.customer_id: frame.position(s.customer_id) for s in sent}
    costs = {
        sku: SkuCost(price=float(catalogue.price[i]), unit_cost=float(catalogue.cost[i]))
        for s in sent
        for sku in s.skus
        if (i := catalogue.sku_index.get(sku)) is not None
    }
    return {
        s.customer_id: facts_from_profile(frame.profile(positions[s.customer_id]), as_proposal(s), costs)
        for s in sent
        if positions[s.customer_id] is not None
    }


async def _recheck(
    world: SimWorld,
    product: Any,
    sent: list[SentOffer],
    policy_rules: Policy,
    now: datetime,
    catalogue: ProductIndex,
) -> int:
    """The harness's own rule check of what a policy sent (whoever sent it, the guard's word aside)."""
    if not sent:
        return 0
    facts = await _facts(product, sent, now, catalogue)
    return await count_violations(world, [s for s in sent if s.customer_id in facts], policy_rules, facts)


async def _run_agents(
    world: SimWorld,
    run: PolicyRun,
    catalogue: ProductIndex,
    valuer: Valuer,
    policy_rules: Policy,
    config: SimulationConfig,
    seed: int,
    orders: list[int],
    wallet: Wallet,
    tick: Callable[[int], None],
    decision_policy: str | None,
) -> None:
    now = [world.start]
    settings = Settings(
        db_url=world.db_url,
        # beside the world's database; the demo shows the agents' own
        outbox_dir=Path(world.db_url.split("///", 1)[1]).parent
        / ("outbox" if decision_policy is None else f"outbox-{decision_policy.replace(':', '-')}"),
        decision_policy=decision_policy,
    )
    adapters = build_adapters(ChannelSetup(), settings.outbox_dir)
    async with (
        open_product(settings, clock=lambda: now[0], sqlite_inline=config.decision_workers == 1) as product,
        open_agents(product, named_model(config.model, settings)) as team,
        _second_process(config, settings) as second,
    ):
        for day in range(world.days):
            begin, end = world.day_window(day)
            with _timed(run.phases, "replay"):
                await world.replay(day)
            now[0] = begin + timedelta(hours=TICK_HOUR)
            moments = await moments_at(world, now[0])
            with _timed(run.phases, "triggers"):
                await run_due_triggers(
                    world.db, now[0], force=True, replenishment=expected_from_profiles(product.profiles)
                )
            elsewhere = asyncio.ensure_future(second.decide(now[0])) if second is not None else None
            with _timed(run.phases, "profiles"):  # the second process primes its own at the same time
                await product.profiles.prime(now[0], await due_members(world.db, now[0]))
            with _timed(run.phases, "decisions"):
                reports = [await drain(world.db, team, clock=lambda: now[0], workers=config.decision_workers)]
                if elsewhere is not None:
                    reports.append(await elsewhere)
                for report in reports:
                    run.decisions += report.decided
                    run.degraded += report.degraded
                    run.tokens += report.tokens
                    run.cost_usd += report.cost_usd
            with _timed(run.phases, "delivery"):
                for hour in range(1, 25):  # deliver what falls due before the next day's decisions
                    await deliver_due(
                        world.db, adapters, now[0] + timedelta(hours=hour), worker_id="delivery"
                    )
            with _timed(run.phases, "responses"):
                sent = await sent_between(world, now[0], now[0] + timedelta(days=1))
                run.ledger.violations += await _recheck(world, product, sent, policy_rules, now[0], catalogue)
                await _members_respond(
                    world,
                    day,
                    sent,
                    catalogue,
                    valuer,
                    moments,
                    policy_rules,
                    run.ledger,
                    wallet,
                    seed,
                    orders,
                )
            tick(day)


@contextmanager
def _timed(phases: Counter[str], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        phases[name] += time.perf_counter() - started


@asynccontextmanager
async def _second_process(
    config: SimulationConfig, settings: Settings
) -> AsyncIterator[DecisionProcess | None]:
    if config.decision_processes < 2:
        yield None
        return
    with DecisionProcess(settings, config.decision_workers, config.model) as process:
        yield process


async def _members_respond(
    world: SimWorld,
    day: int,
    sent: list[SentOffer],
    catalogue: ProductIndex,
    valuer: Valuer,
    moments: Moments,
    policy_rules: Policy,
    ledger: Ledger,
    wallet: Wallet,
    seed: int,
    orders: list[int],
) -> None:
    """The day's messages meet the response model; then members use the offers they hold on the
    day's own orders."""
    responses = await respond(
        world, sent, catalogue, policy_rules.valuation, ledger, seed, orders, valuer, moments
    )
    for offer in responses.held:
        wallet.hold(offer)
    window = timedelta(days=world.response.params.cannibalisation_window_days)
    for offer in responses.displaced:
        wallet.displace_next(world, offer, window)
    begin, end = world.day_window(day)
    await redeem_on_own_orders(world, begin, end, wallet, catalogue, policy_rules.valuation, ledger)
