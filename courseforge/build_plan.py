"""A whole build of courses for ``courseforge build``: each course validated once, its units taken from the cache
where it has them, the others built on the available cores, every package staged in a spool as soon as it is
verified (the build keeps only its facts in memory).

The grain of parallel work is a course in one locale with all of its formats (they share the locale's
catalogs and localized course). When the locales do not divide evenly over the workers, the remainder (source
languages first: their localization reads no catalog, so splitting them repeats nothing) is split into groups of
formats, so no core idles at the end: a first group that builds no package, only what the formats share, and
groups of formats after it; what that first group memoized (its locale's Markdown, a catalog read) is handed to
the workers that build the other groups, so that shared work is done once. One unit,
or work too small to pay for forking, is built in this process (so is everything while other threads run:
``parallel.can_fork``). Whatever the number of jobs, the same packages come out byte for byte, with the same
diagnostics in the same order: results are merged in course, locale and format order, not as they finish.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path

from courseforge.cache import KeyPart, LayeredStore, Store, active_disk, active_store, cache_scope, computed_values
from courseforge.diagnostics import Diagnostic, DiagnosticSink, Severity
from courseforge.i18n.pseudo import is_pseudo
from courseforge.markdown import MEMOIZED_FROM_CHARS
from courseforge.markdown_blocks import SHARED_PAGES_WEIGHT, SharedPage, outline, shared_pages
from courseforge.model.course import Course
from courseforge.model.package import Package, PackageFormat
from courseforge.model.source import CourseSource
from courseforge.parallel import Background, ForkPool, can_fork
from courseforge.pipeline import (
    BuildOptions,
    PreparedCourse,
    cached_units,
    fresh_units,
    import_unit_stages,
    prepare_course,
    unit_stages_imported,
)
from courseforge.standards import FormatProfile
from courseforge.unit_cache import UNIT_NAMESPACE, PackageFacts, UnitResult

Progress = Callable[[str, int], AbstractContextManager[Callable[[str], None]]]
"""``Reporter.progress``: a bar of ``total`` steps, each step labelled."""
IMPORT_AS_CHARS = 120_000
"""Importing what builds a unit (``pipeline.import_unit_stages``, some 50 ms) costs about as much as parsing this
much page text: the helper parsing the pages takes that much more of them while this process imports."""
MIN_CHARS_TO_SHARE = 40_000
"""Below this much page text (some 10 ms of parsing), forking a helper to parse half of it saves nothing."""
MAX_CHARS_TO_SHARE = SHARED_PAGES_WEIGHT // 4
"""Above this much page text, the pages' block structures (about twice their text) may not all stay on the
shelf of ``markdown_blocks``."""
TINY_WORK = 100
"""Below this many screen-formats (a course's screens times a task's formats, summed; some 2 to 6 ms of work
each), forking workers costs more than it saves."""


@dataclass(frozen=True)
class StagedPackage:
    """A verified package in the build's spool: what it is and what its build reported, not its bytes."""

    result: UnitResult
    path: Path

    @property
    def package(self) -> PackageFacts:
        return self.result.package


@dataclass(frozen=True)
class StagedBuild:
    course: Course
    packages: tuple[StagedPackage, ...]


class Spool:
    """Packages written to ``root/<course>/<locale>/<format>.zip`` (durably: they become outputs by a link)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def place(self, facts: PackageFacts) -> Path:
        path = self.root / facts.course_id / facts.locale / facts.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def fresh(self, package: Package, result: UnitResult) -> StagedPackage:
        """The blob the build just kept in the cache, linked in (one write, one flush), else the bytes written."""
        cached = self.cached(result)
        if cached is not None:
            return cached
        path = self.place(result.package)
        with path.open("xb") as stream:
            stream.write(package.data)
            stream.flush()
            os.fsync(stream.fileno())
        return StagedPackage(result, path)

    def cached(self, result: UnitResult) -> StagedPackage | None:
        """The cache's blob, linked in (its bytes were flushed when it was written: ``DiskStore.put_blob``)."""
        disk = active_disk()
        path = self.place(result.package)
        if disk is None or not disk.blob_into(result.package.sha256, path):
            return None
        return StagedPackage(result, path)


