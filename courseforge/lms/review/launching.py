"""Launching published packages for reviewers, on the preview harness's LMS sides.

Each standard's LMS side is the preview's (``HarnessPlugin.start``): scorm-again in the LMS page for SCORM
1.2 and 2004, the embedded LRS for xAPI, the cmi5 LMS and its LRS for cmi5, all mounted at
``/__lms/<format>`` of the review app. What differs from a preview run is where attempts live: here a
learner's attempts at one unit of one version are rows of the review database, so they outlast the server
(``LmsSide.attempt`` is asked with the stored attempt as ``previous``; SCORM resumes from its last commit),
and a reset starts a new attempt with the earlier ones kept. The xAPI and cmi5 sides keep what they know of
launches and registrations in the same database (the harness store's side records), and share one embedded
LRS whose tables are in it too, so after a restart a cmi5 registration resumes and an earlier launch's record
is read as before. cmi5's returnURL leads back to
the version's page in the catalog.
"""

from __future__ import annotations

import html
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from courseforge.lms.lrs.store import open_store
from courseforge.lms.review.database import AttemptRow, ReviewDatabase, StoredPackage
from courseforge.lms.review.package_store import PackageStore
from courseforge.model.package import PackageFormat
from courseforge.model.preview import ApiEvent, LaunchRecord, TimelineEntry
from courseforge.stages.preview.harness.app import COMMIT_PATH, EVENTS_PATH, PLUGIN_PREFIX, register_launch
from courseforge.stages.preview.harness.interface import (
    Attempt,
    HarnessHost,
    HarnessPlugin,
    LaunchOptions,
    LaunchRequest,
    Learner,
    LmsSide,
    ServedPackage,
    Unit,
)
from courseforge.stages.preview.harness.plugins import PluginRegistry
from courseforge.stages.preview.harness.plugins.cmi5 import Cmi5Plugin, Cmi5Side
from courseforge.stages.preview.harness.plugins.scorm12 import Scorm12Plugin
from courseforge.stages.preview.harness.plugins.scorm2004 import Scorm2004Plugin
from courseforge.stages.preview.harness.plugins.xapi import XapiPlugin
from courseforge.stages.preview.harness.profiles import PROFILES
from courseforge.stages.preview.harness.runtime import LmsRuntime
from courseforge.stages.preview.harness.server import SideHost

REVIEW_PROFILE = "default"
"""Reviewers meet the LMS as a plain, standard-conforming one."""
LOG_LEVEL = 4
"""scorm-again's logLevel in the LMS page (errors only)."""


class _ReturningCmi5Side(Cmi5Side):
    """The preview's cmi5 LMS, whose returnURL leads the learner back to the catalog."""

    def __init__(self, host: HarnessHost, return_to: Callable[[str], str]) -> None:
        self._return_to = return_to
        super().__init__(host)

    async def _returned(self, request: Request) -> Response:  # type: ignore[override]
        launch = request.path_params["launch"]
        if launch in self.registry.launches:
            self.writes.note(launch, "GET returnURL", (str(request.url),), "200")
        return back_to_lms(self._return_to(launch))


def back_to_lms(url: str) -> HTMLResponse:
    """The returnURL's page: the AU navigates its own frame there, so the LMS's page replaces the whole player
    (the window's top), with a link for a browser without scripts."""
    script_url = json.dumps(url).replace("<", "\\u003c")
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Back to the LMS</title></head><body>"
        f"<p><a href='{html.escape(url, quote=True)}' target='_top'>Back to the course's page</a></p>"
        f"<script>window.top.location.assign({script_url});</script></body></html>")


class _ReviewCmi5Plugin(Cmi5Plugin):
    def __init__(self, return_to: Callable[[str], str]) -> None:
        self._return_to = return_to

    def start(self, host: HarnessHost) -> LmsSide:
        return _ReturningCmi5Side(host, self._return_to)


def review_plugins(return_to: Callable[[str], str]) -> PluginRegistry:
    """The preview's plug-ins, cmi5's returnURL pointed at ``return_to(launch id)``."""
    registry = PluginRegistry()
    registry.register(Scorm12Plugin())
    registry.register(Scorm2004Plugin())
    registry.register(XapiPlugin())
    registry.register(_ReviewCmi5Plugin(return_to))
    return registry


@dataclass(frozen=True)
class AttemptView:
    """One attempt as the attempts page shows it: what the LMS holds after its latest launch."""

    row: AttemptRow
    launches: int
    record: LaunchRecord | None
    """None before the first launch of a reset attempt, or when its LMS side has no record of the launch (one
    opened under a profile this server does not have, or before the side kept its launches)."""
    timeline: tuple[TimelineEntry, ...]


