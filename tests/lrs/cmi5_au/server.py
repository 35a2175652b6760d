"""The cmi5 host (LRS + launch service) on a real uvicorn server at 127.0.0.1, for the cmi5 tests.

Also serves this folder as the AU package (``/packages/test/``) and @xapi/cmi5's browser bundle from
node_modules (``/vendor/cmi5/``), so the AU page, the LRS and the fetch URL share one origin.
"""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from courseforge.lms.cmi5.app import Cmi5Host, create_cmi5_host
from courseforge.lms.cmi5.structure import CourseStructure, parse_course_structure
from courseforge.lms.lrs.auth import StaticCredentials
from courseforge.lms.lrs.store import open_store

PACKAGE = Path(__file__).parent
CMI5_DIST = Path(__file__).parents[3] / "node_modules" / "@xapi" / "cmi5" / "dist"
ADMIN = ("admin", "admin-secret")
STARTUP_TIMEOUT_S = 10.0


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


ADMIN_AUTH = basic(*ADMIN)


@dataclass(frozen=True)
class RunningHost:
    base_url: str
    host: Cmi5Host
    course: CourseStructure

    @property
    def package_url(self) -> str:
        return f"{self.base_url}/packages/test/"


async def returned(request: Request) -> HTMLResponse:
    """The LMS page an AU goes back to (the LaunchData returnURL)."""
    return HTMLResponse("<!doctype html><title>back in the LMS</title><p>back in the LMS</p>")


@contextmanager
def running_host(database: Path, *, strict: bool = True) -> Iterator[RunningHost]:
    """A fresh SQLite LRS with the test course registered, served until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK wait per kept-alive reply
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    store = open_store(database)
    routes = [Mount("/packages/test", app=StaticFiles(directory=PACKAGE, html=True)), Route("/done", returned)]
    if CMI5_DIST.is_dir():
        routes.append(Mount("/vendor/cmi5", app=StaticFiles(directory=CMI5_DIST)))
    host = create_cmi5_host(store, StaticCredentials(dict([ADMIN])), base_url=base_url, strict=strict,
                            extra_routes=list(routes))
    course = parse_course_structure((PACKAGE / "cmi5.xml").read_bytes())
    host.lms.add_course(course, f"{base_url}/packages/test/")
    server = uvicorn.Server(uvicorn.Config(host.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the cmi5 test server did not start")
        time.sleep(0.01)
    try:
        yield RunningHost(base_url, host, course)
    finally:
        server.should_exit = True
        thread.join(STARTUP_TIMEOUT_S)
        sock.close()
        store.close()
