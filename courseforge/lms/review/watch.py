"""Watch mode for the review LMS: which courses a change touches, and rebuilding them in this process.

:class:`ProjectWatcher` turns watchdog's file events below the project's sources into one :class:`Touched` per
burst (an editor's write-rename is several events). :class:`WatchBuilder` rebuilds the courses a change touches
with the pipeline inside one long-lived in-memory cache scope (a one-page edit rebuilds only what it changed),
the source language first (told at once: it is what an author previews) and the translations after, keeps each
course's last good build and the diagnostics of its last failed rebuild (a failed rebuild never replaces a good
build), and tells listeners from its own thread, with a generation number per course that grows only when a
course's packages change.
"""

from __future__ import annotations

import errno
import io
import logging
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import TYPE_CHECKING

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from courseforge.cache import MemoryStore, cache_scope
from courseforge.diagnostics import Diagnostic, DiagnosticSink, Location, Severity
from courseforge.i18n.catalog import UI_DOMAIN
from courseforge.model.branding import ImageRole
from courseforge.model.package import Package, PackageFormat
from courseforge.pipeline import ALL_LOCALES, BuildOptions, build_in_stages
from courseforge.project import CONFIG_NAME, COURSE_MANIFEST, Project, load_project

if TYPE_CHECKING:
    from watchdog.observers.api import BaseObserver

    from courseforge.model.course import Course
    from courseforge.model.report import VerificationReport
    from courseforge.unit_cache import UnitResult

LOG = logging.getLogger(__name__)

QUIET_S = 0.05
"""A burst of events ends when none came for this long (an editor's write-rename takes well under 1 ms)."""
LONGEST_BURST_S = 0.5
"""A burst that goes on (a checkout, a copy of many files) is handed on this long after its first event anyway."""
WATCH_MEMORY_BYTES = 256 * 2**20
"""The long-lived in-memory cache every rebuild of a watch session shares (as the build server's)."""
WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
    DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
"""Events that can change what a build reads: opening or reading a file (as every rebuild does) is not one."""
IGNORED_FOLDERS = frozenset({"__pycache__", "node_modules"})
EDITOR_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".crswap", "___jb_tmp___", "___jb_old___",
                   ".kate-swp")
EMACS_AUTOSAVE = re.compile(r"#.*#")


# --- what a change touches ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Touched:
    """The courses a change touches; ``project``: courseforge.yaml or a branding image (the project is read again,
    then every course is rebuilt)."""

    courses: frozenset[str] = frozenset()
    every_course: bool = False
    project: bool = False

    def __or__(self, other: Touched) -> Touched:
        return Touched(self.courses | other.courses, self.every_course or other.every_course,
                       self.project or other.project)

    def __bool__(self) -> bool:
        return bool(self.courses) or self.every_course or self.project


NOTHING = Touched()
EVERY_COURSE = Touched(every_course=True)
WHOLE_PROJECT = Touched(every_course=True, project=True)


@dataclass(frozen=True)
class ProjectLayout:
    """The places of a project a build reads, as absolute paths (watchdog reports paths below what it watches)."""

    root: Path
    courses: Path
    locales: Path
    themes: Path
    output: Path
    branding: frozenset[Path] = frozenset()

    @classmethod
    def of(cls, project: Project) -> ProjectLayout:
        branding = project.config.branding
        images = [getattr(branding, role) for role in ImageRole] if branding is not None else []
        return cls(project.root, project.courses_dir, project.locales_dir, project.themes_dir, project.output_dir,
                   frozenset(project.root / image for image in images if image is not None))

    @property
    def config(self) -> Path:
        return self.root / CONFIG_NAME

    def watched(self) -> tuple[tuple[Path, bool], ...]:
        """(folder, recursive) pairs: the source folders whole, the root and the branding images' folders alone
        (a recursive watch of the root would also watch the build folder, .git and node_modules)."""
        alone = dict.fromkeys([self.root, *(image.parent for image in sorted(self.branding))])
        return (*((folder, False) for folder in alone), *((folder, True) for folder in self.sources()))

    def sources(self) -> tuple[Path, ...]:
        return self.courses, self.locales, self.themes


