"""Event ingestion over HTTP: `POST /events` with a bearer token, JSON or JSON Lines in, the
ingest report out.

Per-record problems are not HTTP errors: they come back in the report as rejects with their line
numbers (the record's position in a JSON array), and the rest is stored. HTTP errors are kept for
the request as a whole: no or a wrong token (401), a body too large (413) or undecodable (400),
a content type we do not read (415). The error tree maps once, in `status_for`: bad input 400,
not found 404, storage unavailable 503.
"""

import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tools.errors import InvalidInput, LoyaltyError, NotFound, StorageError
from tools.events.ingest import ingest_events, ingest_jsonl
from tools.storage import Database

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 16 * 1024 * 1024
MIN_TOKEN_CHARS = 16  # a bearer token short enough to guess is no lock
JSON_TYPES = frozenset({"application/json"})
JSONL_TYPES = frozenset(
    {"application/x-ndjson", "application/jsonl", "application/x-jsonlines", "text/plain"}
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def create_app(
    db: Database,
    token: str,
    *,
    clock: Callable[[], datetime] = _utcnow,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Starlette:
    if len(token) < MIN_TOKEN_CHARS:
        raise InvalidInput(
            f"the events endpoint needs a token of {MIN_TOKEN_CHARS}+ characters: set "
            "LOYALTY_EVENTS_TOKEN (e.g. python -c 'import secrets; print(secrets.token_urlsafe())')"
        )
    expected = f"Bearer {token}".encode()

    async def post_events(request: Request) -> JSONResponse:
        try:
            return await _post_events(request)
        except LoyaltyError as exc:
            return _error(status_for(exc), str(exc))

    async def _post_events(request: Request) -> JSONResponse:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("events.http_unauthorised", client=request.client.host if request.client else None)
            return JSONResponse(
                {"error": "missing or invalid bearer token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="events"'},
            )
        body = await _read_limited(request, max_body_bytes)
        if body is None:
            return _error(413, f"body larger than {max_body_bytes} bytes; send smaller batches")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "body is not UTF-8")
        kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        if kind in JSONL_TYPES:
            report = await ingest_jsonl(db, text.splitlines(), now=clock())
        elif kind in JSON_TYPES:
            try:
                decoded = json.loads(text)
            except (ValueError, RecursionError) as exc:
                return _error(
                    400,
                    f"body is not valid JSON: {getattr(exc, 'msg', exc)}; "
                    "send JSON Lines to have bad records rejected one by one",
                )
            records = decoded if isinstance(decoded, list) else [decoded]
            report = await ingest_events(db, records, now=clock())
        else:
            return _error(415, f"content type {kind!r}: send application/json or application/x-ndjson")
        return JSONResponse(report.model_dump(mode="json"))

    return Starlette(routes=[Route("/events", post_events, methods=["POST"])])


async def _read_limited(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def status_for(exc: LoyaltyError) -> int:
    """The HTTP boundary's mapping of the error tree."""
    if isinstance(exc, StorageError):
        return 503
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, InvalidInput):
        return 400
    return 422


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
