"""First launch, as Claude Desktop does it: all four servers started at once from an empty
directory with only the environment `loyalty mcp config` prints, each timed from process start to
its first tool answer; then stdin is closed and the time each takes to exit is measured.

    python benchmarks/mcp_first_launch.py --db /tmp/bench/world.db       # seeded and fitted before:
    loyalty seed --customers 50000 --db sqlite+aiosqlite:////tmp/bench/world.db
    loyalty models fit --db sqlite+aiosqlite:////tmp/bench/world.db

The first call per server is the one a user's first question makes: a member's profile
(customer-data), the offer templates (offers-inventory), the policy (rules) and a member's contact
status (channels). Target: every server answers within 10 s of launch, and exits within 1 s of its
stdin closing (clients kill a server that lingers).
"""

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

FIRST_CALLS = {
    "customer-data": ("get_member_profile", {"customer_id": 1}),
    "offers-inventory": ("list_offer_templates", {}),
    "rules": ("get_policy", {}),
    "channels": ("contact_status", {"customer_id": 1}),
}


def _message(payload: dict[str, object]) -> bytes:
    return (json.dumps(payload) + "\n").encode()


async def launch(server: str, env: dict[str, str], cwd: str) -> dict[str, float | str]:
    """Raw JSON-RPC over the pipes, so the timing is the server's, not a client library's."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"mcp_servers.{server.replace('-', '_')}",
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    tool, arguments = FIRST_CALLS[server]
    process.stdin.write(
        _message(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "first-launch", "version": "1"},
                },
            }
        )
    )
    process.stdin.write(_message({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    process.stdin.write(
        _message(
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": tool, "arguments": arguments},
            }
        )
    )
    await process.stdin.drain()
    initialised = answered = None
    outcome = "no answer"
    while answered is None:
        line = await process.stdout.readline()
        if not line:
            break
        reply = json.loads(line)
        if reply.get("id") == 1:
            initialised = time.perf_counter() - started
        elif reply.get("id") == 2:
            answered = time.perf_counter() - started
            outcome = (
                "error: " + reply["result"]["content"][0]["text"] if reply["result"].get("isError") else "ok"
            )
    cpu = _cpu_seconds(process.pid)
    closing = time.perf_counter()
    process.stdin.close()
    try:
        await asyncio.wait_for(process.wait(), timeout=30)
        exited = time.perf_counter() - closing
    except TimeoutError:
        process.kill()
        exited = float("nan")
    return {
        "server": server,
        "initialize_s": initialised or float("nan"),
        "first_answer_s": answered or float("nan"),
        "exit_after_stdin_close_s": exited,
        "cpu_s": cpu,
        "outcome": outcome,
    }


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process used so far: the launch cost on an idle machine,
    whatever else is running on this one (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a seeded SQLite file with fitted models")
    args = parser.parse_args()
    url = f"sqlite+aiosqlite:///{args.db.resolve()}"
    env = {
        "LOYALTY_DB_URL": url,
        "LOYALTY_MODELS_DIR": str(args.db.resolve().with_name(f"{args.db.stem}.models")),
        "PATH": os.environ.get("PATH", "/usr/bin"),
    }
    if "PYTHONPATH" in os.environ:  # e.g. another checkout of the product, to compare with
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env |= {
        k: v for k, v in os.environ.items() if k.startswith("LOYALTY_") and k not in env
    }  # other settings
    with tempfile.TemporaryDirectory() as cwd:  # no loyalty.toml to pick up
        started = time.perf_counter()
        rows = await asyncio.gather(*(launch(name, env, cwd) for name in FIRST_CALLS))
        everything = time.perf_counter() - started
    print(f"{'server':<18}{'initialize':>12}{'first answer':>14}{'CPU used':>10}{'exit':>8}  outcome")
    for row in rows:
        print(
            f"{row['server']:<18}{row['initialize_s']:>11.2f}s{row['first_answer_s']:>13.2f}s{row['cpu_s']:>9.2f}s"
            f"{row['exit_after_stdin_close_s']:>7.2f}s  {row['outcome']}"
        )
    print(
        f"CPU to first answers, all four: {sum(float(r['cpu_s']) for r in rows):.2f}s "
        f"(on {os.cpu_count()} cores; load average now {os.getloadavg()[0]:.1f})"
    )
    print(f"all four launched, answered and exited in {everything:.2f}s")


if __name__ == "__main__":
    asyncio.run(main())