def is_editor_temporary(name: str) -> bool:
    """Files editors write beside the one being saved (swap, backup, lock, autosave and write-rename files); a hidden
    name is never read by a build either (``stages.inputs`` skips them)."""
    return (name.startswith(".") or name.endswith(EDITOR_SUFFIXES) or EMACS_AUTOSAVE.fullmatch(name) is not None
            or name.isdigit())  # vim's write probe, 4913


def below(path: Path, folder: Path) -> PurePath | None:
    """``path`` relative to ``folder``, None when it is not inside it."""
    try:
        return path.relative_to(folder)
    except ValueError:
        return None


def touched_by(layout: ProjectLayout, path: Path) -> Touched:
    """What a change to ``path`` (a file or folder, created, changed, moved or deleted) makes stale: a course's own
    file -> that course; a course catalog under locales/ -> the course of its domain; the player's catalog (ui.po),
    a theme file or a language folder -> every course; courseforge.yaml or a branding image -> the project."""
    if is_editor_temporary(path.name) or below(path, layout.output) is not None:
        return NOTHING
    if path == layout.config or path in layout.branding:
        return WHOLE_PROJECT
    for folder, classify in ((layout.courses, course_touched), (layout.locales, catalog_touched),
                             (layout.themes, theme_touched)):
        relative = below(path, folder)
        if relative is not None:
            if any(part.startswith(".") or part in IGNORED_FOLDERS for part in relative.parts):
                return NOTHING
            return classify(relative)
    return NOTHING


def course_touched(relative: PurePath) -> Touched:
    """Anything in ``courses/<id>/`` (the folder itself too: a course added, renamed or removed) is course <id>'s."""
    return Touched(frozenset(relative.parts[:1]))


def catalog_touched(relative: PurePath) -> Touched:
    """``<lang>/LC_MESSAGES/<domain>.po``; templates (.pot) and compiled catalogs are not read by a build, a folder
    (a language added or removed) may hold any course's catalog."""
    if not relative.parts:
        return EVERY_COURSE
    if relative.suffix == ".po":
        return EVERY_COURSE if relative.stem == UI_DOMAIN else Touched(frozenset({relative.stem}))
    return NOTHING if relative.suffix in (".pot", ".mo") else EVERY_COURSE


def theme_touched(relative: PurePath) -> Touched:
    return EVERY_COURSE


def handle_each(take: Callable[[], Touched | None], handle: Callable[[Touched], None], doing: str) -> None:
    """A worker thread's loop: ``handle`` what ``take`` gives until it gives None; a failure is logged, and the
    thread goes on (watch mode must outlive a bug in one rebuild)."""
    while (touched := take()) is not None:
        try:
            handle(touched)
        except Exception:
            LOG.exception("watch: %s %s failed", doing, touched)


# --- watching --------------------------------------------------------------------------------------------------


class Debouncer:
    """Collects :class:`Touched` from any thread and hands on their union once no more came for ``quiet_s`` (at
    most ``longest_s`` after the first of the burst), on a thread of its own."""

    def __init__(self, on_burst: Callable[[Touched], None], quiet_s: float, longest_s: float) -> None:
        self._on_burst = on_burst
        self._quiet_s, self._longest_s = quiet_s, longest_s
        self._condition = threading.Condition()
        self._pending = NOTHING
        self._first = self._last = 0.0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="courseforge-watch-debounce", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def add(self, touched: Touched) -> None:
        if not touched:
            return
        with self._condition:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending, self._last = self._pending | touched, now
            self._condition.notify_all()

    def _next_burst(self) -> Touched | None:
        """Waits for a burst to end; None when stopping."""
        with self._condition:
            while not self._stopping:
                if not self._pending:
                    self._condition.wait()
                    continue
                due = min(self._last + self._quiet_s, self._first + self._longest_s) - time.monotonic()
                if due <= 0:
                    burst, self._pending = self._pending, NOTHING
                    return burst
                self._condition.wait(due)
            return None

    def _run(self) -> None:
        handle_each(self._next_burst, self._on_burst, "handing on a change")


