"""`zerovisit relay`: a service's outbox delivered from a process of its own, as the Compose file deploys it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.common.db import Database
from services.common.events import publish
from services.common.settings import REPO_ROOT, Subscriber
from services.intake.db import event_tables
from services.intake.events import ApplicationWithdrawn
from tests.support.databases import FreshDatabases


class Receiver(ThreadingHTTPServer):
    """A subscriber that accepts every event and remembers the ids."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[str] = []
        self.arrived = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/internal/events"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        if self.path.endswith("/batch"):
            ids = [event["id"] for event in json.loads(body)["events"]]
            answer = json.dumps({"results": [{"id": i, "status": "applied"} for i in ids]}).encode()
        else:
            ids, answer = [self.headers["webhook-id"]], b"{}"
        self.server.received.extend(ids)
        self.server.arrived.set()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


async def test_the_relay_process_delivers_what_the_service_commits_and_stops_on_sigterm(
    backend: str, databases: FreshDatabases, receiver: Receiver
) -> None:
    url = await databases.url("intake")
    subscriber = Subscriber(name="workflow", url=receiver.url, topics=["application.*"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "WORKFLOW_", "METRICS_"))}
    env |= {
        "INTAKE_DATABASE_URL": url,
        "INTAKE_SUBSCRIBERS": json.dumps([subscriber.model_dump()]),
        "INTAKE_RELAY_INTERVAL_SECONDS": "0.05",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.cli", "relay", "--service", "intake",
        cwd=REPO_ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert b"relay delivering to workflow" in await asyncio.wait_for(process.stdout.readline(), 30)
        await asyncio.sleep(0.5)  # its first rounds found nothing: now it polls

        service = Database.connect(url)  # the service's own engine, in another process as deployed
        try:
            async with service.sessionmaker() as session, session.begin():
                envelope = await publish(
                    session,
                    event_tables,
                    ApplicationWithdrawn(application_id="a-1", withdrawn_at=datetime.now(UTC)),
                    case_key="a-1",
                    source="intake",
                    subscribers=[subscriber],
                    now=datetime.now(UTC),
                )
        finally:
            await service.dispose()
        assert await asyncio.to_thread(receiver.arrived.wait, 10), "the event never arrived"

        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, output.decode()
    assert receiver.received == [str(envelope.id)]
