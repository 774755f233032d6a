"""The test-wide kill switch refuses real network requests and leaves loopback alone."""

from __future__ import annotations

import socket

import anthropic
import anyio
import httpx2
import pytest

REFUSED = "network access is disabled in tests"


async def test_real_http_requests_are_refused() -> None:
    async with httpx2.AsyncClient() as http:
        with pytest.raises(RuntimeError, match=REFUSED):
            await http.get("https://api.anthropic.com/v1/models")


async def test_the_real_anthropic_client_cannot_reach_the_api() -> None:
    async with httpx2.AsyncClient() as http:
        client = anthropic.AsyncAnthropic(api_key="test-key", max_retries=0, http_client=http)
        with pytest.raises(anthropic.APIConnectionError) as caught:
            await client.messages.create(
                model="claude-haiku-4-5", max_tokens=8, messages=[{"role": "user", "content": "hi"}]
            )
    assert REFUSED in str(caught.value.__cause__)


def test_raw_sockets_and_dns_are_refused() -> None:
    with pytest.raises(RuntimeError, match=REFUSED):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    with pytest.raises(RuntimeError, match=REFUSED):
        socket.getaddrinfo("example.com", 443)


async def test_loopback_stays_open() -> None:
    async def reply(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            await stream.send(b"pong")

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tasks:
        tasks.start_soon(listener.serve, reply)
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            assert await stream.receive() == b"pong"
        tasks.cancel_scope.cancel()
