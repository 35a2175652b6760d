"""The test LMS as a Starlette app: host page, LMS-side JavaScript, launched packages, commits, calls.

  GET  /lms/host.html?launch=<id>      the LMS page (static/), builds a scorm-again API and frames the content
  GET  /lms/plain.html?launch=<id>     the LMS page without an API (xAPI, cmi5: their LMS is on the server)
  GET  /lms/<file>.js                  host.js, scorm-again and axe-core (from the runtime lookup)
  *    /__lms/<format>/...             each plug-in's LMS side (an LRS, a cmi5 launch service)
  GET  /__lms/launches/<id>            what the host page needs for one launch (JSON)
  POST /__lms/commit/<id>[?terminate=true]   scorm-again's lmsCommitUrl: stores the commit
  POST /__lms/events/<id>              recorded API calls, in batches
  GET  /<anything else>                files under the served root (packages under /packages/<id>/)
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from courseforge.stages.preview.harness.interface import Attempt, HostLaunch, LaunchRequest
from courseforge.stages.preview.harness.profiles import LmsProfile
from courseforge.stages.preview.harness.runtime import LmsRuntime
from courseforge.stages.preview.harness.store import HarnessStore, LaunchRow

STATIC = Path(__file__).parent / "static"
COMMIT_PATH = "/__lms/commit/"
EVENTS_PATH = "/__lms/events/"
LAUNCH_PATH = "/__lms/launches/"
HOST_PAGE = "/lms/host.html"
PLUGIN_PREFIX = "/__lms/"
"""Each plug-in's LMS side is mounted at ``/__lms/<format>``."""
COMMIT_ANSWER = {"result": True, "errorCode": 0}


class _NoStoreAndMissing:
    """Packages never come from cache (a relaunch must load what the server has); 404s are kept.

    Pure ASGI, so a client that goes away mid-request (a page closed during a slow commit) does not
    cancel the handler."""

    def __init__(self, app: ASGIApp, store: HarnessStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                if not path.startswith("/lms/"):
                    MutableHeaders(scope=message)["Cache-Control"] = "no-store"
                if message["status"] == 404:
                    self.store.add_not_found(path)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def register_launch(store: HarnessStore, request: LaunchRequest, opened: HostLaunch, attempt: Attempt,
                    log_level: int) -> dict[str, Any]:
    """Store one launch, opened by its format's LMS side, with what its LMS page will get from
    ``/__lms/launches/<id>`` (host.js reads it); that config is returned."""
    config = {**opened.config, "launchUrl": opened.content_url, "eventsUrl": request.events_url,
              "logLevel": log_level, "profile": request.profile.to_host(),
              "attempt": {"number": attempt.number, "resumed": attempt.resumed, "data": dict(attempt.data)}}
    store.add_launch(LaunchRow(
        id=request.launch_id, package=request.package.id, sco=request.unit.identifier, learner=request.learner.id,
        attempt=attempt.number, profile=request.profile.name, config=config, opened=time.time()))
    return config


def _json_body(raw: bytes) -> object:
    # Terminate commits come by sendBeacon as text/plain; the body is JSON either way.
    return json.loads(raw or b"{}")


def create_harness_app(store: HarnessStore, runtime: LmsRuntime, www: Path,
                       profiles: Mapping[str, LmsProfile],
                       sides: Mapping[str, Sequence[BaseRoute]] | None = None) -> Starlette:
    """The app; ``sides`` maps a mount path (``/__lms/xapi``) to a plug-in's routes."""
    running: set[asyncio.Future[None]] = set()
    """Commits being processed; kept referenced so a request cancelled mid-commit still stores it."""
    scripts = {"scorm-again.min.js": runtime.scorm_again.path, "axe.min.js": runtime.axe_core.path}

    async def lms_file(request: Request) -> Response:
        name = request.path_params["name"]
        path = scripts.get(name) or (STATIC / name if (STATIC / name).is_file() and "/" not in name else None)
        if path is None:
            return PlainTextResponse("not found", 404)
        return FileResponse(path)

    async def launch_config(request: Request) -> Response:
        row = store.launch(request.path_params["launch"])
        if row is None:
            return PlainTextResponse("unknown launch", 404)
        return JSONResponse(dict(row.config))

    async def commit(request: Request) -> Response:
        received = time.time()
        row = store.launch(request.path_params["launch"])
        if row is None:
            return PlainTextResponse("unknown launch", 404)
        try:
            payload = _json_body(await request.body())
        except ValueError:
            return PlainTextResponse("commit body is not JSON", 400)
        cmi = payload.get("cmi", {}) if isinstance(payload, dict) else {}
        terminate = request.query_params.get("terminate") == "true"

        async def process() -> None:
            # A slow LMS stores the commit only after it has worked on it.
            await asyncio.sleep(profiles[row.profile].write_delay_s)
            store.add_commit(row, terminate, cmi if isinstance(cmi, dict) else {}, received)

        task = asyncio.ensure_future(process())
        running.add(task)
        task.add_done_callback(running.discard)
        await asyncio.shield(task)
        return JSONResponse(COMMIT_ANSWER)

    async def events(request: Request) -> Response:
        launch_id = request.path_params["launch"]
        if store.launch(launch_id) is None:
            return PlainTextResponse("unknown launch", 404)
        try:
            batch = _json_body(await request.body())
        except ValueError:
            return PlainTextResponse("events body is not JSON", 400)
        if not isinstance(batch, list) or not all(isinstance(e, dict) for e in batch):
            return PlainTextResponse("events body must be a JSON list of objects", 400)
        store.add_events(launch_id, batch)
        return JSONResponse({"stored": len(batch)})

    routes: list[BaseRoute] = [
        Route("/lms/{name}", lms_file, methods=["GET"]),
        Route(LAUNCH_PATH + "{launch}", launch_config, methods=["GET"]),
        Route(COMMIT_PATH + "{launch}", commit, methods=["POST"]),
        Route(EVENTS_PATH + "{launch}", events, methods=["POST"]),
        *(Mount(prefix, routes=list(side)) for prefix, side in (sides or {}).items()),
        Mount("/", app=StaticFiles(directory=www, html=False)),
    ]
    return Starlette(routes=routes, middleware=[Middleware(_NoStoreAndMissing, store=store)])
