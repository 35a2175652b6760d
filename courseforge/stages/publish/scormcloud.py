"""SCORM Cloud (Rustici's REST API v2): ``scormcloud://cloud.scorm.com/api/v2`` (HTTPS; ``scormcloud+http://`` for a
local test double only).

The calls (API v2 reference; FIELD_NOTES.md "What real LMSs accept for upload"): ``POST
/courses/importJobs/upload?courseId=…&mayCreateNewVersion=true`` with the zip as multipart field ``file`` answers
``{"result": jobId}``; ``GET /courses/importJobs/{jobId}`` is polled until its ``status`` is not RUNNING
(COMPLETE, or ERROR with ``message``); re-importing under the same courseId makes a new version. Basic auth with
the application id and secret key from the environment. Booleans are sent as the string ``true`` (the official
client's ``True`` is refused by strict validators).

Idempotence: each course carries the tag ``courseforge-sha256-<hex>`` of the package its latest version was
imported from (``PUT /courses/{id}/tags`` replaces the course's tags, so the others are kept and only that one is
swapped). Asked before every upload, it lives with the course itself, so a CI runner that starts empty, or a
second machine, sees what the last publish did; a local ledger would not. Its one gap: an import that completes
while the run dies before the tag is written is imported again next time (one extra version, nothing lost).
A run that fails after importing some packages deletes the versions it created (the course, for one it
created) and puts their tags back.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from courseforge.model.publish import PackageFile, PublishAction, PublishResult
from courseforge.stages.publish.context import PublishContext
from courseforge.stages.publish.errors import PublishError
from courseforge.stages.publish.files import replace_file
from courseforge.stages.publish.http import JsonApi, checked_bytes, checked_json, request
from courseforge.stages.publish.rollback import Rollback

TAG_PREFIX = "courseforge-sha256-"
RUNNING = "RUNNING"
COMPLETE = "COMPLETE"
DISPATCH_DESTINATION = "courseforge"
"""The dispatch destination courseforge's dispatches belong to (created or updated by each publish)."""
DISPATCH_TYPE = "SCORM12"
POLL_FIRST, POLL_MAX = 0.25, 5.0
"""Seconds between two polls of an import job: doubling from the first up to the most."""


def api_base(url: str) -> str:
    parts = urlsplit(url)
    scheme = "http" if parts.scheme == "scormcloud+http" else "https"
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def course_id(package: PackageFile) -> str:
    return package.key


@dataclass(frozen=True)
class CourseState:
    """What SCORM Cloud has of one course before this run: its tags (None: no such course)."""

    tags: tuple[str, ...] | None

    def has(self, sha256: str) -> bool:
        return self.tags is not None and f"{TAG_PREFIX}{sha256}" in self.tags

    def tagged(self, sha256: str) -> list[str]:
        return [*(t for t in self.tags or () if not t.startswith(TAG_PREFIX)), f"{TAG_PREFIX}{sha256}"]


