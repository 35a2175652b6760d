"""The cmi5 launch service over HTTP, and a host that mounts it next to the LRS.

Routes of ``create_cmi5_app(lms)`` (JSON in and out; mount it, e.g. at ``/cmi5``):

- ``POST /fetch/{ticket}``: the AU's one-time fetch (§8.2); POST only, always 200 with the cmi5 JSON.
- ``POST /registrations`` ``{"course", "learner": {"homePage", "name"}, "preferences"?}`` -> 201 ``{"registration"}``
- ``POST /registrations/{id}/launches`` ``{"au", "launchMode"?, "returnURL"?}`` -> 201 ``{"url", "session"}``
- ``POST /registrations/{id}/waivers`` ``{"au", "reason"}`` -> 201 ``{"session"}``
- ``POST /sweep`` ``{"idleSeconds"}`` -> 200 ``{"abandoned": [...]}``

These are the LMS's own controls (the preview and review LMS call them); they sit behind the host's access
control, not the AU's token. ``create_cmi5_host`` wires LRS and launch service into one app.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from courseforge.lms.cmi5.launch import Learner, LearnerPreferences
from courseforge.lms.cmi5.records import RecordBook
from courseforge.lms.cmi5.service import Cmi5Conflict, Cmi5Error, Cmi5Lms
from courseforge.lms.cmi5.vocabulary import AudioPreference, LaunchMode, WaiveReason
from courseforge.lms.lrs.app import LrsContext, create_lrs_app
from courseforge.lms.lrs.auth import Credentials
from courseforge.lms.lrs.store import LrsStore


class BadRequest(ValueError):
    pass


async def _body(request: Request) -> dict[str, Any]:
    try:
        value = json.loads(await request.body() or b"{}")
    except ValueError:
        raise BadRequest("the request body is not JSON") from None
    if not isinstance(value, dict):
        raise BadRequest("the request body must be a JSON object")
    return value


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{name}: a non-empty string is required")
    return value


def _optional_text(body: dict[str, Any], name: str) -> str | None:
    return None if body.get(name) is None else _text(body, name)


def _registration(request: Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.path_params["registration"])
    except ValueError:
        raise BadRequest("the registration must be a UUID") from None


def _preferences(value: object) -> LearnerPreferences | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest("preferences: an object is required")
    languages = value.get("languages", [])
    audio = value.get("audio")
    if not isinstance(languages, list) or not all(isinstance(tag, str) for tag in languages):
        raise BadRequest("preferences.languages: a list of language tags is required")
    try:
        return LearnerPreferences(tuple(languages), None if audio is None else AudioPreference(audio))
    except ValueError:
        raise BadRequest("preferences.audio: 'on' or 'off'") from None


@dataclass(frozen=True)
class Cmi5Endpoints:
    lms: Cmi5Lms

    async def fetch(self, request: Request) -> Response:
        reply = await run_in_threadpool(self.lms.fetch, request.path_params["ticket"])
        return JSONResponse(reply.body, headers={"Cache-Control": "no-store"})

    async def register(self, request: Request) -> Response:
        body = await _body(request)
        learner = body.get("learner")
        if not isinstance(learner, dict):
            raise BadRequest("learner: an object with homePage and name is required")
        entry = await run_in_threadpool(self.lms.register, _text(body, "course"),
                                        Learner(_text(learner, "homePage"), _text(learner, "name")),
                                        _preferences(body.get("preferences")))
        return JSONResponse({"registration": str(entry.id)}, 201)

    async def launch(self, request: Request) -> Response:
        body = await _body(request)
        try:
            mode = LaunchMode(body.get("launchMode", LaunchMode.NORMAL))
        except ValueError:
            raise BadRequest("launchMode: Normal, Browse or Review") from None
        launch = await run_in_threadpool(lambda: self.lms.launch(
            _registration(request), _text(body, "au"), mode=mode, return_url=_optional_text(body, "returnURL")))
        return JSONResponse({"url": launch.url, "session": str(launch.session.session_id)}, 201)

    async def waive(self, request: Request) -> Response:
        body = await _body(request)
        try:
            reason = WaiveReason(str(body.get("reason")))
        except ValueError:
            raise BadRequest(f"reason: one of {', '.join(r.value for r in WaiveReason)}") from None
        session = await run_in_threadpool(self.lms.waive, _registration(request), _text(body, "au"), reason)
        return JSONResponse({"session": str(session)}, 201)

    async def sweep(self, request: Request) -> Response:
        idle = (await _body(request)).get("idleSeconds")
        if not isinstance(idle, int | float) or isinstance(idle, bool) or idle < 0:
            raise BadRequest("idleSeconds: a number of seconds (0 or more) is required")
        abandoned = await run_in_threadpool(self.lms.sweep, timedelta(seconds=idle))
        return JSONResponse({"abandoned": [str(session) for session in abandoned]})


async def _bad_request(request: Request, error: Exception) -> Response:
    return JSONResponse({"error": str(error)}, 400)


async def _not_found(request: Request, error: Exception) -> Response:
    return JSONResponse({"error": str(error.args[0] if error.args else error)}, 404)


async def _conflict(request: Request, error: Exception) -> Response:
    return JSONResponse({"error": str(error)}, 409)


def create_cmi5_app(lms: Cmi5Lms) -> Starlette:
    endpoints = Cmi5Endpoints(lms)
    routes: list[BaseRoute] = [
        Route("/fetch/{ticket}", endpoints.fetch, methods=["POST"]),
        Route("/registrations", endpoints.register, methods=["POST"]),
        Route("/registrations/{registration}/launches", endpoints.launch, methods=["POST"]),
        Route("/registrations/{registration}/waivers", endpoints.waive, methods=["POST"]),
        Route("/sweep", endpoints.sweep, methods=["POST"]),
    ]
    return Starlette(routes=routes, exception_handlers={BadRequest: _bad_request, Cmi5Error: _not_found,
                                                       Cmi5Conflict: _conflict})


@dataclass(frozen=True)
class Cmi5Host:
    app: Starlette
    lms: Cmi5Lms
    lrs: LrsContext


def create_cmi5_host(store: LrsStore, base_credentials: Credentials, *, base_url: str, strict: bool = True,
                     extra_routes: list[BaseRoute] | None = None, records: RecordBook | None = None) -> Cmi5Host:
    """One app: the LRS at ``/xAPI``, the launch service at ``/cmi5``; ``base_url`` is where it is served
    (the launch URL's endpoint and fetch are absolute). ``strict`` installs the strict mode policy;
    ``records`` is where the LMS keeps registrations and sessions (memory when None)."""
    base = base_url.rstrip("/")
    lms = Cmi5Lms(store, endpoint=f"{base}/xAPI/", fetch_base=f"{base}/cmi5/fetch/",
                  base_credentials=base_credentials, records=records)
    lrs = create_lrs_app(store, lms.credentials, policies=[lms.strict_policy] if strict else [], prefix="",
                         observers=[lms.after_stored])
    context: LrsContext = lrs.state.lrs
    lms.bind(context.service)
    app = Starlette(routes=[Mount("/xAPI", app=lrs), Mount("/cmi5", app=create_cmi5_app(lms)),
                            *(extra_routes or [])])
    return Cmi5Host(app, lms, context)
