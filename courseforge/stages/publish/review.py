"""The courseforge review LMS (``courseforge serve``): packages uploaded over its HTTP API.

The contract (courseforge/lms/review implements it): ``GET /api/v1/health`` -> ``{"ok": true}``;
``GET /api/v1/packages?sha256=HEX`` (Bearer token) -> ``{"packages": [...]}``; ``POST /api/v1/packages``
(Bearer admin token, multipart field ``package``) -> 201 ``{"created": true, ...}`` or 200 ``{"created": false}``
when that sha256 is stored; ``DELETE /api/v1/packages/{sha256}`` (admin); errors ``{"error": "..."}``.
The server stores one upload atomically; this client makes a run all-or-nothing by deleting what it
created in the run when a later package fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from courseforge.model.publish import DEFAULT_REVIEW_TOKEN_ENV, PackageFile, PublishAction, PublishResult
from courseforge.stages.publish.context import PublishContext
from courseforge.stages.publish.errors import PublishError
from courseforge.stages.publish.http import JsonApi, checked_json, request
from courseforge.stages.publish.rollback import Rollback

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def review_token(context: PublishContext) -> str:
    """The admin token: the target's environment variable, else its token file, else (for a review LMS on this
    machine) the token file it wrote at first start."""
    variable = context.target.token_env or DEFAULT_REVIEW_TOKEN_ENV
    if context.environment.get(variable):
        return context.secret(variable, "an admin API token", "token_env")
    if context.target.token_file is not None:
        return context.file_secret(context.project_path(context.target.token_file), "the review LMS token")
    host = urlsplit(context.target.url).hostname or ""
    if host in LOCAL_HOSTS and context.review_token_file.is_file():
        return context.file_secret(context.review_token_file, "the review LMS token")
    raise PublishError(f"target '{context.name}' needs an admin API token: set {variable}, or name a file in "
                       "token_file (a local review LMS writes build/review/admin.token at its first start)")


class ReviewApi(JsonApi):
    """One review LMS's package API over one HTTP connection pool."""

    def check_up(self) -> None:
        answer = self.call(f"reaching the review LMS at {self.context.target.url}", "GET", "/api/v1/health")
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            raise PublishError(f"{self.context.target.url} does not answer as a courseforge review LMS")

    def stored(self, sha256: str) -> dict[str, Any] | None:
        answer = self.call("looking the package up", "GET", "/api/v1/packages", params={"sha256": sha256})
        found = answer.get("packages") if isinstance(answer, dict) else None
        if not isinstance(found, list):
            raise PublishError("the review LMS's package list is not in the documented shape")
        return next((item for item in found if isinstance(item, dict) and item.get("sha256") == sha256), None)

    def upload(self, package: PackageFile) -> dict[str, Any]:
        def send() -> httpx.Response:
            with Path(package.path).open("rb") as data:
                return request(self.client, "POST", "/api/v1/packages",
                               files={"package": (f"{package.key}.zip", data, "application/zip")})

        answer = self.context.retry.run(f"uploading {package.key}", lambda: checked_json(send(), "the upload"))
        if not isinstance(answer, dict):
            raise PublishError("the review LMS's upload answer is not in the documented shape")
        return answer

    def delete(self, sha256: str) -> None:
        self.call("removing a package of the failed run", "DELETE", f"/api/v1/packages/{sha256}")


def result(context: PublishContext, package: PackageFile, action: PublishAction,
           answer: dict[str, Any] | None) -> PublishResult:
    answer = answer or {}
    return PublishResult(context.name, package, action, remote_id=str(answer.get("course", "")),
                         version=str(answer.get("version", "")), url=str(answer.get("url", "")))


class ReviewPublisher:
    schemes: tuple[str, ...] = ("http", "https")

    def publish(self, packages: Sequence[PackageFile], context: PublishContext) -> list[PublishResult]:
        token = review_token(context)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        with httpx.Client(base_url=context.target.url.rstrip("/"), headers=headers,
                          timeout=context.target.timeout_s) as client, Rollback(context) as rollback:
            api = ReviewApi(client, context)
            api.check_up()
            results = [self.publish_one(api, package, rollback) for package in packages]
        return results

    def publish_one(self, api: ReviewApi, package: PackageFile, rollback: Rollback) -> PublishResult:
        context = api.context
        known = api.stored(package.sha256)
        if known is not None:
            return result(context, package, PublishAction.PRESENT, known)
        if context.dry_run:
            return result(context, package, PublishAction.WOULD_UPLOAD, None)
        answer = api.upload(package)
        if answer.get("created") is True:
            rollback.add(f"removing {package.key} from the review LMS", lambda: api.delete(package.sha256))
            context.log(f"uploaded {package.key} as version {answer.get('version')}")
            return result(context, package, PublishAction.UPLOADED, answer)
        return result(context, package, PublishAction.PRESENT, answer)