class _Events(FileSystemEventHandler):
    def __init__(self, on_path: Callable[[Path, bool], None]) -> None:
        self._on_path = on_path

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Only ``WATCHED_EVENTS`` come here (a folder's own modification time, which changes with every file
        written in it, is not one)."""
        paths = (event.src_path, event.dest_path) if event.dest_path else (event.src_path,)
        for raw in paths:
            self._on_path(Path(raw.decode() if isinstance(raw, bytes) else raw), event.is_directory)


class ProjectWatcher:
    """watchdog events below a project's sources as one :class:`Touched` per burst, handed to ``on_change`` on the
    debouncer's thread. The build folder, hidden files and editors' temporary files are ignored."""

    def __init__(self, layout: ProjectLayout, on_change: Callable[[Touched], None], *, quiet_s: float = QUIET_S,
                 longest_s: float = LONGEST_BURST_S) -> None:
        self._layout = layout
        self._on_change = on_change
        self._debouncer = Debouncer(self._burst, quiet_s, longest_s)
        self._observer: BaseObserver | None = None
        self._lock = threading.Lock()
        self._missing: frozenset[Path] = frozenset()
        self._appeared = False

    def start(self) -> None:
        """Raises :class:`WatchUnavailable` (and watches nothing) when the system refuses."""
        self._debouncer.start()
        try:
            self.watch(self._layout)
        except WatchUnavailable:
            self._debouncer.stop()
            raise

    def stop(self) -> None:
        with self._lock:
            observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
        self._debouncer.stop()

    def watch(self, layout: ProjectLayout) -> None:
        """Watch ``layout``'s folders from now on (the project's configuration named other folders, or a source
        folder that did not exist was created); not from the observer's own thread. Raises
        :class:`WatchUnavailable` when the system refuses (the folders watched before stay watched)."""
        handler = _Events(self._on_path)
        missing = set()
        where = layout.root
        try:
            observer = Observer()
            for folder, recursive in layout.watched():
                where = folder
                if folder.is_dir():
                    observer.schedule(handler, str(folder), recursive=recursive, event_filter=WATCHED_EVENTS)
                else:
                    missing.add(folder)
            observer.start()
        except OSError as error:
            raise WatchUnavailable.of(where, error) from None
        with self._lock:
            old, self._observer = self._observer, observer
            self._layout, self._missing = layout, frozenset(missing)
        if old is not None:
            old.stop()
            old.join(timeout=5)

    @property
    def running(self) -> bool:
        with self._lock:
            return self._observer is not None

    def _on_path(self, path: Path, is_directory: bool) -> None:
        """On the observer's thread, which cannot replace its own observer: a source folder that appeared is
        watched from the debouncer's thread, before the burst is handed on."""
        with self._lock:
            layout = self._layout
            self._appeared = self._appeared or (is_directory and path in self._missing)
        self._debouncer.add(touched_by(layout, path))

    def _burst(self, touched: Touched) -> None:
        with self._lock:
            appeared, self._appeared, layout = self._appeared, False, self._layout
        if appeared:
            self.watch_or_warn(layout)
        self._on_change(touched)

    def watch_or_warn(self, layout: ProjectLayout) -> None:
        """:meth:`watch` while running: a refusal is logged (the rebuild goes on; what was watched still is)."""
        try:
            self.watch(layout)
        except WatchUnavailable as refused:
            LOG.warning("%s", refused)


