"""Structured logging: JSON lines to stderr, or a readable console format in a terminal.

Never stdout: under stdio, stdout is the MCP wire.
"""

import logging
import sys

import structlog


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is at the moment of writing, not when logging was set up
    (test runners and CLI runners swap it, and a closed one must not break logging)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


def configure_logging(level: str = "info", fmt: str = "auto") -> None:
    console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    renderer = structlog.dev.ConsoleRenderer(colors=True) if console else structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(LEVELS[level]),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )
    # Libraries that use stdlib logging (mcp, uvicorn's request log, httpx2) go to stderr too, before
    # MCPServer's own basicConfig can pick a handler, and in the same format as ours.
    handler = stdlib_handler(console)
    logging.basicConfig(level=LEVELS[level], handlers=[handler])
    # Alembic narrates every migration context at INFO ("Context impl SQLiteImpl."); what was
    # upgraded is reported by the command itself.
    logging.getLogger("alembic").setLevel(max(LEVELS[level], logging.WARNING))


def stdlib_handler(console: bool) -> logging.Handler:
    """Stderr for stdlib loggers: readable lines in a terminal, else JSON lines like structlog's."""
    handler = logging.StreamHandler(_CurrentStderr())
    if console:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                processor=structlog.processors.JSONRenderer(),
                foreign_pre_chain=[
                    structlog.stdlib.add_log_level,
                    structlog.stdlib.add_logger_name,
                    structlog.processors.TimeStamper(fmt="iso", utc=True),
                ],
            )
        )
    return handler
