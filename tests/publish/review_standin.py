"""A stand-in for the review LMS's package API (the contract of courseforge/stages/publish/review.py), stateful
and in memory, until the real courseforge.lms.review app is the one tests run. It keeps every version, numbers
versions per course/locale/format (taken from the upload's file name, which the real server reads from the
package instead), and can be told to fail: 503 for the next N requests, 422 for the Nth upload."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ADMIN_TOKEN = "cf_admin-token-0123456789"
REVIEWER_TOKEN = "cf_reviewer-token-9876543210"


@dataclass
class ReviewStandIn:
    base_url: str = ""
    packages: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: int = 0
    """POSTs that carried a package."""
    unavailable: int = 0
    """Answer the next this-many requests with 503."""
    refuse_upload: int = 0
    """Answer the upload with this 1-based number with 422."""
    seen_authorization: list[str] = field(default_factory=list)

    def versions(self, course: str) -> list[int]:
        return sorted(int(p["version"]) for p in self.packages.values() if p["course"] == course)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/api/v1/health", self.health),
                                 Route("/api/v1/packages", self.list_or_upload, methods=["GET", "POST"]),
                                 Route("/api/v1/packages/{sha256}", self.delete, methods=["DELETE"])])

    def failing(self) -> Response | None:
        if self.unavailable > 0:
            self.unavailable -= 1
            return JSONResponse({"error": "starting up"}, status_code=503)
        return None

    def role(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        self.seen_authorization.append(header)
        return {f"Bearer {ADMIN_TOKEN}": "admin", f"Bearer {REVIEWER_TOKEN}": "reviewer"}.get(header)

    async def health(self, request: Request) -> Response:
        return self.failing() or JSONResponse({"ok": True})

    async def list_or_upload(self, request: Request) -> Response:
        if (failure := self.failing()) is not None:
            return failure
        role = self.role(request)
        if role is None:
            # Echoes what it was sent, as a careless server might: publish must not show it.
            sent = request.headers.get("authorization", "").removeprefix("Bearer ")
            return JSONResponse({"error": f"token '{sent}' is not valid"}, status_code=401)
        if request.method == "GET":
            wanted = request.query_params.get("sha256")
            return JSONResponse({"packages": [p for p in self.packages.values()
                                              if wanted is None or p["sha256"] == wanted]})
        if role != "admin":
            return JSONResponse({"error": "only admins upload"}, status_code=403)
        return await self.upload(request)

    async def upload(self, request: Request) -> Response:
        async with request.form() as form:
            upload = form.get("package")
            if not isinstance(upload, UploadFile):
                return JSONResponse({"error": "no 'package' file field"}, status_code=422)
            data, filename = await upload.read(), upload.filename or "x-x-x.zip"
        self.uploads += 1
        if self.uploads == self.refuse_upload:
            return JSONResponse({"error": "the package fails verification", "diagnostics": []}, status_code=422)
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 in self.packages:
            return JSONResponse({"created": False, **self.packages[sha256]}, status_code=200)
        course, locale, package_format = filename.removesuffix(".zip").rsplit("-", 2)
        version = len([p for p in self.packages.values() if p["course"] == course]) + 1
        entry = {"created_at": "2026-01-01T00:00:00Z", "course": course, "locale": locale, "format": package_format,
                 "version": version, "sha256": sha256, "size": len(data),
                 "url": f"{self.base_url}/courses/{course}/{version}"}
        self.packages[sha256] = entry
        return JSONResponse({"created": True, **entry}, status_code=201)

    async def delete(self, request: Request) -> Response:
        if self.role(request) != "admin":
            return JSONResponse({"error": "only admins delete"}, status_code=403)
        removed = self.packages.pop(request.path_params["sha256"], None)
        return JSONResponse({"deleted": removed is not None}, status_code=200 if removed else 404)