class WatchUnavailable(Exception):
    """The system would not watch a folder (inotify's limits, open files): what to do about it is in the text."""

    @classmethod
    def of(cls, folder: Path, error: OSError) -> WatchUnavailable:
        hint = {errno.ENOSPC: "the system's limit of inotify watches is reached: raise it (sysctl "
                              "fs.inotify.max_user_watches=524288) or close other programs that watch folders",
                errno.EMFILE: "the limit of inotify instances or of open files is reached: raise it (sysctl "
                              "fs.inotify.max_user_instances=1024, or ulimit -n) or close other programs that "
                              "watch folders"}.get(error.errno or 0, "serve without --watch, or fix the folder")
        return cls(f"cannot watch {folder}: {error.strerror or error}; {hint}")


# --- builds ----------------------------------------------------------------------------------------------------


FormatKey = tuple[str, PackageFormat]
"""(locale, format): one package of a course."""


@dataclass(frozen=True)
class GoodBuild:
    """A course's packages from its last rebuild that succeeded, by (locale, format), each with what its
    verification found (it passed: the LMS need not verify them again), and what the build warned about."""

    course: Course
    generation: int
    built: Mapping[FormatKey, VerifiedPackage]
    warnings: tuple[Diagnostic, ...] = ()
    pending: frozenset[str] = frozenset()
    """Locales this generation is still building (the source language is built first and shown at once): until
    they are, their packages here are the generation before's."""

    def package(self, locale: str, package_format: PackageFormat) -> Package | None:
        found = self.built.get((locale, package_format))
        return found.package if found is not None else None

    def digests(self) -> dict[FormatKey, str]:
        return {key: verified.package.sha256 for key, verified in self.built.items()}

    def in_language(self, source: bool) -> list[VerifiedPackage]:
        """The source language's packages (``source``), or the translations'."""
        language = self.course.manifest.language
        return [verified for key, verified in self.built.items() if (key[0] == language) is source]

    def member(self, locale: str, package_format: PackageFormat, name: str) -> bytes | None:
        """One file of a package (``index.html``, ``runtime/courseforge.js``), read from its zip bytes; None when
        the package or the file is not there (only the zip's own names can match: no path leaves it)."""
        package = self.package(locale, package_format)
        if package is None:
            return None
        with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
            try:
                return archive.read(name)
            except KeyError:
                return None

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(locale for locale, _ in self.built))

    @property
    def formats(self) -> tuple[PackageFormat, ...]:
        return tuple(dict.fromkeys(package_format for _, package_format in self.built))


@dataclass(frozen=True)
class CourseState:
    """What watch mode has of one course: the last good build (None before one succeeded) and the diagnostics of
    the last rebuild when it failed (empty once a rebuild succeeds again)."""

    course_id: str
    good: GoodBuild | None = None
    failure: tuple[Diagnostic, ...] = ()

    @property
    def generation(self) -> int:
        """0 before a good build; then one more each time the course's packages change."""
        return self.good.generation if self.good is not None else 0

    @property
    def failed(self) -> bool:
        return bool(self.failure)


class BuildEventKind(StrEnum):
    RELOAD = "reload"
    """The course's good build changed: open previews load it."""
    DIAGNOSTICS = "diagnostics"
    """A rebuild failed (``diagnostics`` lists why) or the course recovered (``diagnostics`` is empty)."""
    TRANSLATED = "translated"
    """The translations of a generation whose source language was shown first are built, or failed to be (then a
    ``diagnostics`` event came first and their packages are the generation before's): nothing is pending."""


@dataclass(frozen=True)
class BuildEvent:
    kind: BuildEventKind
    course_id: str
    generation: int
    diagnostics: tuple[Diagnostic, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"course": self.course_id, "generation": self.generation, "ok": not self.diagnostics,
                "diagnostics": [{**d.to_json(), "text": d.format()} for d in self.diagnostics]}


