"""The browser tests' handle on the packaged test LMS (``courseforge.stages.preview.harness``).

The harness itself (server, host page, SCORM 1.2 plug-in, profiles) is part of courseforge; this module
only keeps the tests' vocabulary: ``ScormSession(context, server).launch(zip_path)`` serves the zip
and launches its first SCO, ``calls()`` lists the API calls as the tests compare them. Imported by
the browser tests as ``lms`` (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, NamedTuple

from playwright.sync_api import BrowserContext, Frame, Page

from courseforge.stages.preview.harness import Commit, LaunchOptions, LmsSession, PreviewServer

LmsServer = PreviewServer


class ApiCall(NamedTuple):
    """One call the content made, as the LMS page recorded it."""

    method: str
    args: list[str]
    result: str
    error: str  # the API's last error code right after the call ("0" when it succeeded)


def zip_dir(source: Path, target: Path) -> Path:
    """Zip a folder the way a package is laid out (paths relative to it); stands in for a build."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(source).as_posix())
    return target


class ScormSession:
    """One learner's launches of one package at a time, in its own browser context, under ``profile``."""

    def __init__(self, context: BrowserContext, server: PreviewServer, *, profile: str = "default") -> None:
        self._context = context
        self._server = server
        self._profile = profile
        self._session: LmsSession | None = None

    @property
    def lms(self) -> LmsSession:
        if self._session is None:
            raise RuntimeError("nothing launched: call launch() first")
        return self._session

    @property
    def page(self) -> Page:
        if self.lms.page is None:
            raise RuntimeError("no attempt running: call launch() or relaunch() first")
        return self.lms.page

    @property
    def launch_id(self) -> str:
        return self.lms.launch_id

    @property
    def console(self) -> list[str]:
        return self.lms.console if self._session else []

    @property
    def page_errors(self) -> list[str]:
        return self.lms.page_errors if self._session else []

    def launch(self, package_zip: Path) -> tuple[Page, Frame]:
        """Serve the zip as a new package and launch its first SCO as a first attempt."""
        self.close()
        package = self._server.serve_package(package_zip.stem, package_zip.read_bytes())
        # These tests relaunch a finished course to see what it shows with its record: the LMS keeps it.
        self._session = LmsSession(self._server, package, profile=self._profile,
                                   options=LaunchOptions(new_attempt_after_exit=False))
        return self._session.launch(self._context)

    def relaunch(self) -> tuple[Page, Frame]:
        """The next launch, from what the LMS stored (resume after exit "suspend")."""
        return self.lms.relaunch(self._context)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def cmi(self) -> dict[str, Any]:
        return self.lms.live_cmi()

    def calls(self, *methods: str) -> list[ApiCall]:
        """Recorded calls in order (LMSGetLastError only when it reported a problem); pass method names to
        keep only those."""
        return [ApiCall(e.method, list(e.arguments), e.result, e.error) for e in self.lms.events()
                if (not methods or e.method in methods) and not (e.method == "LMSGetLastError" and e.result == "0")]

    def finished(self) -> bool:
        return self.lms.finished()

    def wait_finished(self, timeout_ms: float = 5000) -> None:
        self.lms.wait_finished(timeout_ms / 1000)

    def commits(self) -> list[Commit]:
        self.lms.wait_for_commits()
        return list(self.lms.commits())

    def not_found(self) -> list[str]:
        return list(self.lms.not_found())

    def stored_cmi(self) -> dict[str, Any]:
        return self.lms.stored_cmi()
