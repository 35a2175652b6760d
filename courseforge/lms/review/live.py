"""Live reload for the review LMS's pages: a Server-Sent Events stream per course and the script a page includes.

:class:`LiveReload` listens to a :class:`~courseforge.lms.review.watch.WatchBuilder` (its events arrive on the
builder's thread and are handed to each stream's event loop) and serves, from :attr:`LiveReload.routes`:

- ``GET /__live/events?course=ID``: ``reload`` when the course's good build changed, ``diagnostics`` when a rebuild
  failed or the course recovered, and one ``diagnostics`` on connecting with the current generation, so a page
  opened (or reconnected) while a build is broken shows why, and one that missed a rebuild reloads;
- ``GET /__live/live.js``: the page side (:meth:`LiveReload.script_tag`), no framework: it reloads the content frame
  on ``reload`` (the frame's own URL, so its screen and the runtime's bookmark are kept) and shows or hides an
  overlay listing the diagnostics as text (``textContent``: nothing read from a file ever becomes HTML).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from courseforge.lms.review.watch import BuildEvent, BuildEventKind, CourseState

LIVE_PREFIX = "/__live"
EVENTS_PATH = f"{LIVE_PREFIX}/events"
SCRIPT_PATH = f"{LIVE_PREFIX}/live.js"
HEARTBEAT_S = 15.0
"""A comment line this often keeps proxies from closing an idle stream and lets the browser notice a dead one."""
RETRY_MS = 1000
"""How soon a browser reconnects after the stream broke (the review LMS restarted)."""
COURSE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
"""A course id as ``model.course.ID_PATTERN`` has it."""
NO_STORE = {"Cache-Control": "no-store"}
ReloadMode = Literal["frame", "page"]
PAGE_EVENTS = frozenset({BuildEventKind.RELOAD, BuildEventKind.DIAGNOSTICS})
"""What a page acts on (translations built after their source language's reload change nothing it shows)."""


class BuildSource(Protocol):
    """What live reload needs of a builder (``WatchBuilder`` is one)."""

    def subscribe(self, listener: Callable[[BuildEvent], None]) -> Callable[[], None]: ...

    def state(self, course_id: str) -> CourseState | None: ...


def sse_message(event: BuildEvent) -> bytes:
    """One SSE message: the event's kind, the course's generation as its id, its JSON on one data line."""
    data = json.dumps(event.to_json(), ensure_ascii=False, separators=(",", ":"))
    return f"id: {event.generation}\nevent: {event.kind.value}\ndata: {data}\n\n".encode()


def current_event(course_id: str, state: CourseState | None) -> BuildEvent:
    """What a page is told on connecting: the generation it should show and what the last rebuild reported."""
    if state is None:
        return BuildEvent(BuildEventKind.DIAGNOSTICS, course_id, 0)
    return BuildEvent(BuildEventKind.DIAGNOSTICS, course_id, state.generation, state.failure)


@dataclass(eq=False)
class Channel:
    """One open stream: its course, and the queue its event loop reads (None ends the stream)."""

    course_id: str
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[BuildEvent | None]

    def put(self, event: BuildEvent | None) -> None:
        """From any thread; a closed loop (the server stopped) took the stream with it."""
        with suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self.queue.put_nowait, event)


class LiveReload:
    """The live-reload endpoints over a build source; mount :attr:`routes` in the LMS's Starlette app, include
    :meth:`script_tag` in each page that shows a course, and call :meth:`close` before the server stops (an SSE
    stream never ends by itself)."""

    def __init__(self, source: BuildSource, *, heartbeat_s: float = HEARTBEAT_S) -> None:
        self._source = source
        self._heartbeat_s = heartbeat_s
        self._channels: set[Channel] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._unsubscribe = source.subscribe(self._publish)

    @property
    def routes(self) -> list[BaseRoute]:
        return [Route(EVENTS_PATH, self.events, methods=["GET"]), Route(SCRIPT_PATH, self.script, methods=["GET"])]

    @staticmethod
    def script_tag(course_id: str, *, frame: str = "iframe", generation: int | None = None,
                   reload: ReloadMode = "frame", reload_to: str | None = None) -> str:
        """The ``<script>`` element a page includes: ``frame`` is the CSS selector of the frame showing the course,
        ``generation`` the one the page was made with (a rebuild between making the page and connecting is then
        caught up); ``reload="page"`` reloads the whole page instead of the frame (an LMS frame whose API cannot
        start a second session); ``reload_to`` is a URL the page goes to instead (a page that names one version of
        the course goes to the newest one)."""
        attributes = {"src": SCRIPT_PATH, "data-course": course_id, "data-frame": frame, "data-reload": reload,
                      "data-events": f"{EVENTS_PATH}?{urlencode({'course': course_id})}"}
        if generation is not None:
            attributes["data-generation"] = str(generation)
        if reload_to is not None:
            attributes["data-reload-to"] = reload_to
        shown = " ".join(f'{name}="{html.escape(value, quote=True)}"' for name, value in attributes.items())
        return f"<script {shown} defer></script>"

    def open_streams(self) -> int:
        with self._lock:
            return len(self._channels)

    def close(self) -> None:
        """End every open stream and stop listening to the source."""
        with self._lock:
            self._closed = True
            channels = list(self._channels)
        self._unsubscribe()
        for channel in channels:
            channel.put(None)

    def _publish(self, event: BuildEvent) -> None:
        if event.kind not in PAGE_EVENTS:
            return
        with self._lock:
            channels = [channel for channel in self._channels if channel.course_id == event.course_id]
        for channel in channels:
            channel.put(event)

    async def events(self, request: Request) -> Response:
        course_id = request.query_params.get("course", "")
        if not COURSE_ID.fullmatch(course_id):
            return PlainTextResponse("the query must name a course: ?course=ID (letters, digits, '-' and '_')",
                                     status_code=400, headers=NO_STORE)
        with self._lock:
            if self._closed:
                return PlainTextResponse("live reload has stopped", status_code=503, headers=NO_STORE)
        channel = Channel(course_id, asyncio.get_running_loop(), asyncio.Queue())
        return StreamingResponse(self._stream(channel), media_type="text/event-stream",
                                 headers={**NO_STORE, "X-Accel-Buffering": "no"})

    async def _stream(self, channel: Channel) -> AsyncIterator[bytes]:
        """The current state first (registered before it is read: a rebuild in between arrives as well), then every
        event of the course until :meth:`close` or the browser goes (its task is cancelled). The channel is
        registered here, not before the response: a browser gone before the stream starts leaves nothing behind."""
        with self._lock:
            if self._closed:
                return
            self._channels.add(channel)
        try:
            yield f"retry: {RETRY_MS}\n\n".encode()
            yield sse_message(current_event(channel.course_id, self._source.state(channel.course_id)))
            while True:
                try:
                    event = await asyncio.wait_for(channel.queue.get(), self._heartbeat_s)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                if event is None:
                    return
                yield sse_message(event)
        finally:
            with self._lock:
                self._channels.discard(channel)

    async def script(self, request: Request) -> Response:
        return Response(LIVE_SCRIPT, media_type="text/javascript", headers=NO_STORE)


