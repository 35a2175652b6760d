"""The LMS side of the SCORM browser tests: a local web server, a host page and a session helper.

SCORM content talks to whatever ``API`` object a parent frame offers, so the honest test is a real
browser, a real LMS-side runtime (scorm-again) and the package served over HTTP as an LMS serves it.
Commits are posted to this server (scorm-again's ``lmsCommitUrl``), which keeps them as an LMS keeps
a learner's record; a relaunch loads that record back with ``loadFromJSON``.

Served layout (one server per test session, one folder per launch):
  /lms/host12.html, /lms/host.js, /lms/scorm-again.min.js   the host page and runtime
  /packages/<launch id>/...                                 an extracted package
  POST /__lms/commit/<launch id>[?terminate=true]           commits (the LMSFinish one is marked)

Imported by the browser tests as ``lms`` (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import shutil
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple, cast
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Frame, Page

HOST_FILES = Path(__file__).parent / "lms"
SCORM_AGAIN = Path(__file__).parents[2] / "node_modules" / "scorm-again" / "dist" / "scorm-again.min.js"
COMMIT_PATH = "/__lms/commit/"
# How long a terminate commit may trail LMSFinish, and how long to wait for one after a close.
FINAL_COMMIT_TIMEOUT_S = 5.0
CLOSE_GRACE_S = 0.5

# What the LMS hands a learner's first attempt; SCORM 1.2 RTE 3.4: entry is "ab-initio" the first time.
FIRST_ATTEMPT_CMI: dict[str, Any] = {
    "core": {
        "student_id": "learner-1",
        "student_name": "Learner, Test",
        "credit": "credit",
        "entry": "ab-initio",
        "lesson_mode": "normal",
    }
}


class ApiCall(NamedTuple):
    """One tracking call the content made, as the host page recorded it."""

    method: str
    args: list[Any]
    result: Any
    error: str  # the API's last error code right after the call ("0" when it succeeded)


@dataclass(frozen=True)
class Commit:
    """One commit the runtime posted: the learner record the LMS would store."""

    terminate: bool
    cmi: dict[str, Any]


@dataclass
class _Store:
    """State the request handler threads share with the test thread."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    commits: dict[str, list[Commit]] = field(default_factory=dict)
    not_found: list[str] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, store: _Store) -> None:
        self.root = root
        self.store = store
        super().__init__(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))


class _Handler(SimpleHTTPRequestHandler):
    """Static files from the served root, plus the commit endpoint."""

    server: _Server

    def end_headers(self) -> None:
        # Packages must never come from cache; the host files may (a relaunch loads them again).
        if not self.path.startswith("/lms/"):
            self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if not url.path.startswith(COMMIT_PATH):
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        launch_id = url.path.removeprefix(COMMIT_PATH)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        # Terminate commits arrive by sendBeacon as text/plain; the body is JSON either way.
        payload = json.loads(body or b"{}")
        terminate = parse_qs(url.query).get("terminate") == ["true"]
        with self.server.store.lock:
            self.server.store.commits.setdefault(launch_id, []).append(
                Commit(terminate=terminate, cmi=payload.get("cmi", {}))
            )
        answer = b'{"result": true, "errorCode": 0}'
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # A 404 is a file the package references but does not ship: keep it for assertions.
        if str(code) == str(int(HTTPStatus.NOT_FOUND)):
            with self.server.store.lock:
                self.server.store.not_found.append(urlsplit(self.path).path)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean; problems surface through not_found and the commit store."""


class LmsServer:
    """A threaded HTTP server on 127.0.0.1 (ephemeral port) serving ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._store = _Store()
        self._server = _Server(root, self._store)
        # A short poll interval keeps shutdown() quick at the end of the test session.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="lms-server", daemon=True
        )
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"

    def start(self) -> None:
        """Copy the host page and scorm-again into /lms/, then serve."""
        host_dir = self.root / "lms"
        shutil.copytree(HOST_FILES, host_dir, dirs_exist_ok=True)
        shutil.copy2(SCORM_AGAIN, host_dir / SCORM_AGAIN.name)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def commits(self, launch_id: str) -> list[Commit]:
        with self._store.lock:
            return list(self._store.commits.get(launch_id, []))

    def not_found(self, prefix: str = "/") -> list[str]:
        with self._store.lock:
            return [path for path in self._store.not_found if path.startswith(prefix)]


