"""Bearer-token authentication for the Streamable HTTP transport."""

import hmac

from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings

SCOPE = "loyalty"


class StaticTokenVerifier:
    """Accepts exactly one shared secret (from settings); constant-time comparison."""

    def __init__(self, token: str) -> None:
        if len(token) < 16:
            raise ValueError("the MCP HTTP token must be at least 16 characters")
        self._token = token

    async def verify_token(self, token: str) -> AccessToken | None:
        if hmac.compare_digest(token.encode(), self._token.encode()):
            return AccessToken(token=token, client_id="loyalty-client", scopes=[SCOPE])
        return None


def auth_settings(host: str, port: int) -> AuthSettings:
    base = f"http://{host}:{port}"
    return AuthSettings(
        issuer_url=base,
        resource_server_url=f"{base}/mcp",
        validate_token_resource=False,
        required_scopes=[SCOPE],
    )
