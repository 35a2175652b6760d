"""Test-side helpers: the LRS served by uvicorn in a thread or in a subprocess, on 127.0.0.1 only."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import uvicorn

from courseforge.lms.lrs.app import create_lrs_app
from courseforge.lms.lrs.auth import StaticCredentials
from courseforge.lms.lrs.server import bind, make_server, url_of
from courseforge.lms.lrs.store import LrsStore, open_store

KEY, SECRET = "tester", "tester-secret"
OTHER_KEY, OTHER_SECRET = "other", "other-secret"
VERSION = {"X-Experience-API-Version": "1.0.3"}
REPO = Path(__file__).resolve().parents[2]
CLIENTS = Path(__file__).resolve().parent / "clients"


def basic(key: str = KEY, secret: str = SECRET) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def headers(**extra: str) -> dict[str, str]:
    return {"Authorization": basic(), **VERSION, **extra}


def statement(verb_name: str = "experienced", **extra: Any) -> dict[str, Any]:
    """A small valid statement with a fresh id."""
    return {"id": str(uuid.uuid4()), "actor": {"objectType": "Agent", "name": "Ada", "mbox": "mailto:ada@example.com"},
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb_name}", "display": {"en-US": verb_name}},
            "object": {"objectType": "Activity", "id": "https://example.com/activities/intro",
                       "definition": {"name": {"en-US": "Introduction"}}}, **extra}


@dataclass
class ThreadedLrs:
    """uvicorn in a daemon thread over a real SQLite file; ``endpoint`` ends with ``/xAPI/``."""

    database: Path
    store: LrsStore = field(init=False)
    endpoint: str = field(init=False)
    _server: uvicorn.Server = field(init=False)
    _thread: threading.Thread = field(init=False)

    def start(self) -> ThreadedLrs:
        self.store = open_store(self.database)
        credentials = StaticCredentials({KEY: SECRET, OTHER_KEY: OTHER_SECRET})
        sock = bind("127.0.0.1", 0)
        self.endpoint = url_of(sock, "/xAPI/")
        self._server = make_server(create_lrs_app(self.store, credentials))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the LRS thread did not start within 10 s")
            time.sleep(0.01)
        return self

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.endpoint, headers=headers(), timeout=30)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self.store.close()


@dataclass
class SubprocessLrs:
    """``courseforge lrs`` as a real process (for kill and start-up tests)."""

    database: Path
    process: subprocess.Popen[str] | None = None
    endpoint: str = ""

    def start(self, timeout: float = 15) -> SubprocessLrs:
        command = [sys.executable, "-c", "from courseforge.cli import main; main()", "lrs", "--port", "0",
                   "--db", str(self.database), "--user", KEY, "--password", SECRET]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.process.stdout is not None
        self.endpoint = self.process.stdout.readline().strip()
        if not self.endpoint.startswith("http://127.0.0.1:"):
            self.kill()
            raise RuntimeError(f"courseforge lrs did not print its URL: {self.endpoint!r}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.endpoint + "about", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.02)
        self.kill()
        raise RuntimeError("courseforge lrs did not answer About in time")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        if self.process is not None:
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()


def run_node(script: str, *arguments: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(CLIENTS / script), *arguments], capture_output=True, text=True,
                          cwd=REPO, timeout=timeout, check=False)


def follow(client: httpx.Client, more: str) -> httpx.Response:
    """GET a ``more`` link: an absolute path on the LRS's host (not relative to the endpoint)."""
    return client.get(urljoin(str(client.base_url), more))


def all_statements(client: httpx.Client, **params: str) -> list[dict[str, Any]]:
    """Every statement a query returns, following ``more`` links (bounded)."""
    found: list[dict[str, Any]] = []
    response = client.get("statements", params={"limit": "500", **params})
    for _ in range(10_000):
        assert response.status_code == 200, response.text
        page = response.json()
        found.extend(page["statements"])
        if not page["more"]:
            return found
        response = follow(client, page["more"])
    raise AssertionError("more links did not end")


def dump(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def rich_statements() -> list[dict[str, Any]]:
    """Statements that use most of xAPI: result, context, groups, sub-statements, interactions, extensions."""
    registration = str(uuid.uuid4())
    team = {"objectType": "Group", "name": "Team", "member": [{"mbox": "mailto:bo@example.com"},
                                                             {"account": {"homePage": "https://example.com",
                                                                          "name": "cy"}}]}
    question = {"objectType": "Activity", "id": "https://example.com/activities/q1", "definition": {
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction", "interactionType": "choice",
        "name": {"en-US": "Question 1", "fr": "Question 1"}, "correctResponsesPattern": ["a"],
        "choices": [{"id": "a", "description": {"en-US": "A"}}, {"id": "b", "description": {"en-US": "B"}}]}}
    return [
        statement("answered", object=question, result={
            "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "success": False, "completion": True,
            "response": "b", "duration": "PT1M30.5S", "extensions": {"https://example.com/ext/tries": 2}},
            context={"registration": registration, "instructor": {"mbox": "mailto:teacher@example.com"},
                     "team": team, "platform": "courseforge", "language": "en-US",
                     "contextActivities": {"parent": [{"id": "https://example.com/activities/intro"}],
                                           "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}]},
                     "extensions": {"https://example.com/ext/session": "s1"}},
            timestamp="2024-05-01T10:00:00.000Z"),
        statement("experienced", actor=team, context={"registration": registration}),
        statement("experienced", object={"objectType": "SubStatement", "actor": {"mbox": "mailto:ada@example.com"},
                                         "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"},
                                         "object": {"id": "https://example.com/activities/q1"}}),
        statement("mentored", object={"objectType": "Agent", "mbox_sha1sum": "a" * 40}),
        statement("experienced", attachments=[{
            "usageType": "http://id.tincanapi.com/attachment/supporting_media", "display": {"en-US": "Slides"},
            "contentType": "application/pdf", "length": 1234, "sha2": "b" * 64,
            "fileUrl": "https://example.com/slides.pdf"}]),
    ]