LIVE_SCRIPT = """\
/* courseforge live reload: reloads the course frame on "reload", lists a failed rebuild's diagnostics on top. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource) return;
  var course = script.getAttribute("data-course") || "";
  var selector = script.getAttribute("data-frame") || "iframe";
  var wholePage = script.getAttribute("data-reload") === "page";
  var goTo = script.getAttribute("data-reload-to");
  var shown = script.getAttribute("data-generation");
  var known = shown === null ? null : Number(shown);
  var overlay = null;

  /* The frame's own URL again: its screen (the hash) and the runtime's bookmark are kept. A page may take over
     (an LMS that must end the attempt first) by cancelling the "courseforge:live-reload" event. */
  function reloadFrame(generation) {
    var detail = { course: course, generation: generation };
    var asked = new CustomEvent("courseforge:live-reload", { cancelable: true, detail: detail });
    if (!window.dispatchEvent(asked)) return;
    if (goTo) { window.location.assign(goTo); return; }
    var frame = document.querySelector(selector);
    if (wholePage || !frame) { window.location.reload(); return; }
    whenLoaded(frame, function () {
      try { frame.contentWindow.location.reload(); } catch (error) { frame.src = frame.src; }
    });
  }

  /* A frame still on its way to its first document is reloaded once that has loaded: a reload asked for sooner
     would only restart the navigation under way (or reload the blank document before it), which may already
     have been answered with the build before. A frame of another origin shows no document: it is reloaded now. */
  function whenLoaded(frame, then) {
    var shown = frame.contentDocument;
    var arrived = !shown || (shown.readyState === "complete" && shown.URL !== "about:blank");
    if (arrived) then(); else frame.addEventListener("load", then, { once: true });
  }

  function element(tag, text, css) {
    var made = document.createElement(tag);
    if (text) made.textContent = text;
    if (css) made.style.cssText = css;
    return made;
  }

  function makeOverlay() {
    var box = element("section", "", "position:fixed;left:1rem;right:1rem;bottom:1rem;max-height:60vh;" +
      "overflow:auto;z-index:2147483647;background:#fff;color:#1b1b1f;border:3px solid #a1232b;" +
      "border-radius:6px;padding:0.75rem 1rem;font:14px/1.4 system-ui,sans-serif;box-shadow:0 4px 16px #0004");
    box.id = "courseforge-live-diagnostics-" + course;  /* one per course: a page may follow several */
    box.setAttribute("role", "alert");
    var hide = element("button", "Hide", "float:right");
    hide.type = "button";
    hide.addEventListener("click", function () { box.hidden = true; });
    box.appendChild(hide);
    box.appendChild(element("h2", "", "font-size:1rem;margin:0 0 0.5rem"));
    box.appendChild(element("pre", "", "white-space:pre-wrap;margin:0;font:13px/1.4 ui-monospace,monospace"));
    document.body.appendChild(box);
    return box;
  }

  function showDiagnostics(data) {
    if (!data.diagnostics.length) { if (overlay) overlay.hidden = true; return; }
    overlay = overlay || makeOverlay();
    var errors = data.diagnostics.filter(function (d) { return d.severity === "error"; });
    overlay.querySelector("h2").textContent = "The last rebuild of " + data.course + " failed (" +
      errors.length + " error" + (errors.length === 1 ? "" : "s") + "): this is still the last good build";
    overlay.querySelector("pre").textContent = data.diagnostics.map(function (d) { return d.text; }).join("\\n");
    overlay.hidden = false;
  }

  /* A generation other than the one shown (0: none was built yet) means the frame is stale. */
  function follow(generation) {
    var changed = known !== null && generation !== known;
    known = generation;
    if (changed) reloadFrame(generation);
  }

  var source = new EventSource(script.getAttribute("data-events") ||
    "/__live/events?course=" + encodeURIComponent(course));
  source.addEventListener("reload", function (message) { follow(JSON.parse(message.data).generation); });
  source.addEventListener("diagnostics", function (message) {
    var data = JSON.parse(message.data);
    showDiagnostics(data);
    follow(data.generation);
  });
})();
"""