def state_events(old: CourseState | None, new: CourseState) -> list[BuildEvent]:
    """What listeners are told when a course's state goes from ``old`` to ``new``: its diagnostics when they changed
    (failed, failed differently, recovered), then ``reload`` when its good build changed, or ``translated`` when
    the locales it was still building are done."""
    events = []
    if new.failure != (old.failure if old is not None else ()):
        events.append(BuildEvent(BuildEventKind.DIAGNOSTICS, new.course_id, new.generation, new.failure))
    if new.generation != (old.generation if old is not None else 0):
        events.append(BuildEvent(BuildEventKind.RELOAD, new.course_id, new.generation))
    elif old is not None and old.good is not None and old.good.pending and not pending_of(new):
        events.append(BuildEvent(BuildEventKind.TRANSLATED, new.course_id, new.generation))
    return events


def pending_of(state: CourseState) -> frozenset[str]:
    return state.good.pending if state.good is not None else frozenset()


@dataclass(frozen=True)
class VerifiedPackage:
    """A package the build made and what its verification found."""

    package: Package
    report: VerificationReport

    @property
    def key(self) -> FormatKey:
        return self.package.locale, self.package.format


class KeptPackages:
    """A rebuild's outlet: a unit the in-memory cache still has comes back from the course's last good build (the
    same bytes, by sha256) instead of being built again; the session keeps no package on disk."""

    def __init__(self, good: GoodBuild | None) -> None:
        self._good = good

    def fresh(self, package: Package, result: UnitResult) -> VerifiedPackage:
        return VerifiedPackage(package, result.report)

    def cached(self, result: UnitResult) -> VerifiedPackage | None:
        facts, good = result.package, self._good
        key = (facts.locale, facts.format)
        kept = good.built.get(key) if good is not None else None
        if kept is None or kept.package.sha256 != facts.sha256:
            return None
        return VerifiedPackage(kept.package, result.report)


def next_state(old: CourseState, course: Course | None, packages: Iterable[VerifiedPackage],
               diagnostics: tuple[Diagnostic, ...], pending: frozenset[str] = frozenset(),
               continued: bool = False) -> CourseState:
    """The state after a rebuild or a stage of one: ``course`` None means it failed (the good build stays, nothing is
    pending any more, its diagnostics are kept). ``pending`` names the locales still to be built (their packages
    are kept from the good build before); ``continued`` says this is the last stage of a rebuild whose first stage
    made a new generation (its translations belong to it). A good build whose packages are the same bytes keeps
    its generation (and nothing is pending: no page was told of it)."""
    if course is None:
        good = replace(old.good, pending=frozenset()) if old.good is not None else None
        return replace(old, good=good, failure=diagnostics or (
            internal_problem(old.course_id, "the rebuild stopped without a diagnostic"),))
    kept = old.good.built.items() if old.good is not None else ()
    built = {key: verified for key, verified in kept if key[0] in pending}
    built.update((verified.key, verified) for verified in packages)
    good = GoodBuild(course, old.generation, MappingProxyType(built), diagnostics, pending)
    if old.good is not None and old.good.digests() == good.digests():
        return CourseState(old.course_id, replace(good, pending=frozenset()))
    return CourseState(old.course_id, good if continued else replace(good, generation=old.generation + 1))


def internal_problem(where: str, detail: str) -> Diagnostic:
    """A rebuild that failed without a user's mistake to show (a bug): the overlay says so instead of nothing."""
    return Diagnostic(Severity.ERROR, "watch.internal", f"internal error while rebuilding: {detail}",
                      Location(where), "the last good build is still served; the review LMS's log has the "
                      "traceback: please report it")


@dataclass(frozen=True)
class WatchSettings:
    """What the review LMS previews: the locales (``all``: every declared translation) and formats (empty: the
    project's or course's default) to build, and whether a translation below its required coverage builds anyway
    (it does by default: editing a source page makes every translation incomplete until the translators catch up)."""

    locales: tuple[str, ...] = (ALL_LOCALES,)
    formats: tuple[PackageFormat, ...] = ()
    allow_incomplete: bool = True

    def options(self, project: Project) -> BuildOptions:
        from courseforge.commands.common import project_options

        return project_options(project, locales=self.locales, formats=self.formats,
                               allow_incomplete=self.allow_incomplete)