@dataclass(frozen=True)
class Task:
    """Formats of one course in one locale, to build (not in the cache)."""

    course: int
    """Index into the prepared courses."""
    locale: str
    profiles: tuple[FormatProfile, ...]
    catalogs: KeyPart
    """The locale's catalog inputs the units were looked up by (``pipeline.cached_units``)."""


Entries = tuple[tuple[str, str, bytes], ...]
"""Cache entries (namespace, key digest, value) one worker computed and hands to another."""


class Recorder:
    """``store`` (None: a store of the task's own), also keeping what is put in it: a split unit's first group
    hands that to its other groups. A unit's own entry is not handed over (the other groups build other units).
    ``write``: False when the entries are only to be handed over (whoever receives them keeps them)."""

    def __init__(self, store: Store | None, write: bool = True) -> None:
        self.store: Store = store if store is not None else Given(())
        self.write = write
        self.entries: list[tuple[str, str, bytes]] = []

    def get(self, namespace: str, key: str) -> bytes | None:
        return self.store.get(namespace, key)

    def put(self, namespace: str, key: str, value: bytes) -> None:
        if namespace != UNIT_NAMESPACE:
            self.entries.append((namespace, key, value))
        if self.write:
            self.store.put(namespace, key, value)


class Given:
    """Entries handed over by another worker, in front of the task's store (read only: they are already kept
    wherever the worker that made them keeps its own)."""

    def __init__(self, entries: Entries) -> None:
        self.entries = {(namespace, key): value for namespace, key, value in entries}

    def get(self, namespace: str, key: str) -> bytes | None:
        return self.entries.get((namespace, key))

    def put(self, namespace: str, key: str, value: bytes) -> None:
        pass


@dataclass(frozen=True)
class TaskResult:
    packages: tuple[StagedPackage, ...]
    diagnostics: tuple[Diagnostic, ...]
    cache_written: int = 0
    """Bytes the task wrote to the disk cache (a worker's count is its own: the parent adds them up)."""
    shared: Entries = ()
    """A split unit's first group: the cache entries it made, for the unit's other groups."""


def split(profiles: tuple[FormatProfile, ...], parts: int) -> list[tuple[FormatProfile, ...]]:
    """Near-equal groups of formats, in order."""
    parts = max(1, min(parts, len(profiles)))
    size, extra = divmod(len(profiles), parts)
    groups, start = [], 0
    for part in range(parts):
        end = start + size + (part < extra)
        groups.append(profiles[start:end])
        start = end
    return groups


def plan(whole: list[Task], jobs: int, weight: Callable[[Task], int],
         shared: Callable[[Task], int]) -> list[Task]:
    """The order tasks are handed out in: the heaviest whole units first; the units that do not divide evenly
    over ``jobs`` are split into groups of formats so every worker finishes at about the same time. A split
    unit's groups each repeat the unit's locale work (``shared``: none for a source language or a
    pseudo-locale, which read no catalog), so the units split are those that repeat least. The first group is
    handed out first and builds no package: it only does what the unit's formats share (the locale's Markdown
    and entry page, kept in the cache), the part that cannot be divided. The unit's formats come last, in one
    group per worker, and find that work there: whichever workers finish their whole units first share them.
    (A first group that also built a format, and the rest in one group, left one worker idle for some 0.15 s at
    the end of the bench course's build.)"""
    if jobs <= 1 or len(whole) % jobs == 0:
        return sorted(whole, key=lambda task: -weight(task))
    cheapest = sorted(range(len(whole)), key=lambda index: (shared(whole[index]), index))
    chosen = set(cheapest[:len(whole) % jobs])
    head = sorted((task for index, task in enumerate(whole) if index not in chosen), key=lambda task: -weight(task))
    first: list[Task] = []
    last: list[Task] = []
    for index, task in enumerate(whole):
        if index in chosen:
            first.append(Task(task.course, task.locale, (), task.catalogs))
            last.extend(Task(task.course, task.locale, group, task.catalogs) for group in split(task.profiles, jobs))
    return first + head + last


