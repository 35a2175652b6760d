"""``courseforge serve --watch``: each good build of a course becomes its newest version in the review LMS, and the
pages that show the course carry live reload's script.

:class:`BuildPublisher` listens to a :class:`~courseforge.lms.review.watch.WatchBuilder` (subscribed before
:class:`~courseforge.lms.review.live.LiveReload`, so a page is told to reload only once the version it goes to is
stored): a new good build's packages go through :meth:`PackageLibrary.publish_bytes` as an upload does (bytes the LMS
already has are not stored again), a failed rebuild is reported and the last good versions stay. :class:`WatchPages`
makes the head markup of the catalog, a version's page and its player from what was published.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

from courseforge.diagnostics import Diagnostic
from courseforge.lms.review.database import StoredPackage
from courseforge.lms.review.live import LiveReload
from courseforge.lms.review.publishing import PackageLibrary, PackageRejected, Published
from courseforge.lms.review.server import ReviewServer
from courseforge.lms.review.service import ReviewPaths
from courseforge.lms.review.watch import BuildEvent, BuildEventKind, VerifiedPackage, WatchBuilder, WatchSettings
from courseforge.project import Project
from courseforge.stages.preview.harness.runtime import LmsRuntime

PUBLISHER = "watch"
"""The publisher the catalog names for versions a watch session stored."""
SETTLE_S = 30.0
"""The longest ``/latest`` waits for a build's translations to be stored."""
SETTLE_POLL_S = 0.02
PUBLISH_THREADS = 4
"""A build's packages are stored this many at a time: most of the time goes to fsync and extraction, not Python."""
REVIEW_SETTINGS = WatchSettings(locales=("all",), formats=(), allow_incomplete=True)
"""Every translation in the project's formats; a translation behind its source still builds (it is being edited)."""


@dataclass(frozen=True)
class PublishedBuild:
    """What one good build of a course put in the LMS: every package's version, and which were new."""

    course_id: str
    generation: int
    build_ms: float
    first_ms: float
    """Until the course's own language was stored (then open pages reload)."""
    publish_ms: float
    """Until every package was stored."""
    new: tuple[StoredPackage, ...]
    unchanged: int

    def summary(self) -> str:
        """``workplace-safety rebuilt in 84 ms, stored in 30 ms (every locale: 90 ms): en v3 (scorm12, cmi5); ...``."""
        versions: dict[tuple[str, int], list[str]] = {}
        for package in self.new:
            versions.setdefault((package.facts.locale or "-", package.version), []).append(package.facts.format.value)
        changed = "; ".join(f"{locale} v{version} ({', '.join(formats)})"
                            for (locale, version), formats in versions.items())
        return (f"{self.course_id} rebuilt in {self.build_ms:.0f} ms, stored in {self.first_ms:.0f} ms (every "
                f"locale: {self.publish_ms:.0f} ms): {changed or 'no new version'}; {self.unchanged} unchanged")


@dataclass(frozen=True)
class FailedBuild:
    """A rebuild that failed (``diagnostics``) or a course that recovered (empty), and the generation still served."""

    course_id: str
    generation: int
    diagnostics: tuple[Diagnostic, ...]


BuildReport = Callable[[PublishedBuild | FailedBuild], None]


@dataclass
class Stored:
    """What storing some packages of a build gave."""

    new: list[StoredPackage] = field(default_factory=list)
    known: list[StoredPackage] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    def take(self, published: Published | PackageRejected) -> None:
        if isinstance(published, PackageRejected):
            self.problems.extend(Diagnostic.from_json(found) for found in published.diagnostics)
        else:
            (self.new if published.created else self.known).append(published.package)


@dataclass(frozen=True)
class SourceStored:
    """A generation's source language stored: what that gave, in how many milliseconds from ``started``, and the
    locales the builder was still building then."""

    stored: Stored
    first_ms: float
    started: float
    pending: frozenset[str]


