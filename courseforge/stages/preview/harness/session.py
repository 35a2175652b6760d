"""``LmsSession``: one learner at one unit of one package, launched in the test LMS under a profile.

``launch(context)`` asks the package format's LMS side for the attempt (a first one, a resumed one, or
a new one, from what it stored for this learner) and what to open, opens the LMS page and returns the
page and the content's frame. ``close()`` closes the window as a learner does (beforeunload, pagehide
and unload handlers run) and waits until the launch has settled (``LmsSide.progress``: what the content
sent on its way out has arrived). Everything the session reports comes from the server, so it survives
the page: ``events()`` (raw), ``launch_record()`` (neutral, read by the plug-in), ``record()`` (the
standard's own names). ``commits()``, ``stored_cmi()`` and ``live_cmi()`` are about a host-page API (SCORM).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, cast

from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Frame, Page
from playwright.sync_api import Error as PlaywrightError

from courseforge.model.preview import ApiEvent, LaunchRecord
from courseforge.stages.preview.harness.app import COMMIT_PATH, EVENTS_PATH, register_launch
from courseforge.stages.preview.harness.interface import (
    Attempt,
    HarnessPlugin,
    LaunchOptions,
    LaunchProgress,
    LaunchRequest,
    Learner,
    LmsSide,
    ServedPackage,
    Unit,
)
from courseforge.stages.preview.harness.plugins.scorm_again import flatten_cmi
from courseforge.stages.preview.harness.profiles import LmsProfile
from courseforge.stages.preview.harness.server import PreviewServer
from courseforge.stages.preview.harness.store import Commit

LAUNCH_TIMEOUT_S = 15.0
SETTLE_QUIET_S = 0.3
"""After a close, the launch must stay unchanged this long before the session calls it settled."""
SETTLE_TIMEOUT_S = 5.0
"""How long a close waits for the final writes beyond the profile's write delay."""
QUIET_END_GRACE_S = 2.0
"""How long after the launch went quiet one that started may still end its session (a trailing beacon)."""
POLL_S = 0.02

__all__ = ["LmsSession", "flatten_cmi"]


