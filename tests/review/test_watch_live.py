"""Live reload's Server-Sent Events (courseforge/lms/review/live.py) over real HTTP: a WatchBuilder on a copy of the
sample project, LiveReload mounted in a Starlette app on a real uvicorn server on 127.0.0.1, and an httpx client
reading the stream as a browser's EventSource would. Also ``live_server``, which the Chromium test shares."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from courseforge.lms.review.live import EVENTS_PATH, SCRIPT_PATH, LiveReload
from courseforge.lms.review.watch import WatchBuilder, WatchSettings
from tests.browser.xapi_host import serve, stop
from tests.review.test_watch import (
    PPE_PAGE,
    PRIVACY,
    SAFETY,
    WAIT_S,
    Arrivals,
    append_sentence,
    break_manifest,
    watched_project,
)


@dataclass(frozen=True)
class LiveServer:
    builder: WatchBuilder
    live: LiveReload
    url: str
    """The server's base URL, without a trailing '/'."""


@contextmanager
def live_server(tmp_path: Path, settings: WatchSettings | None = None,
                routes: Callable[[WatchBuilder], Sequence[BaseRoute]] | None = None) -> Iterator[LiveServer]:
    """A watched copy of the sample project, its live reload mounted (beside the ``routes`` made for its builder) on
    a real uvicorn server."""
    with watched_project(tmp_path, settings) as builder:
        live = LiveReload(builder)
        server, thread, url = serve(Starlette(routes=[*live.routes, *(routes(builder) if routes else ())]))
        try:
            yield LiveServer(builder, live, url.rstrip("/"))
        finally:
            live.close()
            stop(server, thread)


@dataclass(frozen=True)
class Message:
    arrived: float
    kind: str
    data: dict[str, object]
    id: str


class EventStream:
    """An SSE client on its own thread: every message, in order, with the monotonic time it arrived; ``ended`` once
    the server closed the stream."""

    def __init__(self, url: str) -> None:
        self.messages: Arrivals[Message] = Arrivals("SSE message")
        self.ended = threading.Event()
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(url,), daemon=True)
        self._thread.start()
        assert self.connected.wait(WAIT_S), f"no answer from {url}"

    def _read(self, url: str) -> None:
        kind, data, last_id = "message", [], ""
        with httpx.Client(timeout=httpx.Timeout(WAIT_S, read=None)) as client, client.stream("GET", url) as response:
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
            self.connected.set()
            for line in response.iter_lines():
                field, _, value = line.partition(":")
                if not line and data:
                    self.messages.put(Message(time.monotonic(), kind, json.loads("\n".join(data)), last_id))
                    kind, data = "message", []
                elif field in ("event", "data", "id"):
                    value = value.removeprefix(" ")
                    kind = value if field == "event" else kind
                    last_id = value if field == "id" else last_id
                    data.extend([value] if field == "data" else [])
        self.ended.set()

    def next(self, timeout: float = WAIT_S) -> Message:
        return self.messages.next(timeout)


def events_url(server: LiveServer, course: str) -> str:
    return f"{server.url}{EVENTS_PATH}?course={course}"


def test_a_page_edit_streams_reload_to_that_courses_pages_only(tmp_path: Path) -> None:
    with live_server(tmp_path) as server:
        safety, privacy = EventStream(events_url(server, SAFETY)), EventStream(events_url(server, PRIVACY))
        first = safety.next()
        assert (first.kind, first.id, first.data) == ("diagnostics", "1", {
            "course": SAFETY, "generation": 1, "ok": True, "diagnostics": []})
        assert privacy.next().data["generation"] == 1
        append_sentence(server.builder.project.root, PPE_PAGE, "Replace a cracked hard hat at once.")
        reload = safety.next()
        assert (reload.kind, reload.id, reload.data["generation"]) == ("reload", "2", 2)
        assert privacy.messages.quiet_for(0.3)


def test_a_broken_build_streams_its_diagnostics_then_its_recovery(tmp_path: Path) -> None:
    with live_server(tmp_path) as server:
        stream = EventStream(events_url(server, SAFETY))
        assert stream.next().data["ok"] is True
        good = break_manifest(server.builder.project.root)
        failed = stream.next()
        assert (failed.kind, failed.data["ok"], failed.data["generation"]) == ("diagnostics", False, 1)
        listed = failed.data["diagnostics"]
        assert isinstance(listed, list)
        errors = [d for d in listed if d["severity"] == "error"]
        assert errors[0]["path"] == "courses/workplace-safety/course.yaml" and errors[0]["line"] > 0
        assert errors[0]["text"].startswith(f"courses/workplace-safety/course.yaml:{errors[0]['line']}:")
        assert "[yaml.syntax]" in errors[0]["text"]

        late = EventStream(events_url(server, SAFETY))  # a page opened while the build is broken
        assert late.next().data == failed.data

        (server.builder.project.root / "courses/workplace-safety/course.yaml").write_text(
            good.replace("Induction", "Induction, revised"), encoding="utf-8")
        recovered, reload = stream.next(), stream.next()
        assert (recovered.kind, recovered.data["ok"], recovered.data["diagnostics"]) == ("diagnostics", True, [])
        assert (reload.kind, reload.data["generation"]) == ("reload", 2)


def test_a_bad_course_is_refused_and_the_script_is_served(tmp_path: Path) -> None:
    with live_server(tmp_path) as server:
        for query in ("", "?course=", "?course=../etc", "?course=%3Cscript%3E"):
            answer = httpx.get(f"{server.url}{EVENTS_PATH}{query}", timeout=WAIT_S)
            assert answer.status_code == 400, query
        script = httpx.get(f"{server.url}{SCRIPT_PATH}", timeout=WAIT_S)
        assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
        assert "new EventSource(" in script.text and "innerHTML" not in script.text
        tag = LiveReload.script_tag(SAFETY, frame='iframe[name="a&b"]', generation=3)
        assert tag == ('<script src="/__live/live.js" data-course="workplace-safety" '
                       'data-frame="iframe[name=&quot;a&amp;b&quot;]" data-reload="frame" '
                       'data-events="/__live/events?course=workplace-safety" data-generation="3" defer></script>')


def test_streams_end_on_close_and_a_gone_client_is_forgotten(tmp_path: Path) -> None:
    with live_server(tmp_path) as server:
        with httpx.Client(timeout=httpx.Timeout(WAIT_S, read=None)) as client, \
                client.stream("GET", events_url(server, SAFETY)) as response:
            lines = response.iter_lines()
            assert [next(lines) for _ in range(3)][1:] == ["", "id: 1"]  # the retry line, then the first message
            assert server.live.open_streams() == 1
        deadline = time.monotonic() + WAIT_S
        while server.live.open_streams() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.live.open_streams() == 0

        streams = [EventStream(events_url(server, course)) for course in (SAFETY, PRIVACY)]
        for stream in streams:
            stream.next()
        server.live.close()
        assert all(stream.ended.wait(WAIT_S) for stream in streams)
        assert httpx.get(events_url(server, SAFETY), timeout=WAIT_S).status_code == 503