class BuildPublisher:
    """Publishes the builder's good builds into :attr:`library` (set before the builder starts: the LMS is made
    after its routes, which include live reload's); ``report`` is told of each.

    The course's own language is stored on the builder's thread as soon as the builder has it (it builds it first),
    so live reload (told next) sends open pages to a stored version; the translations, once built, are stored
    after, on a thread of their own (in order), and :meth:`busy` says which locales a course has still to build or
    store (``/latest`` waits for them: a translation's page must not reload to its previous version)."""

    def __init__(self, builder: WatchBuilder, report: BuildReport) -> None:
        self._builder = builder
        self.library: PackageLibrary | None = None
        self._report = report
        self._lock = threading.Lock()
        self._courses: dict[str, str] = {}
        """A package's course (the id its manifest names) -> the watched course folder's name."""
        self._generations: dict[str, int] = {}
        """The generation whose packages are stored, by watched course."""
        self._busy: dict[str, Counter[str]] = {}
        """The locales of a course still to be stored, with how many builds are storing each."""
        self._waiting: dict[str, SourceStored] = {}
        """A course's newest generation whose source language is stored and whose translations are being built."""
        self._pool = ThreadPoolExecutor(PUBLISH_THREADS, thread_name_prefix="courseforge-watch-publish")
        self._later = ThreadPoolExecutor(1, thread_name_prefix="courseforge-watch-translations")

    def close(self) -> None:
        self._later.shutdown()
        self._pool.shutdown()

    def __call__(self, event: BuildEvent) -> None:
        if event.kind is BuildEventKind.RELOAD:
            self._publish(event.course_id)
        elif event.kind is BuildEventKind.TRANSLATED:
            self._translated(event.course_id)
        else:
            self._report(FailedBuild(event.course_id, event.generation, event.diagnostics))

    def watched_course(self, package_course: str) -> str | None:
        """The watched course of a package's course id (None: a course this session has not built)."""
        with self._lock:
            return self._courses.get(package_course)

    def generation(self, course_id: str) -> int:
        """The newest generation of a course whose packages are stored (0: none yet)."""
        with self._lock:
            return self._generations.get(course_id, 0)

    def courses(self) -> dict[str, int]:
        """Every watched course with a stored build, and its generation."""
        with self._lock:
            return dict(self._generations)

    def busy(self, course_id: str, locale: str | None = None) -> bool:
        """Whether a build of the course (in ``locale``; None: in any) is still being stored."""
        with self._lock:
            pending = self._busy.get(course_id, Counter())
            return pending[locale] > 0 if locale is not None else pending.total() > 0

    def _publish(self, course_id: str) -> None:
        """A new generation: its source language stored now; its translations later, once they are built (the
        builder is still building ``pending``: they count as being stored meanwhile)."""
        state, library = self._builder.state(course_id), self.library
        if state is None or state.good is None or library is None:
            return
        started = time.perf_counter()
        first = self._store(library, course_id, state.good.in_language(source=True), Stored())
        source = SourceStored(first, (time.perf_counter() - started) * 1000, started, state.good.pending)
        with self._lock:
            self._generations[course_id] = state.generation
            self._settle_waiting(course_id)
            if source.pending:
                self._busy.setdefault(course_id, Counter()).update(source.pending)
                self._waiting[course_id] = source
                return
        self._store_translations(library, course_id, source)

    def _translated(self, course_id: str) -> None:
        """The translations of the generation whose source language was stored are built (or failed: then their
        packages are the generation before's, which the LMS has)."""
        with self._lock:
            source = self._waiting.pop(course_id, None)
        if source is not None and self.library is not None:
            self._store_translations(self.library, course_id, source)
            with self._lock:
                self._busy[course_id].subtract(source.pending)

    def _settle_waiting(self, course_id: str) -> None:
        """A generation that overtook one whose translations never came (under the lock)."""
        overtaken = self._waiting.pop(course_id, None)
        if overtaken is not None:
            self._busy[course_id].subtract(overtaken.pending)

    def _store_translations(self, library: PackageLibrary, course_id: str, source: SourceStored) -> None:
        """The newest good build's translations stored on the translations' thread, then the build reported."""
        state = self._builder.state(course_id)
        if state is None or state.good is None:
            return
        rest = state.good.in_language(source=False)
        with self._lock:
            self._busy.setdefault(course_id, Counter()).update(p.package.locale for p in rest)
        times = (self._build_ms(course_id), source.first_ms, source.started)
        self._later.submit(self._finish, library, course_id, state.generation, rest, source.stored, times)

    def _finish(self, library: PackageLibrary, course_id: str, generation: int, rest: list[VerifiedPackage],
                stored: Stored, times: tuple[float, float, float]) -> None:
        """The translations stored (on the translations' thread), then the build reported; ``times``: the rebuild's
        and the source language's milliseconds, and when storing started."""
        build_ms, first_ms, started = times
        try:
            self._store(library, course_id, rest, stored)
        finally:
            with self._lock:
                self._busy[course_id].subtract(p.package.locale for p in rest)
        if stored.problems:
            self._report(FailedBuild(course_id, generation, tuple(stored.problems)))
        self._report(PublishedBuild(course_id, generation, build_ms, first_ms,
                                    (time.perf_counter() - started) * 1000, tuple(stored.new), len(stored.known)))

    def _store(self, library: PackageLibrary, course_id: str, packages: list[VerifiedPackage],
               stored: Stored) -> Stored:
        for published in self._pool.map(lambda package: publish_one(library, course_id, package), packages):
            stored.take(published)
        with self._lock:
            self._courses.update((package.facts.course, course_id) for package in (*stored.new, *stored.known))
        return stored

    def _build_ms(self, course_id: str) -> float:
        """How long the last rebuild of the course took (the builder records it before telling listeners)."""
        rebuilds = [rebuild for rebuild in self._builder.history() if rebuild.course_id == course_id]
        return rebuilds[-1].seconds * 1000 if rebuilds else 0.0


