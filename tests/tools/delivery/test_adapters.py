"""Channel adapters: each passes the idempotency key on, and the file sinks write a key once."""

import asyncio
import email
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx2
import pytest

from policies.vocabulary import Channel
from tools.delivery.adapters import ChannelSetup, build_adapters
from tools.delivery.files import InStoreExport, JsonlSink
from tools.delivery.mail import EmailAdapter, SmtpConfig, eml_name
from tools.delivery.message import OutboundMessage
from tools.delivery.webhook import WebhookAdapter, WebhookConfig


def message(
    channel: Channel = Channel.EMAIL, key: str = "approval:abc", **changes: object
) -> OutboundMessage:
    fields = dict(
        contact_id=7,
        idempotency_key=key,
        channel=channel,
        customer_id=3,
        customer_external_id="M3",
        email="sam@example.com",
        phone="+61400000003",
        subject="Back in stock",
        body="Your size is back.\nSee you soon.",
        offer_code="SPRING10",
        use_case="reactivation",
        campaign=None,
        scheduled_at=datetime(2026, 3, 10, 9, 0),
    )
    return OutboundMessage(**{**fields, **changes})  # type: ignore[arg-type]


async def test_eml_written_once_per_key(tmp_path: Path) -> None:
    adapter = EmailAdapter(sender="Shop <crm@shop.example>", eml_dir=tmp_path)
    assert (await adapter.send(message())).status == "sent"
    assert (await adapter.send(message())).status == "duplicate"
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == [eml_name("approval:abc")]
    mail = email.message_from_bytes(files[0].read_bytes())
    assert mail["To"] == "sam@example.com" and mail["X-Idempotency-Key"] == "approval:abc"
    assert mail["Message-ID"].endswith("@shop.example>")


async def test_email_without_address_is_permanent(tmp_path: Path) -> None:
    result = await EmailAdapter(sender="a@b.c", eml_dir=tmp_path).send(message(email=None))
    assert result.status == "permanent" and "no e-mail address" in (result.detail or "")


async def test_fallback_email_takes_its_subject_from_the_body(tmp_path: Path) -> None:
    await EmailAdapter(sender="a@b.c", eml_dir=tmp_path).send(message(subject=None))
    mail = email.message_from_bytes(next(tmp_path.iterdir()).read_bytes())
    assert mail["Subject"] == "Your size is back. See you soon."


async def test_line_breaks_never_reach_a_header(tmp_path: Path) -> None:
    adapter = EmailAdapter(sender="a@b.c", eml_dir=tmp_path)
    assert (await adapter.send(message(subject="Hi\nBcc: everyone@example.com"))).status == "sent"
    mail = email.message_from_bytes(next(tmp_path.iterdir()).read_bytes())
    assert mail["Bcc"] is None and mail["Subject"] == "Hi Bcc: everyone@example.com"
    assert (await adapter.send(message(key="k2", email="x@y.z\nBcc: all@y.z"))).status == "permanent"


async def test_jsonl_sink_dedupes_across_restarts_and_heals_torn_lines(tmp_path: Path) -> None:
    path = tmp_path / "push.jsonl"
    assert (await JsonlSink(path).send(message(Channel.PUSH, "k1"))).status == "sent"
    with path.open("a") as handle:  # a writer killed halfway through a line
        handle.write('{"idempotency_key": "k2", "bo')
    restarted = JsonlSink(path)  # a new process: knows nothing but the file
    assert (await restarted.send(message(Channel.PUSH, "k1"))).status == "duplicate"
    assert (await restarted.send(message(Channel.PUSH, "k2"))).status == "sent"
    lines = path.read_text().splitlines()
    keys = [json.loads(line)["idempotency_key"] for line in lines if line.endswith("}")]
    assert keys == ["k1", "k2"] and len(lines) == 3


async def test_two_sinks_on_one_file_write_each_key_once(tmp_path: Path) -> None:
    path = tmp_path / "sms.jsonl"
    first, second = JsonlSink(path), JsonlSink(path)
    results = await asyncio.gather(
        *(sink.send(message(Channel.SMS, f"k{i % 10}")) for i in range(40) for sink in (first, second))
    )
    assert sum(r.status == "sent" for r in results) == 10
    assert len(path.read_text().splitlines()) == 10