class ReviewLaunches:
    """The LMS sides of one review LMS and the launches and attempts they serve."""

    def __init__(self, database: ReviewDatabase, store: PackageStore, runtime: LmsRuntime, base_url: str,
                 return_to: Callable[[str], str]) -> None:
        self.database = database
        self.store = store
        self.base_url = base_url
        self.plugins = review_plugins(return_to)
        self.sides: dict[PackageFormat, LmsSide] = {}
        self.mounts: dict[str, LmsSide] = {}
        self.lrs = open_store(database.path)
        """The one LRS of the xAPI and cmi5 sides, its tables in the review database (``database.py``)."""
        for package_format, plugin in self.plugins.items():
            prefix = f"{PLUGIN_PREFIX}{package_format.value}"
            work_dir = store.sides / package_format.value
            work_dir.mkdir(parents=True, exist_ok=True)
            side = plugin.start(SideHost(base_url, prefix, work_dir, database, runtime, PROFILES, self.lrs))
            self.sides[package_format] = self.mounts[prefix] = side
        self._served: dict[str, ServedPackage] = {}
        self._lock = Lock()

    def close(self) -> None:
        self.lrs.close()

    def launchable(self, package: StoredPackage) -> bool:
        return package.facts.format in self.plugins

    def served(self, package: StoredPackage) -> ServedPackage:
        """The version as the harness serves it, its units read once from its extracted manifest."""
        with self._lock:
            found = self._served.get(package.sha256)
        if found is None:
            plugin = self.plugins[package.facts.format]
            folder = self.store.folder(package.sha256)
            found = ServedPackage(id=package.sha256, name=package.facts.title, format=package.facts.format,
                                  folder=folder, url_path=self.store.url_path(package.sha256),
                                  units=plugin.read_units(folder))
            with self._lock:
                self._served[package.sha256] = found
        return found

    def launch(self, package: StoredPackage, learner_name: str, unit_id: str | None = None) -> str:
        """Open the learner's current attempt (a new one, a resumed one) and answer the LMS page's path."""
        served = self.served(package)
        unit = served.sco(unit_id)
        learner = Learner(id=learner_name, name=learner_name)
        launch_id = secrets.token_urlsafe(18)
        request = LaunchRequest(
            launch_id=launch_id, package=served, unit=unit, learner=learner, profile=PROFILES[REVIEW_PROFILE],
            options=LaunchOptions(), base_url=self.base_url, events_url=f"{self.base_url}{EVENTS_PATH}{launch_id}",
            commit_url=f"{self.base_url}{COMMIT_PATH}{launch_id}")
        side = self.sides[package.facts.format]
        stored = self.database.latest_attempt(package.sha256, unit.identifier, learner.id)
        attempt = self._attempt(side, request, stored)
        try:
            opened = side.open(request, attempt)
        except (KeyError, LookupError):
            if stored is None or stored.fresh:
                raise
            # The side has no record of what it would continue (a cmi5 registration in a database written
            # before the sides kept their records).
            attempt = Attempt(attempt.number + 1, side.attempt(request, None).data, resumed=False)
            opened = side.open(request, attempt)
        register_launch(self.database, request, opened, attempt, LOG_LEVEL)
        self.database.record_launch(launch_id, AttemptRow(package.sha256, unit.identifier, learner.id, attempt.number,
                                                          attempt.data, attempt.resumed, False, time.time()))
        return f"{opened.page}?launch={launch_id}"

    @staticmethod
    def _attempt(side: LmsSide, request: LaunchRequest, stored: AttemptRow | None) -> Attempt:
        """The side's answer for the stored attempt; a reset's fresh attempt starts from nothing under the stored
        number, and one the side cannot continue (a registration it has no record of) as the next attempt."""
        if stored is not None and not stored.fresh:
            try:
                return side.attempt(request, Attempt(stored.number, stored.data, stored.resumed))
            except (KeyError, LookupError):
                first = side.attempt(request, None)
                return Attempt(stored.number + 1, first.data, resumed=False)
        first = side.attempt(request, None)
        return Attempt(stored.number if stored is not None else 1, first.data, resumed=False)

    def units(self, package: StoredPackage) -> tuple[Unit, ...]:
        return self.served(package).units

    def views(self, package: StoredPackage, learner: str) -> list[AttemptView]:
        """Every attempt of a learner at a version, oldest first, read live from its LMS side."""
        side = self.sides[package.facts.format]
        plugin: HarnessPlugin = self.plugins[package.facts.format]
        views = []
        for row in self.database.attempts(package.sha256, learner):
            launches = self.database.launches_of(row)
            record: LaunchRecord | None = None
            events: tuple[ApiEvent, ...] = ()
            if launches:
                events = self.database.events(launches[-1])
                try:
                    record = side.read(launches[-1])
                except (KeyError, LookupError):
                    record = None
            views.append(AttemptView(row, len(launches), record, plugin.timeline(events, len(launches))))
        return views
