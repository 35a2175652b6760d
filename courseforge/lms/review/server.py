"""``ReviewServer``: a review LMS on a socket bound first (its URL known before the LMS is built), served by
uvicorn in the foreground (``courseforge serve``) or in a daemon thread (tests, a watcher's process)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType

import uvicorn
from starlette.routing import BaseRoute

from courseforge.lms.lrs.server import bind, make_server, url_of
from courseforge.lms.review.app import create_review_app
from courseforge.lms.review.pages import CatalogHead, PageHead, Settled
from courseforge.lms.review.service import ReviewLms, ReviewPaths
from courseforge.stages.preview.harness.runtime import LmsRuntime

START_TIMEOUT_S = 10.0


class _Uvicorn(uvicorn.Server):
    """uvicorn with hooks run as its shutdown begins: an endless response (a live-reload stream) must be ended
    before uvicorn waits for the open connections to finish."""

    def __init__(self, config: uvicorn.Config, on_stop: Sequence[Callable[[], None]]) -> None:
        super().__init__(config)
        self._on_stop = on_stop

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for hook in self._on_stop:
            hook()
        await super().shutdown(sockets)


class ReviewServer:
    """``with ReviewServer(paths, runtime) as server: server.url, server.lms.library.publish_bytes(...)``."""

    def __init__(self, paths: ReviewPaths, runtime: LmsRuntime, *, host: str = "127.0.0.1", port: int = 0,
                 extra_routes: Sequence[BaseRoute] = (), page_head: PageHead | None = None,
                 public_url: str | None = None, open_paths: Sequence[str] = (),
                 catalog_head: CatalogHead | None = None, settled: Settled | None = None,
                 on_stop: Sequence[Callable[[], None]] = ()) -> None:
        """``public_url``: the address browsers reach the LMS at, when it is not the bound one (a wildcard host,
        a proxy); launch URLs handed to content (the xAPI endpoint, cmi5's fetch URL) start with it. ``on_stop``
        runs on the server's loop as it begins to stop (live reload's ``close``, which ends its streams); ``settled``
        is awaited before ``/latest`` looks for a course's newest version (a watch session storing a build)."""
        self.socket: socket.socket = bind(host, port)
        self.url = public_url.rstrip("/") if public_url else url_of(self.socket)
        self.lms = ReviewLms(paths, self.url, runtime)
        app = create_review_app(self.lms, runtime, extra_routes=extra_routes, page_head=page_head,
                                open_paths=open_paths, catalog_head=catalog_head, settled=settled)
        self._server: uvicorn.Server = _Uvicorn(make_server(app).config, on_stop)
        self._thread: threading.Thread | None = None
        self._closed = False

    def __enter__(self) -> ReviewServer:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def run(self) -> None:
        """Serve in this thread until interrupted (the command)."""
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self.close()

    def start(self) -> None:
        """Serve in a daemon thread; returns once the server accepts connections."""
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self.socket]}, daemon=True,
                                        name="review-lms")
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the review LMS did not start within {START_TIMEOUT_S:.0f} s")
            time.sleep(0.01)

    def close(self) -> None:
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=START_TIMEOUT_S)
            self._thread = None
        if not self._closed:
            self._closed = True
            self.socket.close()
            self.lms.close()