class ScormCloudApi(JsonApi):
    def state(self, course: str) -> CourseState:
        response = self.found(f"asking for course {course}", f"/courses/{quote(course, safe='')}/tags")
        if response is None:
            return CourseState(None)
        tags = response.get("tags") if isinstance(response, dict) else None
        return CourseState(tuple(str(t) for t in tags) if isinstance(tags, list) else ())

    def version(self, course: str) -> str:
        answer = self.call(f"asking for course {course}", "GET", f"/courses/{quote(course, safe='')}")
        return str(answer.get("version", "")) if isinstance(answer, dict) else ""

    def start_import(self, package: PackageFile) -> str:
        def send() -> Any:
            with Path(package.path).open("rb") as data:
                return checked_json(request(self.client, "POST", "/courses/importJobs/upload",
                                            params={"courseId": course_id(package), "mayCreateNewVersion": "true"},
                                            files={"file": (f"{package.key}.zip", data, "application/zip")}),
                                    f"the import of {package.key}")

        answer = self.context.retry.run(f"uploading {package.key}", send)
        job = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(job, str) or not job:
            raise PublishError("SCORM Cloud's answer to the upload has no import job id")
        return job

    def finished_job(self, job: str, package: PackageFile) -> dict[str, Any]:
        """The import job once it is no longer RUNNING (polled with growing delays, at most timeout_s)."""
        deadline = time.monotonic() + self.context.target.timeout_s
        delay = POLL_FIRST
        while True:
            answer = self.call(f"polling the import of {package.key}", "GET",
                               f"/courses/importJobs/{quote(job, safe='')}")
            status = answer.get("status") if isinstance(answer, dict) else None
            if status != RUNNING:
                break
            if time.monotonic() + delay > deadline:
                raise PublishError(f"the import of {package.key} was still RUNNING after "
                                   f"{self.context.target.timeout_s:g} s (job {job})")
            self.context.retry.sleep(delay)
            delay = min(POLL_MAX, delay * 2)
        if status != COMPLETE:
            raise PublishError(f"SCORM Cloud could not import {package.key}: {status}: "
                               f"{answer.get('message') or 'no message'}")
        return dict(answer)

    def set_tags(self, course: str, tags: list[str]) -> None:
        self.call(f"tagging course {course}", "PUT", f"/courses/{quote(course, safe='')}/tags", json={"tags": tags})

    def dispatch_zip(self, course: str) -> bytes:
        """A dispatch package of the course (a small SCORM 1.2 zip that launches it from SCORM Cloud, for an LMS
        reached by dispatch): the destination set, the course's dispatch made once, its zip downloaded."""
        self.call("setting up the dispatch destination", "PUT", f"/dispatch/destinations/{DISPATCH_DESTINATION}",
                  json={"name": "courseforge publish"})
        dispatch = f"{course}-{DISPATCH_DESTINATION}"
        path = f"/dispatch/dispatches/{quote(dispatch, safe='')}"
        if self.found(f"asking for the dispatch of {course}", path) is None:
            data = {"destinationId": DISPATCH_DESTINATION, "courseId": course, "allowNewRegistrations": True,
                    "instanced": False, "registrationCap": 0, "enabled": True}
            self.call(f"creating the dispatch of {course}", "POST", "/dispatch/dispatches",
                      json={"dispatches": [{"id": dispatch, "data": data}]})
        what = f"downloading the dispatch zip of {course}"
        return self.context.retry.run(what, lambda: checked_bytes(
            request(self.client, "GET", f"{path}/zip", params={"type": DISPATCH_TYPE}), what))

    def remove_version(self, course: str, version: str, before: CourseState) -> None:
        """Undo one import: the course if this run created it, else the version it added (and its tag)."""
        path = f"/courses/{quote(course, safe='')}"
        if before.tags is None:
            self.call(f"removing course {course}", "DELETE", path)
            return
        self.call(f"removing version {version} of {course}", "DELETE", f"{path}/versions/{quote(version, safe='')}")
        self.set_tags(course, list(before.tags))


class ScormCloudPublisher:
    schemes: tuple[str, ...] = ("scormcloud", "scormcloud+http")

    def publish(self, packages: Sequence[PackageFile], context: PublishContext) -> list[PublishResult]:
        app_id = context.secret(context.target.app_id_env, "a SCORM Cloud application id", "app_id_env")
        secret = context.secret(context.target.secret_env, "a SCORM Cloud secret key", "secret_env")
        with httpx.Client(base_url=api_base(context.target.url), auth=httpx.BasicAuth(app_id, secret),
                          headers={"Accept": "application/json"}, timeout=context.target.timeout_s) as client, \
                Rollback(context) as rollback:
            api = ScormCloudApi(client, context)
            return [self.publish_one(api, package, rollback) for package in packages]

    def publish_one(self, api: ScormCloudApi, package: PackageFile, rollback: Rollback) -> PublishResult:
        context, course = api.context, course_id(package)
        before = api.state(course)
        if before.has(package.sha256):
            done = PublishResult(context.name, package, PublishAction.PRESENT, remote_id=course,
                                 version=api.version(course))
        elif context.dry_run:
            return PublishResult(context.name, package, PublishAction.WOULD_UPLOAD, remote_id=course)
        else:
            done = self.imported(api, package, before, rollback)
        if context.target.dispatch and not context.dry_run:
            path = context.download_folder / f"{course}-dispatch.zip"
            try:
                replace_file(path, api.dispatch_zip(course))
            except OSError as error:
                raise PublishError(f"cannot write {path}: {error.strerror}") from None
            done = dataclasses.replace(done, message=f"dispatch zip {path}")
        return done

    def imported(self, api: ScormCloudApi, package: PackageFile, before: CourseState,
                 rollback: Rollback) -> PublishResult:
        context, course = api.context, course_id(package)
        job = api.finished_job(api.start_import(package), package)
        imported = job.get("importResult") or {}
        version = str((imported.get("course") or {}).get("version", ""))
        rollback.add(f"removing version {version} of {course}",
                     lambda: api.remove_version(course, version, before))
        api.set_tags(course, before.tagged(package.sha256))
        context.log(f"imported {course} as version {version}")
        return PublishResult(context.name, package, PublishAction.UPLOADED, remote_id=course, version=version,
                             url=str(imported.get("webPathToCourse", "")))
