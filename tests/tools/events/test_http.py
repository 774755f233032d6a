"""The HTTP endpoint: no token, no entry; with it, JSON or JSON Lines in and the report out."""

import json
from collections.abc import AsyncIterator

import httpx2
import pytest

from tests.tools.events.world import NOW, add_catalogue, add_members
from tools.errors import InvalidInput
from tools.events.http import create_app
from tools.storage.db import Database

TOKEN = "s3cret-token-for-tests"
GOOD = {"type": "view", "occurred_at": "2026-03-10T08:00:00Z", "customer_external_id": "M1", "sku": "P1"}


@pytest.fixture
async def client(sqlite_db: Database) -> AsyncIterator[httpx2.AsyncClient]:
    await add_members(sqlite_db, [1])
    await add_catalogue(sqlite_db)
    app = create_app(sqlite_db, TOKEN, clock=lambda: NOW, max_body_bytes=10_000)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://test") as http:
        yield http


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_without_a_token_nothing_is_stored(client: httpx2.AsyncClient) -> None:
    for headers in ({}, auth("wrong"), {"Authorization": TOKEN}):
        response = await client.post("/events", json=[GOOD], headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
    ok = await client.post("/events", json=[GOOD], headers=auth())
    assert ok.json()["accepted"] == 1  # the refused requests stored nothing before it


async def test_json_array_or_object_with_token(client: httpx2.AsyncClient) -> None:
    response = await client.post("/events", json=[GOOD, {**GOOD, "sku": "NOPE"}], headers=auth())
    assert response.status_code == 200
    report = response.json()
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert report["rejects"][0]["line"] == 2 and report["rejects"][0]["code"] == "product"
    single = await client.post("/events", json=GOOD, headers=auth())
    assert single.json()["duplicates"] == 1


async def test_jsonl_body_rejects_bad_lines_only(client: httpx2.AsyncClient) -> None:
    body = json.dumps(GOOD) + "\n{broken\n" + json.dumps({**GOOD, "sku": "P2"}) + "\n"
    response = await client.post(
        "/events", content=body, headers={**auth(), "Content-Type": "application/x-ndjson"}
    )
    report = response.json()
    assert response.status_code == 200 and (report["accepted"], report["rejected"]) == (2, 1)
    assert report["rejects"][0]["line"] == 2


async def test_whole_request_problems_are_http_errors(client: httpx2.AsyncClient) -> None:
    broken = await client.post(
        "/events", content="[{", headers={**auth(), "Content-Type": "application/json"}
    )
    assert broken.status_code == 400 and "not valid JSON" in broken.json()["error"]
    form = await client.post("/events", content="a=1", headers={**auth(), "Content-Type": "text/html"})
    assert form.status_code == 415
    huge = await client.post(
        "/events", content="x" * 20_000, headers={**auth(), "Content-Type": "text/plain"}
    )
    assert huge.status_code == 413


async def test_an_empty_token_is_refused(sqlite_db: Database) -> None:
    with pytest.raises(InvalidInput, match="needs a token"):
        create_app(sqlite_db, "")
