"""The review LMS's HTTP API under ``/api/v1`` (``courseforge publish`` is its client; keep the contract).

  GET    /api/v1/health                   200 {"ok": true}, no auth
  POST   /api/v1/packages                 admin token; multipart/form-data, file field "package"
                                          201 {"created": true, "course", "locale", "format", "version",
                                          "sha256", "size", "url", ...}; 200 the same with "created": false
                                          for bytes already stored; 401 no/bad token; 403 a reviewer's;
                                          413 above the size limit; 422 {"error", "diagnostics"} failed
                                          verification; 400 not a form with a "package" file
  GET    /api/v1/packages[?sha256=HEX]    any token; 200 {"packages": [...]} (empty when unknown)
  DELETE /api/v1/packages/{sha256}        admin token; 200 {"deleted": sha256}; 404 unknown
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from courseforge.lms.review.auth import api_user
from courseforge.lms.review.database import User
from courseforge.lms.review.service import ReviewLms
from courseforge.lms.review.uploads import Refusal, take_upload

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _error(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def base_url(request: Request) -> str:
    """The absolute address the client used (answers name URLs the client can follow)."""
    return str(request.base_url).rstrip("/")


def api_routes(lms: ReviewLms) -> list[BaseRoute]:
    def authorized(request: Request, admin: bool) -> User | JSONResponse:
        user = api_user(request, lms.database)
        if user is None:
            return _error(401, "a valid API token is required: send 'Authorization: Bearer <token>'")
        if admin and not user.is_admin:
            return _error(403, f"user {user.name!r} is a reviewer; only admins upload and delete packages")
        return user

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def upload(request: Request) -> Response:
        user = authorized(request, admin=True)
        if isinstance(user, JSONResponse):
            return user
        published = await take_upload(request, lms, user.name)
        if isinstance(published, Refusal):
            return JSONResponse(published.to_json(), status_code=published.status)
        return JSONResponse(published.package.to_json(base_url(request), created=published.created),
                            status_code=201 if published.created else 200)

    async def listing(request: Request) -> Response:
        user = authorized(request, admin=False)
        if isinstance(user, JSONResponse):
            return user
        wanted = request.query_params.get("sha256")
        if wanted is not None:
            found = lms.database.package(wanted.lower())
            packages = [] if found is None else [found]
        else:
            packages = lms.database.packages()
        return JSONResponse({"packages": [p.to_json(base_url(request)) for p in packages]})

    async def delete(request: Request) -> Response:
        user = authorized(request, admin=True)
        if isinstance(user, JSONResponse):
            return user
        sha256 = request.path_params["sha256"].lower()
        if not SHA256.match(sha256) or not lms.library.delete(sha256):
            return _error(404, f"no package with sha256 {sha256}")
        return JSONResponse({"deleted": sha256})

    return [
        Route("/api/v1/health", health, methods=["GET"]),
        Route("/api/v1/packages", upload, methods=["POST"]),
        Route("/api/v1/packages", listing, methods=["GET"]),
        Route("/api/v1/packages/{sha256}", delete, methods=["DELETE"]),
    ]
