"""A cmi5 LMS for the runtime tests: courseforge's cmi5 host (launch service + LRS, strict mode on) and the
built package on one real 127.0.0.1 uvicorn server, plus an LMS page the AU returns to.

The LMS imports the package's own cmi5.xml with its structure parser, registers learners and launches
through ``Cmi5Lms`` (launched statement, LaunchData, one-time fetch URL). What was stored is read straight
from the LRS store. Imported by the browser tests as ``cmi5_host``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from courseforge.lms.cmi5.app import Cmi5Host, create_cmi5_host
from courseforge.lms.cmi5.launch import Learner, LearnerPreferences
from courseforge.lms.cmi5.service import Launch
from courseforge.lms.cmi5.structure import CourseStructure, parse_course_structure
from courseforge.lms.lrs.auth import StaticCredentials
from courseforge.lms.lrs.documents import DocumentKey, DocumentKind, DocumentScope
from courseforge.lms.lrs.indexing import agent_key
from courseforge.lms.lrs.store import LrsStore, StatementQuery, open_store
from courseforge.standards.cmi5 import LaunchMode

HOME_PAGE = "https://lms.courseforge.example"
RETURNED = "/lms/returned"
T = TypeVar("T")


async def returned(request: Request) -> HTMLResponse:
    return HTMLResponse("<!doctype html><html lang='en'><title>LMS</title><h1>Back in the LMS</h1></html>")


@dataclass
class Cmi5TestLms:
    base_url: str
    host: Cmi5Host
    store: LrsStore
    course: CourseStructure

    @property
    def return_url(self) -> str:
        return self.base_url + RETURNED

    @property
    def au_id(self) -> str:
        return next(self.course.assignable_units()).id

    def register(self, name: str = "learner-1", languages: tuple[str, ...] = ("en-US",)) -> uuid.UUID:
        learner = Learner(HOME_PAGE, name)
        return self.host.lms.register(self.course.id, learner, LearnerPreferences(languages)).id

    def launch(self, registration: uuid.UUID, mode: LaunchMode = LaunchMode.NORMAL) -> Launch:
        return self.host.lms.launch(registration, self.au_id, mode=mode, return_url=self.return_url)

    def statements(self, registration: uuid.UUID) -> list[dict[str, Any]]:
        page = self.store.query_statements(StatementQuery(registration=str(registration), ascending=True), None, 500)
        return [json.loads(stored.json) for stored in page.statements]

    def state(self, launch: Launch, state_id: str) -> Any:
        agent = agent_key(launch.session.learner.actor())
        assert agent is not None
        scope = DocumentScope(DocumentKind.STATE, launch.session.activity_id, agent, str(launch.session.registration))
        document = self.store.get_document(DocumentKey(scope, state_id))
        return None if document is None else json.loads(document.content)


def wait_for(check: Callable[[], T | None], what: str, timeout_s: float = 10.0) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@contextmanager
def cmi5_lms(site: Path, database: Path) -> Iterator[Cmi5TestLms]:
    """``site``: the unzipped package (cmi5.xml at its root), served at ``/pkg/``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    store = open_store(database)
    routes = [Mount("/pkg", app=StaticFiles(directory=site, html=True)), Route(RETURNED, returned)]
    host = create_cmi5_host(store, StaticCredentials({"admin": "admin-secret"}), base_url=base_url, strict=True,
                            extra_routes=list(routes))
    course = parse_course_structure((site / "cmi5.xml").read_bytes(), in_package=True)
    host.lms.add_course(course, f"{base_url}/pkg/")
    server = uvicorn.Server(uvicorn.Config(host.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_for(lambda: server.started, "the cmi5 test LMS to start")
    try:
        yield Cmi5TestLms(base_url, host, store, course)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        store.close()
