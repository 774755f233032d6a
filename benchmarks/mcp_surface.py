"""The tool surface as an LLM client reads it: what `tools/list`, `resources/templates/list`,
`resources/list` and `prompts/list` put in the model's context, in tokens.

    python benchmarks/mcp_surface.py --db /tmp/bench/world.db

Tokens are approximated as characters / 4 of the compact JSON (no tokenizer ships offline; for
English prose and JSON, Claude's and OpenAI's tokenizers land within ~15% of that). Two figures per
server: what a client lists for the model (names, titles, descriptions, input schemas), and the
same with output schemas (which some clients also pass on).
"""

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from mcp import Client

from loyalty.mcp_entry import open_server_deps
from loyalty.settings import Settings
from mcp_servers.registry import SERVERS


def tokens(payload: Any) -> int:
    return round(len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False)) / 4)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="an initialised SQLite file")
    args = parser.parse_args()
    settings = Settings(db_url=f"sqlite+aiosqlite:///{args.db.resolve()}")
    total_listed = total_with_output = tools_count = 0
    print(f"{'server':<18}{'tools':>6}{'listed':>9}{'+output':>9}")
    for name, (_, build) in SERVERS.items():
        async with open_server_deps(name, settings) as deps, Client(build(deps, None)) as client:
            tools = (await client.list_tools()).tools
            listed = [
                {
                    "name": t.name,
                    "title": t.title,
                    "description": t.description,
                    "inputSchema": t.input_schema,
                }
                for t in tools
            ]
            extra = [
                (await client.list_resource_templates()).model_dump(mode="json", exclude_none=True),
                (await client.list_resources()).model_dump(mode="json", exclude_none=True),
                (await client.list_prompts()).model_dump(mode="json", exclude_none=True),
            ]
            outputs = [t.output_schema for t in tools]
        shown, full = tokens(listed) + tokens(extra), tokens(listed) + tokens(extra) + tokens(outputs)
        total_listed, total_with_output, tools_count = (
            total_listed + shown,
            total_with_output + full,
            tools_count + len(tools),
        )
        print(f"{name:<18}{len(tools):>6}{shown:>9}{full:>9}")
    print(f"{'all':<18}{tools_count:>6}{total_listed:>9}{total_with_output:>9}   (tokens ~ chars / 4)")


if __name__ == "__main__":
    asyncio.run(main())