def halves(texts: Sequence[str], head_start: int = 0) -> tuple[list[str], list[str]]:
    """Two shares of about the same length (the longest first, each to the lighter share), the first counted as
    ``head_start`` characters longer than it is (for other work its process does meanwhile)."""
    shares: tuple[list[str], list[str]] = ([], [])
    sizes = [head_start, 0]
    for text in sorted(texts, key=len, reverse=True):
        lighter = sizes.index(min(sizes))
        shares[lighter].append(text)
        sizes[lighter] += len(text)
    return shares


Outlined = tuple[Entries, tuple[tuple[str, SharedPage], ...]]
"""What parsing some pages left: their outlines' cache entries, and the block structures kept for their render."""


def outlined(bodies: Sequence[str]) -> Outlined:
    """Parse these page bodies (in a helper): the entries are kept by whoever receives them, not here."""
    recorder = Recorder(active_store(), write=False)
    with cache_scope(recorder):
        for body in bodies:
            outline(body)
        shelf = shared_pages()
        kept = tuple((body, page) for body in bodies if (page := shelf.get(body)) is not None)
    return tuple(recorder.entries), kept


def parsed_before(bodies: Sequence[str]) -> bool:
    """Parse ``bodies`` here; whether they were all in the cache (nothing was computed)."""
    before = computed_values()
    for body in bodies:
        outline(body)
    return computed_values() == before


def parse_pages(source: CourseSource) -> None:
    """Parse a course's pages on two cores before validation reads them: a forked helper parses half of the
    text and hands back what that left (the outlines' cache entries, the block structures each locale's render
    shares), while this process imports the stages the build's workers will run and parses the rest. Only where
    it can fork (no other thread runs: not while a progress bar draws on a terminal), a store keeps what is parsed
    and there is enough of it (a text too short to be memoized is parsed where it is read), and not in a rebuild:
    when the shortest page of the helper's share was in the cache already, the others are taken to be too (what is
    not is parsed where it is read). Nor for a course whose pages' structures would not all stay on the shelf
    (``MAX_CHARS_TO_SHARE``): the helper's would push this process's own out, and coming back in one message they
    would raise the build's peak memory (a 1,000-page course: some 10 MB)."""
    store = active_store()
    bodies = [page.body for page in source.pages.values() if len(page.body) >= MEMOIZED_FROM_CHARS]
    text = sum(map(len, bodies))
    if store is None or not MIN_CHARS_TO_SHARE <= text <= MAX_CHARS_TO_SHARE or not can_fork(grace=0):
        return
    importing = not unit_stages_imported()
    ours, theirs = halves(bodies, IMPORT_AS_CHARS if importing else 0)
    if parsed_before(theirs[-1:]):  # a rebuild: an earlier build parsed the pages (a fork would cost 0.04 s)
        return
    theirs = theirs[:-1]
    with Background(lambda: outlined(theirs)) as helper:
        if importing:  # the workers forked later share them; importing them here now keeps it off the serial path
            import_unit_stages()
        for body in ours:
            outline(body)
        entries, pages = helper.result()
    for namespace, key, value in entries:
        store.put(namespace, key, value)
    shelf = shared_pages()
    for body, page in pages:
        shelf.put(body, page)


def split_units(tasks: Sequence[Task]) -> dict[int, int]:
    """Each task that builds part of a unit another task started: its index, to the index of the unit's first."""
    first: dict[tuple[int, str], int] = {}
    leads: dict[int, int] = {}
    for index, task in enumerate(tasks):
        unit = (task.course, task.locale)
        if unit in first:
            leads[index] = first[unit]
        else:
            first[unit] = index
    return leads


