"""``LmsSession``: one learner at one SCO of one package, launched in the test LMS under a profile.

``launch(context)`` opens the host page seeded from what the LMS stored for this learner (a first
attempt, a resumed one, or a new one: the plug-in decides), and returns the page and the content's
frame. ``close()`` closes the window as a learner does (beforeunload, pagehide and unload handlers
run) and waits until what the content sent on its way out has arrived. Everything the session
reports comes from the server's store, so it survives the page.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from typing import Any, cast

from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Frame, Page
from playwright.sync_api import Error as PlaywrightError

from courseforge.model.preview import ApiEvent
from courseforge.stages.preview.harness.app import COMMIT_PATH, EVENTS_PATH, HOST_PAGE
from courseforge.stages.preview.harness.plugins import Attempt, HarnessPlugin, LaunchOptions, Learner, Sco
from courseforge.stages.preview.harness.profiles import LmsProfile
from courseforge.stages.preview.harness.server import PreviewServer, ServedPackage
from courseforge.stages.preview.harness.store import Commit, LaunchRow

LAUNCH_TIMEOUT_S = 15.0
SETTLE_QUIET_S = 0.3
"""After a close, the store must stay unchanged this long before the session calls it settled."""
SETTLE_TIMEOUT_S = 5.0
"""How long a close waits for the final commit beyond the profile's commit delay."""
FINISH_GRACE_S = 2.0
"""How long after the store went quiet a launch that initialized may still send its LMSFinish."""


def flatten_cmi(cmi: Mapping[str, Any], prefix: str = "cmi") -> dict[str, str]:
    """``{"core": {"score": {"raw": "90"}}}`` -> ``{"cmi.core.score.raw": "90"}`` (lists by index)."""
    flat: dict[str, str] = {}
    for key, value in cmi.items():
        name = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_cmi(value, name))
        elif isinstance(value, list):
            flat.update(flatten_cmi({str(index): item for index, item in enumerate(value)}, name))
        else:
            flat[name] = "" if value is None else str(value)
    return flat