class LmsSession:
    def __init__(self, server: PreviewServer, package: ServedPackage, sco: Unit | str | None = None,
                 profile: LmsProfile | str = "default", learner: Learner | None = None,
                 options: LaunchOptions | None = None) -> None:
        self.server = server
        self.package = package
        self.sco = sco if isinstance(sco, Unit) else package.sco(sco)
        self.profile = profile if isinstance(profile, LmsProfile) else server.profile(profile)
        self.learner = learner or Learner()
        self.options = options or LaunchOptions()
        self.plugin: HarnessPlugin = server.plugin(package.format)
        self.side: LmsSide = server.side(package.format)
        self.attempt: Attempt | None = None
        self.launch_id = ""
        self.config: dict[str, Any] = {}
        """What the LMS page of the current launch was given."""
        self.host_page: Page | None = None
        """The LMS window (holds the API, if any)."""
        self.page: Page | None = None
        """The content's window: the host page, or the popup under a popup profile."""
        self.frame: Frame | None = None
        self.console: list[str] = []
        """Console lines from the LMS page and the content, ``type: text``."""
        self.page_errors: list[str] = []
        """Uncaught exceptions in the LMS page or the content."""

    # ---------------------------------------------------------------- launching

    def launch(self, context: BrowserContext) -> tuple[Page, Frame]:
        """Open the next launch (closing a running one first) and return its page and content frame."""
        if self.page is not None:
            self.close()
        self.wait_for_commits()
        previous = self.attempt or self._last_stored_attempt()
        self.launch_id = self.server.new_launch_id(self.package)
        base = self.server.base_url
        request = LaunchRequest(launch_id=self.launch_id, package=self.package, unit=self.sco, learner=self.learner,
                                profile=self.profile, options=self.options, base_url=base,
                                events_url=f"{base}{EVENTS_PATH}{self.launch_id}",
                                commit_url=f"{base}{COMMIT_PATH}{self.launch_id}")
        self.attempt = self.side.attempt(request, previous)
        opened = self.side.open(request, self.attempt)
        self.config = register_launch(self.server.store, request, opened, self.attempt, self.server.log_level)
        host = context.new_page()
        self._watch(host)
        self.host_page = host
        url = f"{base}{opened.page}?launch={self.launch_id}"
        if self.profile.popup:
            with host.expect_popup(timeout=LAUNCH_TIMEOUT_S * 1000) as popup:
                host.goto(url)
            self.page = popup.value
            self._watch(self.page)
            self.frame = self.page.main_frame
        else:
            host.goto(url)
            self.page = host
            self.frame = self._content_frame(host)
        self.frame.wait_for_load_state("load", timeout=LAUNCH_TIMEOUT_S * 1000)
        return self.page, self.frame

    def relaunch(self, context: BrowserContext) -> tuple[Page, Frame]:
        """Close the running launch like a learner and start the next one from what the LMS stored."""
        return self.launch(context)

    def close(self, page: Page | None = None) -> None:
        """Close the content's window as a learner does, then wait until the launch has settled.

        ``page`` defaults to the content's window. The wait ends when nothing the content was promised
        is pending, the launch has been quiet for a moment and it ended its session (or never started
        one, or a grace period passed), or after the profile's write delay plus a few seconds.
        """
        target = page or self.page
        if target is None:
            return
        _close_like_a_learner(target)
        self._settle()
        if self.host_page is not None and not self.host_page.is_closed():
            self.host_page.close()
        self.page = self.host_page = self.frame = None

    # ---------------------------------------------------------------- what the LMS saw

    def events(self) -> tuple[ApiEvent, ...]:
        """Every event of this launch, in order (ms since the launch began): API calls the LMS page
        recorded, writes the server stored."""
        self._flush()
        return self.server.store.events(self.launch_id)

    def progress(self) -> LaunchProgress:
        self._flush()
        return self.side.progress(self.launch_id)

    def launch_record(self) -> LaunchRecord:
        """What the LMS holds after this launch, in neutral terms (waits for pending writes first)."""
        self._attempt()
        self.wait_for_commits()
        self._flush()
        return self.side.read(self.launch_id)

    def record(self) -> dict[str, str]:
        """What the LMS holds, by the standard's own names: ``{"cmi.core.lesson_status": "passed", ...}``."""
        return dict(self.launch_record().values)

    def finish_count(self) -> int:
        """How many times the content ended its session in this launch."""
        return self.launch_record().finishes

    def wait_for_commits(self) -> bool:
        """Wait until nothing this launch was promised is pending (a commit answered "true", a write the LMS
        holds); False when something never arrived in time."""
        if not self.launch_id:
            return True
        deadline = time.monotonic() + self.profile.write_delay_s + SETTLE_TIMEOUT_S
        while self.progress().pending:
            if time.monotonic() > deadline:
                return False
            time.sleep(POLL_S)
        return True

    def wait_ended(self, grace_s: float) -> tuple[ApiEvent, ...]:
        """The launch's events once it ended its session and nothing is pending, or after ``grace_s``: what
        the page sends while it closes travels by beacon and may trail the close."""
        deadline = time.monotonic() + grace_s
        progress = self.progress()
        while (not progress.ended or progress.pending) and time.monotonic() < deadline:
            if not progress.started and not progress.pending:
                break  # never started: nothing will end it
            time.sleep(0.05)
            progress = self.progress()
        return self.events()

    def not_found(self) -> tuple[str, ...]:
        """Paths under this package that were requested but are not in it."""
        return self.server.store.not_found(self.package.url_path)

    # ---------------------------------------------------------------- a host-page API (SCORM)

    def commits(self) -> tuple[Commit, ...]:
        """The commits the page's API posted in this launch, in arrival order."""
        return self.server.store.commits(self.launch_id)

    def attempt_commits(self) -> tuple[Commit, ...]:
        """The commits of the current attempt, across its launches."""
        return self.server.store.attempt_commits(self.package.id, self.sco.identifier, self.learner.id,
                                                 self._attempt().number)

    def stored_cmi(self) -> dict[str, Any]:
        """The record a host-page API keeps for the current attempt: its last commit, or what it was loaded
        with (commits still on their way are waited for first)."""
        self.wait_for_commits()
        commits = self.attempt_commits()
        return dict(commits[-1].cmi) if commits else dict(self._attempt().data)

    def live_cmi(self) -> dict[str, Any]:
        """The API's data model right now (scorm-again's renderCMIToJSONObject), while the page is open."""
        script = f"() => window.{self._api_name()}.renderCMIToJSONObject().cmi"
        return cast(dict[str, Any], self._host().evaluate(script))

    def finished(self) -> bool:
        """Whether the content has called its finish method (scorm-again's terminated state)."""
        return bool(self._host().evaluate(f"() => window.{self._api_name()}.isTerminated()"))

    def wait_finished(self, timeout_s: float = 5.0) -> None:
        self._host().wait_for_function(f"() => window.{self._api_name()}.isTerminated()", timeout=timeout_s * 1000)

    # ---------------------------------------------------------------- internals

    def _api_name(self) -> str:
        api = self.config.get("api")
        if not isinstance(api, dict):
            raise RuntimeError(f"{self.package.format.value} has no API on the LMS page")
        return str(api["global_name"])

    def _attempt(self) -> Attempt:
        if self.attempt is None:
            raise RuntimeError("not launched yet: call launch(context) first")
        return self.attempt

    def _host(self) -> Page:
        if self.host_page is None:
            raise RuntimeError("no launch running: call launch(context) first")
        return self.host_page

    def _last_stored_attempt(self) -> Attempt | None:
        """The learner's last attempt at this unit in the store (any session's), or None."""
        row = self.server.store.last_launch(self.package.id, self.sco.identifier, self.learner.id)
        if row is None:
            return None
        stored = row.config.get("attempt", {})
        return Attempt(number=row.attempt, data=stored.get("data", {}), resumed=bool(stored.get("resumed")))

    def _content_frame(self, host: Page) -> Frame:
        prefix = self.server.base_url + self.package.url_path
        deadline = time.monotonic() + LAUNCH_TIMEOUT_S
        while time.monotonic() < deadline:
            for frame in host.frames:
                if frame.url.startswith(prefix):
                    return frame
            host.wait_for_timeout(20)
        raise RuntimeError(f"the LMS page did not frame {prefix}{self.sco.href} within {LAUNCH_TIMEOUT_S:.0f} s")

    def _watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _flush(self) -> None:
        host = self.host_page
        if host is not None and not host.is_closed():
            # A page going away sends what it recorded by beacon instead.
            with contextlib.suppress(PlaywrightError):
                host.evaluate("() => window.courseforgeLms.flush()")

    def _settle(self) -> None:
        """Wait until nothing is pending, the launch is quiet, and it ended (or never started, or grace passed)."""
        deadline = time.monotonic() + self.profile.write_delay_s + SETTLE_TIMEOUT_S
        last: tuple[int, ...] = ()
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            progress = self.side.progress(self.launch_id)
            if progress.marker != last:
                last, quiet_since = progress.marker, time.monotonic()
            elif (not progress.pending and time.monotonic() - quiet_since >= SETTLE_QUIET_S
                  and (progress.ended or not progress.started or time.monotonic() - quiet_since >= QUIET_END_GRACE_S)):
                return
            time.sleep(POLL_S)

    def _on_console(self, message: ConsoleMessage) -> None:
        self.console.append(f"{message.type}: {message.text}")

    def _on_page_error(self, error: PlaywrightError) -> None:
        self.page_errors.append(str(error))


def _accept_leaving(dialog: Dialog) -> None:
    """A beforeunload prompt is answered 'leave', as a learner closing the window does (registered only
    for the close: until then dialogs are the content's and the caller's business)."""
    if dialog.type == "beforeunload":
        dialog.accept()
    else:
        dialog.dismiss()


def _close_like_a_learner(page: Page) -> None:
    if page.is_closed():
        return
    page.on("dialog", _accept_leaving)
    try:
        with page.expect_event("close", timeout=LAUNCH_TIMEOUT_S * 1000):
            page.close(run_before_unload=True)
    except PlaywrightError:
        if not page.is_closed():
            page.close()