class BuildRun:
    """One ``courseforge build`` of several courses into a spool."""

    def __init__(self, options: BuildOptions, spool: Spool, jobs: int, progress: Progress) -> None:
        self.options, self.spool, self.jobs, self.progress = options, spool, jobs, progress
        self.prepared: list[PreparedCourse | None] = []
        self.tasks: list[Task] = []
        self.cached = 0
        """Packages taken from the cache."""
        self.processes = 1
        """Processes the tasks ran on (1: this one)."""
        self.leads: dict[int, int] = {}
        """A split unit's later groups: the index of the unit's first group, whose shared entries they are given."""
        self.shared: dict[int, Entries] = {}
        """In the parent: what each split unit's first group handed back, until its last group is handed out."""

    def run(self, courses: Sequence[tuple[Path, str]], sink: DiagnosticSink) -> list[StagedBuild | None]:
        """Each course's staged packages in locale and format order; None for a course that does not build."""
        found = self.prepare(courses, sink)
        self.cached = len(found)
        results = self.build(sink)
        staged: dict[tuple[int, str, PackageFormat], StagedPackage] = dict(found)
        for task, result in zip(self.tasks, results, strict=True):
            for profile, package in zip(task.profiles, result.packages, strict=True):
                staged[(task.course, task.locale, profile.format)] = package
        return [self.course_build(index, prepared, staged) for index, prepared in enumerate(self.prepared)]

    def prepare(self, courses: Sequence[tuple[Path, str]],
                sink: DiagnosticSink) -> dict[tuple[int, str, PackageFormat], StagedPackage]:
        """Validate every course (in this process, once) and take what the cache has; the rest become tasks."""
        found: dict[tuple[int, str, PackageFormat], StagedPackage] = {}
        with self.progress("validating", len(courses)) as step:
            for index, (folder, display) in enumerate(courses):
                prepared = prepare_course(folder, display, self.options, sink,
                                          parse_pages if self.jobs > 1 else None)
                self.prepared.append(prepared)
                for locale in prepared.locales if prepared is not None else ():
                    assert prepared is not None
                    catalogs, cached = cached_units(prepared, locale, self.options, self.spool, sink)
                    found.update({(index, locale, package_format): package
                                  for package_format, package in cached.items()})
                    missing = tuple(profile for profile in prepared.profiles if profile.format not in cached)
                    if missing:
                        self.tasks.append(Task(index, locale, missing, catalogs))
                step(folder.name)
        return found

    def weight(self, task: Task) -> int:
        prepared = self.prepared[task.course]
        assert prepared is not None
        return max(1, len(prepared.course.screens)) * len(task.profiles)

    def locale_work(self, task: Task) -> int:
        """What a task's locale costs before its formats: its catalogs and localization (0: none read)."""
        prepared = self.prepared[task.course]
        assert prepared is not None
        own = task.locale == prepared.course.manifest.language or is_pseudo(task.locale)
        return 0 if own else self.weight(task)

    def build(self, sink: DiagnosticSink) -> list[TaskResult]:
        """Every task's result, in task order; diagnostics merged in that order too."""
        jobs = max(1, min(self.jobs, len(self.tasks)))
        if jobs > 1 and (len(self.tasks) < 2 or sum(map(self.weight, self.tasks)) < TINY_WORK or not can_fork()):
            jobs = 1
        self.tasks = plan(self.tasks, jobs, self.weight, self.locale_work)
        self.leads = split_units(self.tasks) if jobs > 1 else {}
        self.processes = jobs
        results: list[TaskResult | None] = [None] * len(self.tasks)
        if jobs <= 1:
            with self.progress("building", len(self.tasks)) as step:
                for index, task in enumerate(self.tasks):
                    results[index] = self.run_task(index, None)
                    step(self.label(task))
        else:
            self.share_with_workers()
            with ForkPool(self.run_task, jobs) as pool, self.progress("building", len(self.tasks)) as step:
                def finished(index: int, result: TaskResult) -> None:
                    if result.shared:
                        self.shared[index] = result.shared
                    results[index] = replace(result, shared=())
                    step(self.label(self.tasks[index]))
                pool.run(len(self.tasks), finished, self.handed)
            disk = active_disk()
            if disk is not None:
                disk.written += sum(result.cache_written for result in results if result is not None)
        complete = [result for result in results if result is not None]
        for _, result in sorted(zip(self.tasks, complete, strict=True), key=lambda pair: self.build_order(pair[0])):
            sink.extend(result.diagnostics)
        return complete

    def build_order(self, task: Task) -> tuple[int, int, int]:
        """Where a task's units come in a one-process build: course, then locale, then format (a split unit's
        first group, which builds none, reports before its formats: what its locale's work found)."""
        prepared = self.prepared[task.course]
        assert prepared is not None
        at = prepared.profiles.index(task.profiles[0]) if task.profiles else -1
        return (task.course, prepared.locales.index(task.locale), at)

    def share_with_workers(self) -> None:
        """Import the stages, compile each theme's templates and make each course's player template once, here,
        before the workers fork (else each would)."""
        import_unit_stages()
        from courseforge.stages.render import compile_templates

        for index in dict.fromkeys(task.course for task in self.tasks):
            prepared = self.prepared[index]
            assert prepared is not None
            compile_templates(prepared.theme)
            if any(task.course == index and task.locale in prepared.translations for task in self.tasks):
                _ = prepared.player_template

    def handed(self, index: int) -> Entries | None:
        """What a split unit's later group is given: its first group's entries, if they came back already (else
        it does that work again); they are let go with the unit's last group."""
        lead = self.leads.get(index)
        if lead is None:
            return None
        if not any(other > index and first == lead for other, first in self.leads.items()):
            return self.shared.pop(lead, None)
        return self.shared.get(lead)

    def run_task(self, index: int, given: Entries | None) -> TaskResult:
        """One task, in a cache scope that answers from what it is given first, and records what it makes when
        other groups of its unit will want it and cannot read it from the disk cache (where it is kept as the
        task goes: handing it over too would hold a big course's entries in three processes at once)."""
        task = self.tasks[index]
        prepared = self.prepared[task.course]
        assert prepared is not None
        reported = DiagnosticSink()
        disk = active_disk()
        if disk is not None and index in self.leads:
            disk.refresh()  # the unit's first group packed its shared work in another worker's pack
        written = disk.written if disk is not None else 0
        store = active_store()
        if given:
            store = LayeredStore(Given(given), store) if store is not None else Given(given)
        recorder = Recorder(store) if index in self.leads.values() and disk is None else None
        with cache_scope(recorder or store, disk=disk):
            packages = fresh_units(prepared, task.locale, task.profiles, task.catalogs, self.options, self.spool,
                                   reported)
        return TaskResult(tuple(packages), tuple(reported.items), disk.written - written if disk is not None else 0,
                          tuple(recorder.entries) if recorder is not None else ())

    def label(self, task: Task) -> str:
        prepared = self.prepared[task.course]
        return f"{prepared.course.id if prepared else '?'} {task.locale}"

    def course_build(self, index: int, prepared: PreparedCourse | None,
                     staged: dict[tuple[int, str, PackageFormat], StagedPackage]) -> StagedBuild | None:
        if prepared is None:
            return None
        packages = tuple(staged[(index, locale, profile.format)] for locale in prepared.locales
                         for profile in prepared.profiles)
        if any(d.severity is Severity.ERROR for package in packages for d in package.result.diagnostics):
            return None
        return StagedBuild(prepared.course, packages)