class LmsSession:
    def __init__(self, server: PreviewServer, package: ServedPackage, sco: Sco | str | None = None,
                 profile: LmsProfile | str = "default", learner: Learner | None = None,
                 options: LaunchOptions | None = None) -> None:
        self.server = server
        self.package = package
        self.sco = sco if isinstance(sco, Sco) else package.sco(sco)
        self.profile = profile if isinstance(profile, LmsProfile) else server.profile(profile)
        self.learner = learner or Learner()
        self.options = options or LaunchOptions()
        self.plugin: HarnessPlugin = server.plugin(package.format)
        self.attempt: Attempt | None = None
        self.launch_id = ""
        self.host_page: Page | None = None
        """The LMS window (holds the API)."""
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
        self.attempt = self._next_attempt()
        self.launch_id = self.server.new_launch_id(self.package)
        config = self._host_config(self.attempt)
        self.server.store.add_launch(LaunchRow(
            id=self.launch_id, package=self.package.id, sco=self.sco.identifier, learner=self.learner.id,
            attempt=self.attempt.number, profile=self.profile.name, config=config, opened=time.time()))
        host = context.new_page()
        self._watch(host)
        self.host_page = host
        url = f"{self.server.base_url}{HOST_PAGE}?launch={self.launch_id}"
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
        """Close the content's window as a learner does, then wait for what it sent on its way out.

        ``page`` defaults to the content's window. The wait ends when every commit the content
        asked for (LMSCommit answered "true", and LMSFinish's) is stored and the store has been
        quiet for a moment, or after the profile's commit delay plus a few seconds.
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
        """Every API call of this launch, in order, with result and error code (ms since the launch began)."""
        self._flush()
        return self.server.store.events(self.launch_id)

    def commits(self) -> tuple[Commit, ...]:
        """The commits of this launch, in arrival order."""
        return self.server.store.commits(self.launch_id)

    def attempt_commits(self) -> tuple[Commit, ...]:
        """The commits of the current attempt, across its launches."""
        return self.server.store.attempt_commits(self.package.id, self.sco.identifier, self.learner.id,
                                                 self._attempt().number)

    def stored_cmi(self) -> dict[str, Any]:
        """The learner record the LMS keeps for the current attempt: its last commit, or what it was loaded with.

        Commits the content asked for that are still on their way (a beacon trailing LMSFinish, a slow
        LMS) are waited for first, within the profile's commit delay plus a few seconds.
        """
        self.wait_for_commits()
        commits = self.attempt_commits()
        return dict(commits[-1].cmi) if commits else dict(self._attempt().cmi)

    def wait_for_commits(self) -> bool:
        """Wait until every commit this launch asked for (LMSCommit or LMSFinish answered "true") is
        stored; False when some never arrived in time."""
        if not self.launch_id:
            return True
        self._flush()
        deadline = time.monotonic() + self.profile.commit_delay_s + SETTLE_TIMEOUT_S
        while True:
            expected = self._expected_commits(self.server.store.events(self.launch_id))
            if len(self.server.store.commits(self.launch_id)) >= expected:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def record(self) -> dict[str, str]:
        """The stored record, flattened: ``{"cmi.core.lesson_status": "passed", ...}``."""
        return flatten_cmi(self.stored_cmi())

    def finish_count(self) -> int:
        """How many times the content called its finish method in this launch."""
        finish = self.plugin.api.finish
        return sum(1 for event in self.events() if event.method == finish)

    def not_found(self) -> tuple[str, ...]:
        """Paths under this package that were requested but are not in it."""
        return self.server.store.not_found(self.package.url_path)

    def live_cmi(self) -> dict[str, Any]:
        """The API's data model right now (scorm-again's renderCMIToJSONObject), while the page is open."""
        script = f"() => window.{self.plugin.api.global_name}.renderCMIToJSONObject().cmi"
        return cast(dict[str, Any], self._host().evaluate(script))

    def finished(self) -> bool:
        """Whether the content has called its finish method (scorm-again's terminated state)."""
        return bool(self._host().evaluate(f"() => window.{self.plugin.api.global_name}.isTerminated()"))

    def wait_finished(self, timeout_s: float = 5.0) -> None:
        self._host().wait_for_function(f"() => window.{self.plugin.api.global_name}.isTerminated()",
                                       timeout=timeout_s * 1000)

    # ---------------------------------------------------------------- internals

    def _attempt(self) -> Attempt:
        if self.attempt is None:
            raise RuntimeError("not launched yet: call launch(context) first")
        return self.attempt

    def _host(self) -> Page:
        if self.host_page is None:
            raise RuntimeError("no launch running: call launch(context) first")
        return self.host_page

    def _next_attempt(self) -> Attempt:
        """From the learner's last attempt at this SCO in the store (any session's), or a first one."""
        previous = self.attempt or self._last_stored_attempt()
        if previous is None:
            return self.plugin.first_attempt(self.sco, self.learner, self.profile, self.options)
        self.attempt = previous
        return self.plugin.next_attempt(previous, self.stored_cmi(), self.sco, self.learner, self.profile,
                                        self.options)

    def _last_stored_attempt(self) -> Attempt | None:
        row = self.server.store.last_launch(self.package.id, self.sco.identifier, self.learner.id)
        if row is None:
            return None
        return Attempt(number=row.attempt, cmi=row.config["cmi"], resumed=False)

    def _host_config(self, attempt: Attempt) -> dict[str, Any]:
        api = self.plugin.api
        return {
            "launchUrl": self.package.url_path + self.sco.href,
            "commitUrl": f"{self.server.base_url}{COMMIT_PATH}{self.launch_id}",
            "eventsUrl": f"{self.server.base_url}{EVENTS_PATH}{self.launch_id}",
            "cmi": dict(attempt.cmi),
            "logLevel": self.server.log_level,
            "api": {"standard": api.standard, "constructor": api.constructor, "global_name": api.global_name,
                    "methods": list(api.methods), "last_error": api.last_error},
            "profile": self.profile.to_host(),
        }

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
        """Wait until the commits the content asked for are stored and the store is quiet."""
        deadline = time.monotonic() + self.profile.commit_delay_s + SETTLE_TIMEOUT_S
        last = (-1, -1)
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            events = self.server.store.events(self.launch_id)
            commits = self.server.store.commits(self.launch_id)
            now = (len(events), len(commits))
            if now != last:
                last, quiet_since = now, time.monotonic()
            elif (len(commits) >= self._expected_commits(events) and time.monotonic() - quiet_since >= SETTLE_QUIET_S
                  and (self._finished_or_never_started(events) or time.monotonic() - quiet_since >= FINISH_GRACE_S)):
                return
            time.sleep(0.02)

    def _finished_or_never_started(self, events: tuple[ApiEvent, ...]) -> bool:
        """A content that initialized sends LMSFinish on its way out, often by beacon: on a busy machine it
        can trail the other calls, so the quiet moment alone does not end the wait for it."""
        methods = {event.method for event in events}
        return self.plugin.api.finish in methods or self.plugin.api.initialize not in methods

    def _expected_commits(self, events: tuple[ApiEvent, ...]) -> int:
        api = self.plugin.api
        # scorm-again answers "true" to a second LMSFinish, with error 101 and no commit: count clean answers.
        return sum(1 for e in events if e.method in (api.commit, api.finish) and e.result == "true" and e.error == "0")

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
