"""A Tin Can LMS for the runtime tests: the package on one 127.0.0.1 server, courseforge's LRS on another
(cross-origin, as an LMS's LRS often is), which can really stop and start again on the same port.

Every statement POST that reaches the LRS is recorded (``sent``) before the LRS answers it, so a test sees
retries as well as what was stored. Imported by the browser tests as ``xapi_host``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from courseforge.lms.lrs.app import create_lrs_app
from courseforge.lms.lrs.auth import StaticCredentials
from courseforge.lms.lrs.server import bind, make_server, url_of
from courseforge.lms.lrs.store import LrsStore, open_store

KEY, SECRET = "lms", "lms-secret"
AUTH = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
ACTOR = {"objectType": "Agent", "name": "Test Learner", "mbox": "mailto:learner@example.com"}


class Recorder:
    """ASGI wrapper: keeps the JSON of every POST to ``.../statements`` (a list per request)."""

    def __init__(self, app: ASGIApp, sent: list[dict[str, Any]]) -> None:
        self.app = app
        self.sent = sent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/statements"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            data = json.loads(body)
            self.sent.extend(data if isinstance(data, list) else [data])
        except ValueError:
            pass
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def serve(app: ASGIApp, port: int = 0) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = bind("127.0.0.1", port)
    server = make_server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.01)
    return server, thread, url_of(sock)


def stop(server: uvicorn.Server, thread: threading.Thread) -> None:
    server.should_exit = True
    thread.join(10)


@dataclass
class TinCanLms:
    """``launch_url(registration)`` opens the package as a Tin Can LMS would; ``store`` is the LRS's."""

    package_dir: Path
    database: Path
    activity_id: str
    sent: list[dict[str, Any]] = field(default_factory=list)
    store: LrsStore = field(init=False)
    lrs_url: str = field(init=False)
    site_url: str = field(init=False)

    def start(self) -> TinCanLms:
        self.store = open_store(self.database)
        self._site = serve(Starlette(routes=[Mount("/pkg", StaticFiles(directory=self.package_dir, html=True))]))
        self.site_url = self._site[2]
        self._start_lrs(0)
        return self

    def _start_lrs(self, port: int) -> None:
        app = create_lrs_app(self.store, StaticCredentials({KEY: SECRET}), prefix="/xAPI")
        self._lrs = serve(Recorder(app, self.sent), port)
        self.lrs_url = self._lrs[2]

    def stop_lrs(self) -> None:
        """The LRS really goes away: its port refuses connections until :meth:`start_lrs`."""
        stop(*self._lrs[:2])

    def start_lrs(self) -> None:
        self._start_lrs(int(self.lrs_url.rsplit(":", 1)[1]))

    def close(self) -> None:
        stop(*self._lrs[:2])
        stop(*self._site[:2])
        self.store.close()

    @property
    def endpoint(self) -> str:
        return f"{self.lrs_url}/xAPI/"

    def launch_url(self, registration: str, **extra: str) -> str:
        query = {"endpoint": self.endpoint, "auth": AUTH, "actor": json.dumps(ACTOR), "registration": registration,
                 "activity_id": self.activity_id, **extra}
        return f"{self.site_url}/pkg/index.html?{urlencode(query)}"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.endpoint, headers={"Authorization": AUTH,
                                                             "X-Experience-API-Version": "1.0.3"}, timeout=10)

    def statements(self, registration: str | None = None) -> list[dict[str, Any]]:
        """The registration's statements (every statement without one) as stored, oldest first."""
        query = {"ascending": "true", "limit": "500", **({"registration": registration} if registration else {})}
        with self.client() as client:
            found: list[dict[str, Any]] = []
            url = "statements?" + urlencode(query)
            while url:
                page = client.get(url).raise_for_status().json()
                found.extend(page["statements"])
                url = page["more"].removeprefix("/xAPI/") if page["more"] else ""
            return found

    def state(self, registration: str, state_id: str) -> Any:
        with self.client() as client:
            response = client.get("activities/state", params={
                "activityId": self.activity_id, "agent": json.dumps(ACTOR), "registration": registration,
                "stateId": state_id})
            return None if response.status_code == 404 else response.json()


def new_registration() -> str:
    return str(uuid.uuid4())


def wait_for(check: Any, timeout: float = 15, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def tincan_lms(package_dir: Path, database: Path, activity_id: str) -> Iterator[TinCanLms]:
    lms = TinCanLms(package_dir, database, activity_id).start()
    try:
        yield lms
    finally:
        lms.close()
