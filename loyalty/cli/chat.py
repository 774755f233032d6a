"""`loyalty chat`: talk to the product as an ops person (a fixed grammar offline, free text with Claude)."""

import json
from typing import Annotated

import anyio
import typer
from rich.prompt import Prompt

from agents.orchestrator import HELP
from loyalty.cli.campaign import AtOption, clock_for
from loyalty.cli.common import DbOption, console, run, settings_for
from loyalty.ops.chat import ChatSession, Reply, open_chat
from loyalty.ops.render import render

EXIT_WORDS = frozenset({"exit", "quit", "bye"})


def chat_command(
    once: Annotated[
        str | None, typer.Option("--once", help="Answer this one request and exit (scriptable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="With --once: print the reply as JSON.")] = False,
    db: DbOption = None,
    at: AtOption = None,
) -> None:
    """Chat with the product: plan and confirm campaigns, ask what a member would get and why,
    explain decisions, show segments, guard rejections and the review queue, pause use cases."""
    if as_json and once is None:
        raise typer.BadParameter("--json needs --once", param_hint="--json")
    settings = settings_for(db)

    async def go() -> int:
        async with open_chat(settings, clock=clock_for(at)) as chat:
            if once is not None:
                reply = await chat.ask(once)
                if as_json:
                    typer.echo(json.dumps(reply.payload(), default=str))
                else:
                    show(reply)
                return 0 if reply.ok else 1
            await converse(chat)
            return 0

    code = run(go())
    if code:
        raise typer.Exit(code)


async def converse(chat: ChatSession) -> None:
    mode = "free text (Claude)" if chat.free_text else "the local model's commands"
    console.print(f"[bold]loyalty ops chat[/] — {mode}. 'help' lists what I can do; 'exit' leaves.")
    if not chat.free_text:
        console.print(HELP, highlight=False)
    while True:
        try:  # the prompt blocks: it runs in a thread so the in-process servers' tasks keep running
            text = await anyio.to_thread.run_sync(Prompt.ask, "[bold cyan]ops[/]")
        except EOFError:
            return
        if text.strip().lower() in EXIT_WORDS:
            return
        if text.strip():
            with console.status("working…"):
                reply = await chat.ask(text)
            show(reply)


def show(reply: Reply) -> None:
    if reply.value is not None:
        console.print(render(reply.value))
    if reply.text:
        console.print(reply.text if reply.ok else f"[yellow]{reply.text}[/]", highlight=False)
    if reply.operations:
        console.print(f"[dim]ran: {', '.join(reply.operations)} · trace {reply.trace_id}[/]")
