"""A stateful stand-in for the SCORM Cloud API v2 endpoints courseforge publish calls (described in
fixtures/scormcloud-v2.yaml, which Prism holds every request and answer to): courses with versions from 0 and
tags, import jobs that answer RUNNING to the first polls and then COMPLETE (or ERROR for a zip with no manifest
an LMS imports by). It echoes a refused login's credentials in its message, as a careless server might."""

from __future__ import annotations

import base64
import io
import itertools
import zipfile
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

APP_ID, SECRET = "CF_TEST_APP", "cloud-secret-key-7f3a9d"
MANIFESTS = ("imsmanifest.xml", "tincan.xml", "cmi5.xml")


@dataclass
class Job:
    course: str
    data: bytes
    polls_left: int
    result: dict[str, Any] | None = None


@dataclass
class CloudStandIn:
    courses: dict[str, dict[str, Any]] = field(default_factory=dict)
    destinations: dict[str, str] = field(default_factory=dict)
    dispatches: dict[str, dict[str, Any]] = field(default_factory=dict)
    """courseId -> {"versions": [{"version", "size"}], "tags": [...]}"""
    jobs: dict[str, Job] = field(default_factory=dict)
    running_polls: int = 2
    uploads: int = 0
    polls: int = 0
    requests: list[str] = field(default_factory=list)
    job_ids: itertools.count[int] = field(default_factory=itertools.count)

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/courses/importJobs/upload", self.upload, methods=["POST"]),
            Route("/courses/importJobs/{job}", self.job, methods=["GET"]),
            Route("/courses/{course}/versions/{version:int}", self.delete_version, methods=["DELETE"]),
            Route("/courses/{course}/tags", self.tags, methods=["GET", "PUT"]),
            Route("/courses/{course}", self.course, methods=["GET", "DELETE"]),
            Route("/dispatch/destinations/{destination}", self.destination, methods=["PUT"]),
            Route("/dispatch/dispatches", self.create_dispatches, methods=["POST"]),
            Route("/dispatch/dispatches/{dispatch}/zip", self.dispatch_zip, methods=["GET"]),
            Route("/dispatch/dispatches/{dispatch}", self.dispatch, methods=["GET"]),
        ])

    def reset(self) -> None:
        """A new test's empty account (the server, and Prism in front of it, stay up for the module)."""
        self.courses.clear()
        self.jobs.clear()
        self.destinations.clear()
        self.dispatches.clear()
        self.requests.clear()
        self.running_polls, self.uploads, self.polls = 2, 0, 0

    def versions(self, course: str) -> list[int]:
        return [v["version"] for v in self.courses.get(course, {}).get("versions", [])]

    def refused(self, request: Request) -> Response | None:
        self.requests.append(f"{request.method} {request.url.path}?{request.url.query}")
        header = request.headers.get("authorization", "")
        if header == "Basic " + base64.b64encode(f"{APP_ID}:{SECRET}".encode()).decode():
            return None
        sent = base64.b64decode(header.removeprefix("Basic ") or b"").decode(errors="replace")
        return JSONResponse({"message": f"credentials '{sent}' are not valid"}, status_code=401)

    def missing(self, course: str) -> Response:
        return JSONResponse({"message": f"course '{course}' not found"}, status_code=404)

    async def upload(self, request: Request) -> Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        async with request.form() as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                return JSONResponse({"message": "no file"}, status_code=400)
            data = await upload.read()
        course = request.query_params["courseId"]
        if course in self.courses and request.query_params.get("mayCreateNewVersion") != "true":
            return JSONResponse({"message": f"course '{course}' exists"}, status_code=400)
        self.uploads += 1
        job = f"job-{next(self.job_ids)}"
        self.jobs[job] = Job(course, data, self.running_polls)
        return JSONResponse({"result": job})

    def complete(self, job_id: str, job: Job) -> dict[str, Any]:
        names = zipfile.ZipFile(io.BytesIO(job.data)).namelist()
        if not any(name in names for name in MANIFESTS):
            return {"jobId": job_id, "status": "ERROR", "message": "No manifest (imsmanifest.xml, tincan.xml or "
                                                                   "cmi5.xml) found at the root of the package"}
        entry = self.courses.setdefault(job.course, {"versions": [], "tags": []})
        version = max(self.versions(job.course), default=-1) + 1
        entry["versions"].append({"version": version, "size": len(job.data)})
        course = {"id": job.course, "title": job.course, "version": version, "courseLearningStandard": "SCORM12"}
        return {"jobId": job_id, "status": "COMPLETE", "message": "",
                "importResult": {"webPathToCourse": f"/courses/{job.course}/{version}", "parserWarnings": [],
                                 "courseLanguages": [], "course": course}}

    async def job(self, request: Request) -> Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        job_id = request.path_params["job"]
        job = self.jobs.get(job_id)
        if job is None:
            return JSONResponse({"message": "no such job"}, status_code=404)
        self.polls += 1
        if job.polls_left > 0:
            job.polls_left -= 1
            return JSONResponse({"jobId": job_id, "status": "RUNNING"})
        job.result = job.result or self.complete(job_id, job)
        return JSONResponse(job.result)

    async def tags(self, request: Request) -> Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        course = request.path_params["course"]
        if course not in self.courses:
            return self.missing(course)
        if request.method == "PUT":
            self.courses[course]["tags"] = list((await request.json())["tags"])
            return Response(status_code=204)
        return JSONResponse({"tags": self.courses[course]["tags"]})

    async def course(self, request: Request) -> Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        course = request.path_params["course"]
        if course not in self.courses:
            return self.missing(course)
        if request.method == "DELETE":
            del self.courses[course]
            return Response(status_code=204)
        return JSONResponse({"id": course, "title": course, "version": max(self.versions(course)),
                             "tags": self.courses[course]["tags"]})

    async def delete_version(self, request: Request) -> Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        course, version = request.path_params["course"], request.path_params["version"]
        if version not in self.versions(course):
            return self.missing(course)
        self.courses[course]["versions"] = [v for v in self.courses[course]["versions"] if v["version"] != version]
        return Response(status_code=204)

    async def destination(self, request: Request) -> Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        self.destinations[request.path_params["destination"]] = (await request.json())["name"]
        return Response(status_code=204)

    async def create_dispatches(self, request: Request) -> Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        for item in (await request.json())["dispatches"]:
            data = item["data"]
            if data["destinationId"] not in self.destinations or data["courseId"] not in self.courses:
                return JSONResponse({"message": "unknown destination or course"}, status_code=400)
            self.dispatches[item["id"]] = data
        return Response(status_code=204)

    async def dispatch(self, request: Request) -> Response:
        if (refusal := self.refused(request)) is not None:
            return refusal
        found = self.dispatches.get(request.path_params["dispatch"])
        return JSONResponse(found) if found else JSONResponse({"message": "no such dispatch"}, status_code=404)

    async def dispatch_zip(self, request: Request) -> Response:
        """A dispatch package as SCORM Cloud makes one: a SCORM 1.2 wrapper naming the dispatch it launches."""
        if (refusal := self.refused(request)) is not None:
            return refusal
        dispatch = request.path_params["dispatch"]
        if dispatch not in self.dispatches:
            return JSONResponse({"message": "no such dispatch"}, status_code=404)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as package:
            package.writestr("imsmanifest.xml", f'<manifest identifier="{dispatch}"/>')
            package.writestr("dispatch.html", bytes(range(256)))  # bytes that are not UTF-8, as real zips have
        return Response(out.getvalue(), media_type="application/zip")