async def test_in_store_export_is_csv_one_line_per_message_formula_safe(tmp_path: Path) -> None:
    path = tmp_path / "in_store.csv"
    sink = InStoreExport(path)
    await sink.send(message(Channel.IN_STORE, "k1", subject='=HYPERLINK("http://x")'))
    await sink.send(message(Channel.IN_STORE, "k1"))
    lines = path.read_text().splitlines()
    assert lines[0].startswith("idempotency_key,member,offer_code,headline,message")
    assert len(lines) == 2 and "'=HYPERLINK" in lines[1] and "Your size is back. See you soon." in lines[1]


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[httpx2.AsyncClient, list[httpx2.Request]]]:
    seen: list[httpx2.Request] = []
    answers = {"ok": 202, "dup": 409, "busy": 503, "bad": 400, "slow": 429}

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(answers[json.loads(request.content)["body"]])

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handle)) as client:
        yield client, seen


async def test_webhook_maps_answers_and_sends_the_key(gateway) -> None:
    client, seen = gateway
    adapter = WebhookAdapter(WebhookConfig(url="https://gateway.example/sms", token="t0k"), client)
    statuses = [
        (await adapter.send(message(Channel.SMS, f"k-{body}", body=body))).status
        for body in ("ok", "dup", "busy", "bad", "slow")
    ]
    assert statuses == ["sent", "duplicate", "transient", "permanent", "transient"]
    assert seen[0].headers["Idempotency-Key"] == "k-ok" and seen[0].headers["Authorization"] == "Bearer t0k"
    assert json.loads(seen[0].content)["phone"] == "+61400000003"


async def test_webhook_unreachable_is_transient() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(refuse)) as client:
        adapter = WebhookAdapter(WebhookConfig(url="https://gateway.example/push"), client)
        assert (await adapter.send(message(Channel.PUSH))).status == "transient"


async def test_sms_without_phone_is_permanent(gateway) -> None:
    client, seen = gateway
    adapter = WebhookAdapter(WebhookConfig(url="https://gateway.example/sms"), client)
    assert (await adapter.send(message(Channel.SMS, phone=None))).status == "permanent"
    assert seen == []


class FakeSmtp:
    """Just enough SMTP on loopback to take a message, or refuse a recipient with a given code."""

    def __init__(self, rcpt_code: int = 250) -> None:
        self.rcpt_code = rcpt_code
        self.messages: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 fake ESMTP\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                self.messages.append(await reader.readuntil(b"\r\n.\r\n"))
                writer.write(b"250 queued\r\n")
            elif verb == b"RCPT":
                writer.write(f"{self.rcpt_code} rcpt\r\n".encode())
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()


@pytest.mark.parametrize(("code", "status"), [(250, "sent"), (452, "transient"), (550, "permanent")])
async def test_smtp_delivery_and_its_failures(tmp_path: Path, code: int, status: str) -> None:
    fake = FakeSmtp(rcpt_code=code)
    server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        adapter = EmailAdapter(
            sender="crm@shop.example",
            eml_dir=tmp_path,
            smtp=SmtpConfig(host="127.0.0.1", port=port, timeout_seconds=5),
        )
        result = await adapter.send(message())
    assert result.status == status, result
    if status == "sent":
        assert b"X-Idempotency-Key: approval:abc" in fake.messages[0]
    assert list(tmp_path.iterdir()) == []  # SMTP configured: no .eml files


async def test_smtp_server_down_is_transient(tmp_path: Path) -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    adapter = EmailAdapter(sender="a@b.c", eml_dir=tmp_path, smtp=SmtpConfig(host="127.0.0.1", port=port))
    assert (await adapter.send(message())).status == "transient"


def test_default_adapters_write_files_under_the_outbox(tmp_path: Path) -> None:
    adapters = build_adapters(ChannelSetup(), tmp_path)
    assert set(adapters) == set(Channel)
    with pytest.raises(ValueError, match="HTTP client"):
        build_adapters(
            ChannelSetup(webhooks={Channel.SMS: WebhookConfig(url="http://127.0.0.1:9/sms")}), tmp_path
        )
    with pytest.raises(ValueError, match="not email"):
        ChannelSetup(webhooks={Channel.EMAIL: WebhookConfig(url="http://127.0.0.1:9/x")})