def publish_one(library: PackageLibrary, course_id: str, built: VerifiedPackage) -> Published | PackageRejected:
    """One package of a build stored as an upload is (the name labels what the verifier says)."""
    try:
        package = built.package
        return library.publish_bytes(package.data, PUBLISHER, f"{course_id}/{package.locale}/{package.filename}",
                                     built.report)
    except PackageRejected as rejected:
        return rejected


def latest_url(package: StoredPackage) -> str:
    """The address of the newest version of ``package``'s course in its locale and format."""
    facts = package.facts
    return f"/latest?{urlencode({'course': facts.course, 'locale': facts.locale, 'format': facts.format.value})}"


class WatchPages:
    """The live script tags of the review LMS's pages in a watch session: a version's page goes to its course's
    newest version after a rebuild, its player launches the newest version again (``relaunch.js``: a SCORM frame
    cannot start a second session in place), and the catalog reloads."""

    def __init__(self, publisher: BuildPublisher) -> None:
        self._publisher = publisher

    def version_head(self, package: StoredPackage) -> str:
        course_id = self._publisher.watched_course(package.facts.course)
        if course_id is None:
            return ""
        return LiveReload.script_tag(course_id, frame="#lms", generation=self._publisher.generation(course_id),
                                     reload="page", reload_to=latest_url(package))

    async def settled(self, package_course: str, locale: str | None) -> None:
        """Returns once the newest build of a course is stored in ``locale`` (None: in every locale), at most
        ``SETTLE_S`` later."""
        course_id = self._publisher.watched_course(package_course)
        deadline = time.monotonic() + SETTLE_S
        while course_id is not None and self._publisher.busy(course_id, locale) and time.monotonic() < deadline:
            await asyncio.sleep(SETTLE_POLL_S)

    def catalog_head(self) -> str:
        return "".join(LiveReload.script_tag(course_id, frame="#none", generation=generation, reload="page")
                       for course_id, generation in sorted(self._publisher.courses().items()))


class WatchSession:
    """A watch session's parts wired in the order their listeners need: the builder, the publisher (first), live
    reload (second: a page reloads only once its new version is stored) and the page heads."""

    def __init__(self, project: Project, report: BuildReport, settings: WatchSettings = REVIEW_SETTINGS) -> None:
        self.builder = WatchBuilder(project, settings)
        self.publisher = BuildPublisher(self.builder, report)
        self.builder.subscribe(self.publisher)
        self.live = LiveReload(self.builder)
        self.pages = WatchPages(self.publisher)

    def server(self, paths: ReviewPaths, runtime: LmsRuntime, *, host: str = "127.0.0.1", port: int = 0,
               public_url: str | None = None) -> ReviewServer:
        """The review LMS with live reload's routes (behind the login) and script tags; as it begins to stop, the
        streams end and building stops (nothing is then stored into the LMS it closes)."""
        return ReviewServer(paths, runtime, host=host, port=port, public_url=public_url, extra_routes=self.live.routes,
                            page_head=self.pages.version_head, catalog_head=self.pages.catalog_head,
                            settled=self.pages.settled, on_stop=(self.stop,))

    def start(self, library: PackageLibrary) -> None:
        """Build every course (on the builder's thread: this returns at once), publish each into ``library``, watch."""
        self.publisher.library = library
        self.builder.start()

    def stop(self) -> None:
        """End the live streams, stop watching and building, wait for what is being stored (idempotent)."""
        self.live.close()
        self.builder.stop()
        self.publisher.close()