Listener = Callable[[BuildEvent], None]


@dataclass(frozen=True)
class Rebuild:
    """One course rebuilt: how long it took (load to verified packages) and whether it succeeded."""

    course_id: str
    seconds: float
    ok: bool


@dataclass
class _Session:
    """The worker's project, options and states; the builder's lock guards ``states``."""

    project: Project
    options: BuildOptions
    states: dict[str, CourseState] = field(default_factory=dict)


class WatchBuilder:
    """Rebuilds the courses a change touches, in this process, on a thread of its own; keeps each course's last good
    build and last failure; tells listeners (on that thread: a listener must hand over to its own event loop, as
    ``live.LiveReload`` does) with a generation per course.

    ``start()`` builds every course once, then watches the project; ``wait_idle()`` waits until nothing is pending.
    """

    def __init__(self, project: Project, settings: WatchSettings | None = None, *, quiet_s: float = QUIET_S,
                 memory_bytes: int = WATCH_MEMORY_BYTES) -> None:
        self.settings = settings or WatchSettings()
        self._session = _Session(project, self.settings.options(project))
        self._store = MemoryStore(memory_bytes)
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._condition = threading.Condition()
        self._pending = NOTHING
        self._busy = self._stopping = False
        self._history: list[Rebuild] = []
        self._worker = threading.Thread(target=self._run, name="courseforge-watch-build", daemon=True)
        self._watcher = ProjectWatcher(ProjectLayout.of(project), self.submit, quiet_s=quiet_s)

    # -- life -----------------------------------------------------------------------------------------------------

    def start(self, *, watch: bool = True) -> None:
        """Build every course (on the worker: this returns at once), and watch the project unless ``watch`` is
        False (then only :meth:`submit` starts rebuilds)."""
        if watch:
            self._watcher.start()
        self.submit(EVERY_COURSE)
        self._worker.start()

    def stop(self) -> None:
        self._watcher.stop()
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        if self._worker.is_alive():
            self._worker.join(timeout=30)

    def __enter__(self) -> WatchBuilder:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def submit(self, touched: Touched) -> None:
        """Rebuild what ``touched`` names (merged with whatever is already waiting); thread-safe."""
        if not touched:
            return
        with self._condition:
            self._pending = self._pending | touched
            self._condition.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """True once no rebuild is running or waiting (False if that took longer than ``timeout``)."""
        with self._condition:
            return self._condition.wait_for(lambda: not self._pending and not self._busy, timeout)

    # -- what it has ----------------------------------------------------------------------------------------------

    @property
    def project(self) -> Project:
        return self._session.project

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event from now on (on the builder's thread); returns the unsubscribe."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def state(self, course_id: str) -> CourseState | None:
        with self._lock:
            return self._session.states.get(course_id)

    def states(self) -> dict[str, CourseState]:
        with self._lock:
            return dict(self._session.states)

    def package(self, course_id: str, locale: str, package_format: PackageFormat) -> Package | None:
        """The last good build's package of one course, locale and format (its ``data`` is the zip's bytes)."""
        state = self.state(course_id)
        return state.good.package(locale, package_format) if state is not None and state.good is not None else None

    def history(self) -> list[Rebuild]:
        """Every rebuild so far, in order: what each change made this builder do, and how long it took."""
        with self._lock:
            return list(self._history)

    # -- the worker -----------------------------------------------------------------------------------------------

    def _take(self) -> Touched | None:
        with self._condition:
            self._condition.wait_for(lambda: bool(self._pending) or self._stopping)
            if self._stopping:
                return None
            touched, self._pending, self._busy = self._pending, NOTHING, True
            return touched

    def _run(self) -> None:
        handle_each(self._take, self._rebuild_then_idle, "rebuilding")

    def _rebuild_then_idle(self, touched: Touched) -> None:
        try:
            self._rebuild(touched)
        finally:
            with self._condition:
                self._busy = False
                self._condition.notify_all()

    def _rebuild(self, touched: Touched) -> None:
        if touched.project and not self._reload_project():
            return
        session = self._session
        known = set(session.states)
        if touched.every_course:
            names = sorted({folder.name for folder in session.project.course_folders()} | known)
        else:
            names = sorted(name for name in touched.courses
                           if name in known or (session.project.courses_dir / name / COURSE_MANIFEST).is_file())
        for name in names:
            self._rebuild_course(name)

    def _reload_project(self) -> bool:
        """courseforge.yaml (or a branding image) changed: read the project again; when it is invalid, every course
        shows why (and keeps its good build)."""
        sink = DiagnosticSink()
        project = load_project(self._session.project.root, sink)
        if project is None or sink.error_count:
            problems = tuple(sink) or (Diagnostic(
                Severity.ERROR, "watch.no-project", f"{CONFIG_NAME} is gone", Location(CONFIG_NAME),
                "restore it (the last good builds are still served)"),)
            for name in sorted(self.states()):
                self._record(name, None, (), problems, time.perf_counter())
            return False
        layout, old_layout = ProjectLayout.of(project), ProjectLayout.of(self._session.project)
        self._session.project, self._session.options = project, self.settings.options(project)
        if layout != old_layout and self._watcher.running:
            self._watcher.watch_or_warn(layout)
        return True

    def _rebuild_course(self, name: str) -> None:
        project = self._session.project
        folder = project.courses_dir / name
        display = project.display(folder)
        old = self.state(name) or CourseState(name)
        started = time.perf_counter()
        sink = DiagnosticSink()
        built, continued = None, False
        if not (folder / COURSE_MANIFEST).is_file():
            sink.error("watch.course-missing", f"course '{name}' has no {COURSE_MANIFEST} any more",
                       Location(f"{display}/{COURSE_MANIFEST}"),
                       hint="restore it (the last good build is still served), or restart the review LMS")
        else:
            try:
                with cache_scope(self._store, lasting=True):
                    built, continued = self._build_in_stages(folder, display, old, sink, started)
            except Exception as error:
                LOG.exception("watch: rebuilding %s raised", name)
                sink.add(internal_problem(display, f"{type(error).__name__}: {error}"))
        course, packages = built if built is not None else (None, ())
        self._record(name, course, packages, tuple(sink), started, continued=continued)

    def _build_in_stages(self, folder: Path, display: str, old: CourseState, sink: DiagnosticSink,
                         started: float) -> tuple[tuple[Course, tuple[VerifiedPackage, ...]] | None, bool]:
        """The course's source language built and recorded first (open previews show it while its translations
        build), then every locale's packages; and whether the first stage made a new generation."""
        packages: list[VerifiedPackage] = []
        built, continued = None, False
        for stage in build_in_stages(folder, display, self._session.options, sink, KeptPackages(old.good)):
            packages.extend(stage.units)
            if stage.later:
                continued = self._record(old.course_id, stage.course, stage.units, tuple(sink), started,
                                         pending=frozenset(stage.later)).generation != old.generation
            else:
                built = (stage.course, tuple(packages))
        return built, continued

    def _record(self, name: str, course: Course | None, packages: Iterable[VerifiedPackage],
                diagnostics: tuple[Diagnostic, ...], started: float, pending: frozenset[str] = frozenset(),
                continued: bool = False) -> CourseState:
        """The course's new state, told to listeners; a rebuild's last stage goes into the history."""
        with self._lock:
            old = self._session.states.get(name) or CourseState(name)
            new = next_state(old, course, packages, diagnostics, pending, continued)
            self._session.states[name] = new
            if not pending:
                self._history.append(Rebuild(name, time.perf_counter() - started, course is not None))
            listeners = list(self._listeners)
        for event in state_events(old, new):
            for listener in listeners:
                try:
                    listener(event)
                except Exception:
                    LOG.exception("watch: a listener failed on %s", event)
        return new