def zip_dir(source: Path, target: Path) -> Path:
    """Zip a folder the way a package is laid out (paths relative to it); stands in for a build."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(source).as_posix())
    return target


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local(child.tag) == name]


def launch_href(package_dir: Path) -> str:
    """The launch page of the default organization's first SCO, as an LMS reads imsmanifest.xml.

    Resolves xml:base on <resources>/<resource> and appends the item's ``parameters``; a folder with
    no manifest launches index.html.
    """
    manifest = package_dir / "imsmanifest.xml"
    if not manifest.is_file():
        return "index.html"
    root = ElementTree.parse(manifest).getroot()
    xml_base = "{http://www.w3.org/XML/1998/namespace}base"
    (organizations,) = _children(root, "organizations")
    orgs = _children(organizations, "organization")
    default = organizations.get("default")
    org = next((o for o in orgs if o.get("identifier") == default), orgs[0])
    item = next(i for i in org.iter() if _local(i.tag) == "item" and i.get("identifierref"))
    (resources,) = _children(root, "resources")
    resource = next(r for r in _children(resources, "resource") if r.get("identifier") == item.get("identifierref"))
    href = resources.get(xml_base, "") + resource.get(xml_base, "") + (resource.get("href") or "")
    parameters = (item.get("parameters") or "").lstrip("?")
    if parameters:
        href += ("&" if "?" in href else "?") + parameters
    return href


def resume_cmi(stored: dict[str, Any]) -> dict[str, Any]:
    """The cmi an LMS loads for the next attempt from the record it stored after the last one.

    SCORM 1.2 RTE 3.4: entry is "resume" when the last session exited with "suspend", else "".
    exit and session_time belong to a session, so they start empty; total_time (accumulated by
    the runtime in the LMSFinish commit) and everything else carry over. Accepts the record with
    or without its outer ``{"cmi": ...}``.
    """
    cmi = copy.deepcopy(stored["cmi"] if set(stored) == {"cmi"} else stored)
    core = cmi.setdefault("core", {})
    core["entry"] = "resume" if core.get("exit") == "suspend" else ""
    core.pop("exit", None)
    core.pop("session_time", None)
    return cast(dict[str, Any], cmi)


class ScormSession:
    """One learner's attempts at one package, launched in the test LMS.

    ``launch`` opens a new page per attempt (closing the previous one); ``stored_cmi`` is what the
    LMS kept from the current attempt and ``relaunch`` starts the next attempt from it.
    """

    _ids = itertools.count(1)

    def __init__(self, context: BrowserContext, server: LmsServer, *, log_level: int = 4) -> None:
        self._context = context
        self._server = server
        self._log_level = log_level
        self._page: Page | None = None
        self._launch_id = ""
        self._package: Path | None = None
        self._loaded: dict[str, Any] = {}
        self._finished_at_close = False
        self._settled = True
        self.console: list[str] = []
        """Console lines from the host page and the content, for failure messages."""
        self.page_errors: list[str] = []
        """Uncaught exceptions in the host page or the content."""

    @property
    def page(self) -> Page:
        if self._page is None:
            raise RuntimeError("no attempt running: call launch() first")
        return self._page

    @property
    def launch_id(self) -> str:
        return self._launch_id

    def launch(
        self, package_zip: Path, stored_cmi: dict[str, Any] | None = None, *, entry: str | None = None
    ) -> tuple[Page, Frame]:
        """Extract the package into its own served folder and open it under the host page.

        ``stored_cmi`` (a learner record from an earlier attempt) is loaded with ``resume_cmi``;
        without it the attempt is a first one. ``entry`` overrides cmi.core.entry.
        """
        self.close()
        self._launch_id = f"{package_zip.stem}-{next(self._ids)}"
        folder = self._server.root / "packages" / self._launch_id
        with zipfile.ZipFile(package_zip) as archive:
            archive.extractall(folder)
        self._package = package_zip
        cmi = resume_cmi(stored_cmi) if stored_cmi is not None else copy.deepcopy(FIRST_ATTEMPT_CMI)
        if entry is not None:
            cmi.setdefault("core", {})["entry"] = entry
        self._loaded = cmi
        self._finished_at_close, self._settled = False, True

        page = self._context.new_page()
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        self._page = page
        page.goto(f"{self._server.base_url}/lms/host12.html")
        page.evaluate(
            "config => window.courseforgeLms.start12(config)",
            {
                "launchUrl": f"/packages/{self._launch_id}/{launch_href(folder)}",
                "commitUrl": f"{self._server.base_url}{COMMIT_PATH}{self._launch_id}",
                "cmi": cmi,
                "logLevel": self._log_level,
            },
        )
        frame = page.wait_for_selector("iframe#sco")
        content = frame.content_frame() if frame else None
        if content is None:
            raise RuntimeError("host page did not frame the launch page")
        content.wait_for_load_state("load")
        return page, content

    def relaunch(self, *, entry: str | None = None) -> tuple[Page, Frame]:
        """Start the next attempt from what the LMS stored for this one."""
        if self._package is None:
            raise RuntimeError("nothing to relaunch: call launch() first")
        return self.launch(self._package, self.stored_cmi(), entry=entry)

    def cmi(self) -> dict[str, Any]:
        """The runtime's live data model: the ``cmi`` object of ``API.renderCMIToJSONObject()``."""
        return cast(dict[str, Any], self.page.evaluate("() => window.API.renderCMIToJSONObject().cmi"))

    def calls(self, *methods: str) -> list[ApiCall]:
        """Recorded LMSInitialize/LMSFinish/LMSSetValue/LMSCommit calls and non-zero LMSGetLastError
        answers, in order; pass method names to keep only those."""
        raw = self.page.evaluate("() => window.courseforgeLms.calls")
        recorded = [ApiCall(c["method"], c["args"], c["result"], c["error"]) for c in raw]
        return [c for c in recorded if not methods or c.method in methods]

    def finished(self) -> bool:
        """Whether the content has called LMSFinish (scorm-again's terminated state)."""
        return bool(self.page.evaluate("() => window.API.isTerminated()"))

    def wait_finished(self, timeout_ms: float = 5000) -> None:
        self.page.wait_for_function("() => window.API.isTerminated()", timeout=timeout_ms)

    def commits(self) -> list[Commit]:
        """What the runtime posted to the LMS during this attempt, in arrival order.

        After ``close`` the first call waits briefly for a terminate commit, which the content's
        pagehide handler may send by beacon after the page is gone.
        """
        if self._page is None and not self._settled:
            self._settled = True
            self._wait_for_terminate_commit(FINAL_COMMIT_TIMEOUT_S if self._finished_at_close else CLOSE_GRACE_S)
        return self._server.commits(self._launch_id)

    def not_found(self) -> list[str]:
        """Paths under this attempt's package that were requested but are not in it."""
        return self._server.not_found(f"/packages/{self._launch_id}/")

    def stored_cmi(self) -> dict[str, Any]:
        """The learner record the LMS keeps from this attempt: the last commit's cmi, or, with no
        commit at all, what the attempt was loaded with.

        Once LMSFinish ran its commit must arrive (it travels by beacon, so it may trail the call).
        """
        finished = self._finished_at_close if self._page is None else self.finished()
        if finished and self._page is not None:
            self._wait_for_terminate_commit(FINAL_COMMIT_TIMEOUT_S)
        commits = self.commits()
        if finished and not any(c.terminate for c in commits):
            raise AssertionError(f"LMSFinish ran but its commit never arrived; commits: {commits}")
        return copy.deepcopy(commits[-1].cmi if commits else self._loaded)

    def close(self) -> None:
        """Close the attempt's page as a learner closes the window (pagehide/unload handlers run)."""
        if self._page is None:
            return
        try:
            self._finished_at_close = self.finished()
        except Error:
            self._finished_at_close = False
        self._page.close()
        self._page = None
        self._settled = False

    def _wait_for_terminate_commit(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not any(c.terminate for c in self._server.commits(self._launch_id)):
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)

    def _on_console(self, message: ConsoleMessage) -> None:
        self.console.append(f"{message.type}: {message.text}")

    def _on_page_error(self, error: Error) -> None:
        self.page_errors.append(str(error))
