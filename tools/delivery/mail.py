"""E-mail: over SMTP when a server is configured, otherwise as `.eml` files in the outbox folder.

The idempotency key travels as `Message-ID` and `X-Idempotency-Key`, so a mail server or a human
can recognise a re-send; the `.eml` writer goes further and refuses a second file for a key.
smtplib blocks, so it runs in a worker thread.
"""

import asyncio
import hashlib
import os
import re
import smtplib
import tempfile
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from tools.delivery.message import DeliveryResult, OutboundMessage

SUBJECT_FROM_BODY = 60


class SmtpConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int = Field(25, ge=1, le=65535)
    starttls: bool = False
    username: str | None = None
    password: SecretStr | None = None
    timeout_seconds: float = Field(20, gt=0, le=300)


class EmailAdapter:
    def __init__(self, *, sender: str, eml_dir: Path, smtp: SmtpConfig | None = None) -> None:
        self.sender = sender
        self.eml_dir = eml_dir
        self.smtp = smtp

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        if not message.email:
            return DeliveryResult(status="permanent", detail="no e-mail address on file")
        try:
            mail = compose(message, self.sender)
        except ValueError as exc:  # e.g. a line break in the address: a header we must not write
            return DeliveryResult(status="permanent", detail=f"cannot compose the e-mail: {exc}")
        if self.smtp is not None:
            return await asyncio.to_thread(_send_smtp, self.smtp, mail)
        return await asyncio.to_thread(_write_eml, self.eml_dir, message.idempotency_key, mail)


def compose(message: OutboundMessage, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.email
    # A message that fell back from SMS or push has no subject: take the body's opening words.
    # Line breaks are folded away: in a header they would start new headers.
    mail["Subject"] = " ".join((message.subject or message.body).split())[:SUBJECT_FROM_BODY]
    mail["Date"] = format_datetime(message.scheduled_at.replace(tzinfo=UTC))
    domain = parseaddr(sender)[1].partition("@")[2] or "loyalty.invalid"
    mail["Message-ID"] = f"<{_digest(message.idempotency_key)}@{domain}>"
    mail["X-Idempotency-Key"] = message.idempotency_key
    mail.set_content(message.body)
    return mail


def _send_smtp(config: SmtpConfig, mail: EmailMessage) -> DeliveryResult:
    try:
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds) as server:
            if config.starttls:
                server.starttls()
            if config.username is not None and config.password is not None:
                server.login(config.username, config.password.get_secret_value())
            refused = server.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return _by_code(min(codes) if codes else 550, f"recipient refused: {exc.recipients}")
    except smtplib.SMTPAuthenticationError as exc:
        # Our credentials, not the message: retry (and alert) rather than fall back.
        return DeliveryResult(status="transient", detail=f"SMTP authentication failed ({exc.smtp_code})")
    except smtplib.SMTPResponseException as exc:
        return _by_code(exc.smtp_code, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}")
    except (smtplib.SMTPException, OSError) as exc:  # disconnects, refused connections, timeouts
        return DeliveryResult(status="transient", detail=f"SMTP unavailable: {exc}")
    if refused:
        return DeliveryResult(status="permanent", detail=f"recipient refused: {refused}")
    return DeliveryResult(status="sent", detail=f"smtp {config.host}:{config.port}")


def _by_code(code: int, detail: str) -> DeliveryResult:
    return DeliveryResult(status="transient" if 400 <= code < 500 else "permanent", detail=detail)


def _write_eml(directory: Path, key: str, mail: EmailMessage) -> DeliveryResult:
    """Write `<key>.eml` at most once: written aside, then hard-linked into place, which fails if
    a file for this key exists — even one another process is linking at this very moment."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / eml_name(key)
    with tempfile.NamedTemporaryFile("wb", dir=directory, prefix=".tmp-", delete=False) as handle:
        handle.write(bytes(mail))
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(handle.name, target)
    except FileExistsError:
        return DeliveryResult(status="duplicate", detail=f"{target.name} already written")
    finally:
        os.unlink(handle.name)
    return DeliveryResult(status="sent", detail=str(target))


def eml_name(key: str) -> str:
    """A file name for a key: readable, and unique because of the hash (slugs can collide)."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", key)[:60]
    return f"{slug}-{_digest(key)[:12]}.eml"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]
