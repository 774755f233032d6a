"""Test-wide setup: async backend, and a kill switch that refuses any real network request.

The kill switch patches the two doors a request can leave by: httpx2's real transports (which
the anthropic and mcp SDKs use) and the socket layer (everything else, DNS included). Loopback
stays open, so local test servers work; mock and ASGI transports never reach either door.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest


class NetworkDisabledError(RuntimeError):
    """A test tried to reach the network. Use httpx2.MockTransport or an in-process server."""


def _is_local(host: str) -> bool:
    host = host.strip("[]")
    # "" and 0.0.0.0 / :: are what servers bind to; connecting to them stays on this machine.
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _refuse(target: object) -> NetworkDisabledError:
    return NetworkDisabledError(f"network access is disabled in tests (tried {target!r})")


@pytest.fixture(autouse=True, scope="session")
def _network_kill_switch() -> Iterator[None]:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo
    real_async_handle = httpx2.AsyncHTTPTransport.handle_async_request
    real_sync_handle = httpx2.HTTPTransport.handle_request

    def guard_address(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(str(address[0])):
            raise _refuse(address)

    def connect(self: socket.socket, address: Any) -> None:
        guard_address(self, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        guard_address(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_local(host.decode() if isinstance(host, bytes) else str(host)):
            raise _refuse(host)
        return real_getaddrinfo(host, *args, **kwargs)

    async def handle_async_request(
        self: httpx2.AsyncHTTPTransport, request: httpx2.Request
    ) -> httpx2.Response:
        if not _is_local(request.url.host):
            raise _refuse(str(request.url))
        return await real_async_handle(self, request)

    def handle_request(self: httpx2.HTTPTransport, request: httpx2.Request) -> httpx2.Response:
        if not _is_local(request.url.host):
            raise _refuse(str(request.url))
        return real_sync_handle(self, request)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket.socket, "connect_ex", connect_ex)
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        patch.setattr(httpx2.AsyncHTTPTransport, "handle_async_request", handle_async_request)
        patch.setattr(httpx2.HTTPTransport, "handle_request", handle_request)
        yield


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
