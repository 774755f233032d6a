"""Bearer-token authentication for the Streamable HTTP transport.

The product has one shared secret (LOYALTY_MCP_HTTP_TOKEN) and no OAuth authorization server.
The MCP authorization spec's protected-resource metadata must name an authorization server, so
the honest answer is to publish none: a request without the token gets a plain
`WWW-Authenticate: Bearer` challenge with no `resource_metadata`, and no `/.well-known/` route
claims an authorization server that is not there (OAuth-capable clients would try to register with it).
"""

import hmac
import json

from starlette.types import ASGIApp, Receive, Scope, Send

REALM = "loyalty-mcp"


class StaticToken:
    """Exactly one shared secret (from settings), compared in constant time."""

    def __init__(self, token: str) -> None:
        if len(token) < 16:
            raise ValueError("the MCP HTTP token must be at least 16 characters")
        self._token = token.encode()

    def matches(self, authorization: str | None) -> bool:
        scheme, _, presented = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), self._token)


class BearerAuth:
    """ASGI middleware: every HTTP request carries `Authorization: Bearer <token>` or gets 401."""

    def __init__(self, app: ASGIApp, token: StaticToken) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.token.matches(headers.get("authorization")):
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "error": "invalid_token",
                "error_description": "send Authorization: Bearer <LOYALTY_MCP_HTTP_TOKEN>",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", f'Bearer realm="{REALM}", error="invalid_token"'.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
