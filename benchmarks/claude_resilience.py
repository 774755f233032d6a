"""The Claude path against a stand-in Messages API that fences its answers, refuses, truncates and
fails (`benchmarks.claude_standin`): a chat, a worker pass and the demo, then the demo during an
outage beside the demo on the local model. Prints each command's output and the stand-in's tally.

    python -m benchmarks.claude_resilience --workdir /tmp/claude-run [--members 200 --days 2]

Nothing here needs a key or the network: ANTHROPIC_BASE_URL points at the stand-in on localhost.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Self

LOYALTY = str(Path(sys.executable).with_name("loyalty"))
CHATS = ("segment dormant_recoverable", "offer for member 12", "explain decision nope", "pause upsell")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--customers", type=int, default=300, help="members of the chat and worker world")
    parser.add_argument(
        "--at", default="2026-05-31T20:00:00", help="the chat and worker moment (the seeded world's last day)"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["chat", "worker", "demo", "outage", "local"]
    )
    args = parser.parse_args()
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    world = work / "world0.db"
    if not world.exists():
        _run([LOYALTY, "seed", "--customers", str(args.customers), "--db", _url(world)], {}, work, quiet=True)
    claude = {
        "ANTHROPIC_API_KEY": "stand-in-key",
        "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{args.port}",
        "LOYALTY_LOG_LEVEL": "error",
        "LOYALTY_CLAUDE_RETRY_MAX_WAIT_SECONDS": "2",
    }
    with _standin(args.port, outage=False, cwd=work):
        if "chat" not in args.skip:
            for n, text in enumerate(CHATS):
                db = _copy(world, work / f"chat{n}.db")
                _run([LOYALTY, "chat", "--once", text, "--db", _url(db), "--at", args.at], claude, work)
            _run(
                [LOYALTY, "chat", "--once", CHATS[0], "--db", _url(db), "--at", args.at],
                {**claude, "ANTHROPIC_API_KEY": "bad-key"},
                work,
            )
            _tally(args.port)
        if "worker" not in args.skip:
            db = _copy(world, work / "worker.db")
            _run([LOYALTY, "worker", "--once", "--at", args.at, "--db", _url(db)], claude, work)
            _run([LOYALTY, "usage", "--db", _url(db)], claude, work)
            _tally(args.port)
        if "demo" not in args.skip:
            _demo(args, claude, work / "demo-faults")
            _tally(args.port)
    if "outage" not in args.skip:
        with _standin(args.port, outage=True, cwd=work):
            db = _copy(world, work / "chat-outage.db")
            _run([LOYALTY, "chat", "--once", CHATS[0], "--db", _url(db), "--at", args.at], claude, work)
            if "demo" not in args.skip:
                _demo(args, claude, work / "demo-outage")
            _tally(args.port)
    if "local" not in args.skip:
        _demo(args, {"ANTHROPIC_API_KEY": "", "LOYALTY_LOG_LEVEL": "error"}, work / "demo-local")


def _demo(args: argparse.Namespace, env: dict[str, str], out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    _run(
        [LOYALTY, "demo", "--members", str(args.members), "--days", str(args.days), "--out", str(out)],
        env,
        out.parent,
    )


def _run(command: list[str], env: dict[str, str], cwd: Path, quiet: bool = False) -> None:
    shown = " ".join(c if " " not in c else repr(c) for c in command[1:])
    print(f"\n$ loyalty {shown}", flush=True)
    merged = {**os.environ, "COLUMNS": "160", **env}
    if not env.get("ANTHROPIC_API_KEY", "x"):
        merged.pop("ANTHROPIC_API_KEY", None)
    started = time.perf_counter()
    done = subprocess.run(command, env=merged, cwd=cwd, capture_output=True, text=True, check=False)
    if not quiet:
        print(done.stdout.rstrip())
        errors = [
            line for line in done.stderr.splitlines() if "Traceback" in line or line.startswith("error")
        ]
        print("\n".join(errors))
    print(
        f"[exit {done.returncode}, {time.perf_counter() - started:.1f} s, traceback: "
        f"{'YES' if 'Traceback' in done.stderr + done.stdout else 'no'}]",
        flush=True,
    )


class _standin:
    def __init__(self, port: int, *, outage: bool, cwd: Path) -> None:
        self.command = [sys.executable, "-m", "benchmarks.claude_standin", "--port", str(port)] + (
            ["--outage"] if outage else []
        )
        self.port = port

    def __enter__(self) -> Self:
        root = Path(__file__).resolve().parent.parent
        self.process = subprocess.Popen(self.command, cwd=root)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/tally", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the stand-in did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _tally(port: int) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/tally", timeout=5) as answer:
        print(f"stand-in so far: {json.dumps(json.load(answer))}", flush=True)


def _copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    models = source.with_suffix(".models")
    if models.exists():
        shutil.copytree(models, target.with_suffix(".models"), dirs_exist_ok=True)
    return target


def _url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


if __name__ == "__main__":
    main()
