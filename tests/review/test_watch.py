"""Watch mode (courseforge/lms/review/watch.py) on a copy of the sample project: real watchdog events from real file
writes, rebuilt in process by the real pipeline. Also the helpers the live-reload tests share (``watched_project``,
``EventLog``)."""

from __future__ import annotations

import io
import os
import queue
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, TypeVar

import pytest

from courseforge.diagnostics import DiagnosticSink
from courseforge.lms.review.watch import (
    EVERY_COURSE,
    NOTHING,
    WHOLE_PROJECT,
    BuildEvent,
    BuildEventKind,
    ProjectLayout,
    ProjectWatcher,
    Touched,
    WatchBuilder,
    WatchSettings,
    touched_by,
)
from courseforge.model.package import PackageFormat
from courseforge.project import Project, load_project
from tests.review.review_lms import wait_for
from tests.sample_project import copy_sample_project

SAFETY, PRIVACY = "workplace-safety", "data-privacy"
PPE_PAGE = Path("courses/workplace-safety/pages/ppe.md")
SAFETY_MANIFEST = Path("courses/workplace-safety/course.yaml")
T = TypeVar("T")
WAIT_S = 10.0
"""How long a test waits for something that should come far sooner, before it fails."""


def sample(tmp_path: Path) -> Project:
    project = load_project(copy_sample_project(tmp_path / "project"), DiagnosticSink())
    assert project is not None
    return project


@contextmanager
def watched_project(tmp_path: Path, settings: WatchSettings | None = None) -> Iterator[WatchBuilder]:
    """A started builder over a fresh copy of the sample project, its first build done."""
    builder = WatchBuilder(sample(tmp_path), settings)
    builder.start()
    try:
        assert builder.wait_idle(60), "the first build of the sample project did not finish"
        yield builder
    finally:
        builder.stop()


class Arrivals(Generic[T]):
    """What another thread hands over, in order, each taken with a deadline."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._queue: queue.Queue[T] = queue.Queue()

    def put(self, item: T) -> None:
        self._queue.put(item)

    def next(self, timeout: float = WAIT_S) -> T:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no {self._what} within {timeout} s") from None

    def quiet_for(self, seconds: float) -> bool:
        """True when nothing came for ``seconds``."""
        try:
            self._queue.get(timeout=seconds)
        except queue.Empty:
            return True
        return False


def event_log(builder: WatchBuilder) -> Arrivals[tuple[float, BuildEvent]]:
    """Every event of the builder from now on, with the monotonic time it arrived (on the builder's thread)."""
    log: Arrivals[tuple[float, BuildEvent]] = Arrivals("build event")
    builder.subscribe(lambda event: log.put((time.monotonic(), event)))
    return log


def append_sentence(root: Path, page: Path, sentence: str) -> float:
    """Edit a page as an editor saves it; returns when the write ended (monotonic)."""
    path = root / page
    path.write_text(path.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")
    return time.monotonic()


def break_manifest(root: Path) -> str:
    """An unclosed flow sequence on course.yaml's title line; returns the good text to restore."""
    path = root / SAFETY_MANIFEST
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title: Workplace", "title: [Workplace", 1), encoding="utf-8")
    return good


def web_index(builder: WatchBuilder, course: str = SAFETY, locale: str = "en") -> str:
    state = builder.state(course)
    assert state is not None and state.good is not None
    page = state.good.member(locale, PackageFormat.WEB, "index.html")
    assert page is not None
    return page.decode()


# --- what a change touches ---------------------------------------------------------------------------------------


def test_a_change_touches_the_courses_that_read_it(tmp_path: Path) -> None:
    project = sample(tmp_path)
    layout = ProjectLayout.of(project)
    root = project.root

    def touched(relative: str) -> Touched:
        return touched_by(layout, root / relative)

    assert touched("courses/workplace-safety/pages/ppe.md") == Touched(frozenset({SAFETY}))
    assert touched("courses/data-privacy/quizzes/final.yaml") == Touched(frozenset({PRIVACY}))
    assert touched("courses/data-privacy") == Touched(frozenset({PRIVACY}))
    assert touched("locales/de/LC_MESSAGES/data-privacy.po") == Touched(frozenset({PRIVACY}))
    assert touched("locales/de/LC_MESSAGES/ui.po") == EVERY_COURSE
    assert touched("locales/es") == EVERY_COURSE
    assert touched("themes/corporate/index.html") == EVERY_COURSE
    assert touched("courseforge.yaml") == WHOLE_PROJECT
    for ignored in ("build/workplace-safety/en/web.zip", "locales/templates/data-privacy.pot",
                    "courses/workplace-safety/pages/.ppe.md.swp", "courses/workplace-safety/pages/ppe.md~",
                    "courses/workplace-safety/pages/4913", "courses/workplace-safety/pages/#ppe.md#",
                    "courses/workplace-safety/pages/ppe.md___jb_tmp___", "courses/workplace-safety/.git/index",
                    "README.md", "courseforge.yaml.tmp"):
        assert touched(ignored) == NOTHING, ignored


def test_a_branding_image_touches_the_whole_project(tmp_path: Path) -> None:
    root = copy_sample_project(tmp_path / "project", "branding:\n  logo: art/logo.png\n  logo_alt: Example Ltd\n")
    project = load_project(root, DiagnosticSink())
    assert project is not None
    layout = ProjectLayout.of(project)
    assert touched_by(layout, root / "art/logo.png") == WHOLE_PROJECT
    assert touched_by(layout, root / "art/other.png") == NOTHING
    assert (root / "art", False) in layout.watched()


# --- watching, with real watchdog events ----------------------------------------------------------------------


@contextmanager
def watching(project: Project) -> Iterator[queue.Queue[tuple[float, Touched]]]:
    """A started watcher; yields the bursts it hands on, each with the monotonic time it did."""
    bursts: queue.Queue[tuple[float, Touched]] = queue.Queue()
    watcher = ProjectWatcher(ProjectLayout.of(project), lambda touched: bursts.put((time.monotonic(), touched)))
    watcher.start()
    try:
        yield bursts
    finally:
        watcher.stop()


def test_an_editors_write_rename_save_is_one_change_of_its_course(tmp_path: Path) -> None:
    project = sample(tmp_path)
    page = project.root / PPE_PAGE
    text = page.read_text(encoding="utf-8")
    with watching(project) as bursts:
        probe = page.parent / "4913"  # what vim does on :w with backupcopy=no
        probe.write_text("")
        probe.unlink()
        swap = page.parent / ".ppe.md.swp"
        swap.write_bytes(b"b0VIM")
        os.rename(page, page.parent / "ppe.md~")
        page.write_text(text + "\nSaved by an editor.\n", encoding="utf-8")
        (page.parent / "ppe.md~").unlink()
        swap.unlink()
        _, touched = bursts.get(timeout=WAIT_S)
        assert touched == Touched(frozenset({SAFETY}))
        with pytest.raises(queue.Empty):
            bursts.get(timeout=0.3)


def test_reading_files_and_writing_the_build_folder_touch_nothing(tmp_path: Path) -> None:
    """A rebuild reads every source file (open/close events): that must not start another rebuild."""
    project = sample(tmp_path)
    (project.output_dir / SAFETY).mkdir(parents=True)
    with watching(project) as bursts:
        for path in sorted((project.root / "courses").rglob("*.md")):
            path.read_bytes()
        (project.output_dir / SAFETY / "web.zip").write_bytes(b"PK")
        (project.root / "locales/templates/workplace-safety.pot").write_text("# regenerated\n")
        with pytest.raises(queue.Empty):
            bursts.get(timeout=0.5)


def test_a_source_folder_created_later_is_watched(tmp_path: Path) -> None:
    """The sample project has no themes/ folder: once one is made, a file written in it touches every course."""
    project = sample(tmp_path)
    with watching(project) as bursts:
        (project.themes_dir / "corporate").mkdir(parents=True)
        assert bursts.get(timeout=WAIT_S)[1] == EVERY_COURSE
        (project.themes_dir / "corporate" / "theme.yaml").write_text("name: corporate\n")
        assert bursts.get(timeout=WAIT_S)[1] == EVERY_COURSE


REFUSED_WATCH = """
import os, resource, sys
from pathlib import Path
from courseforge.diagnostics import DiagnosticSink
from courseforge.lms.review.watch import ProjectLayout, ProjectWatcher, WatchUnavailable
from courseforge.project import load_project

project = load_project(Path(sys.argv[1]), DiagnosticSink())
watcher = ProjectWatcher(ProjectLayout.of(project), lambda touched: None)
open_now = len(os.listdir("/proc/self/fd")) - 1  # the listing's own descriptor is closed again
resource.setrlimit(resource.RLIMIT_NOFILE, (open_now, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
try:
    watcher.start()
except WatchUnavailable as refused:
    print(refused)
else:
    print("watching")
    watcher.stop()
"""


def test_a_system_that_refuses_to_watch_says_which_limit_to_raise(tmp_path: Path) -> None:
    """A process at its open-file limit gets no inotify instance (the kernel's own refusal, in a process of its
    own): the error names the folder and the limits to raise, and nothing is left watching."""
    root = copy_sample_project(tmp_path / "project")
    done = subprocess.run([sys.executable, "-c", REFUSED_WATCH, str(root)], capture_output=True, text=True,
                          timeout=WAIT_S * 3)
    assert done.returncode == 0, done.stderr
    assert re.match(rf"cannot watch {re.escape(str(root))}: .+; the limit of inotify instances or of open files is "
                    r"reached: raise it \(sysctl fs\.inotify\.max_user_instances=1024, or ulimit -n\)",
                    done.stdout), done.stdout


# --- rebuilding ------------------------------------------------------------------------------------------------


def test_the_first_build_has_every_locale_and_format_of_every_course(tmp_path: Path) -> None:
    with watched_project(tmp_path) as builder:
        states = builder.states()
        assert sorted(states) == [PRIVACY, SAFETY]
        safety = states[SAFETY].good
        assert safety is not None and states[SAFETY].generation == 1 and not states[SAFETY].failed
        assert safety.locales == ("en", "de", "fr", "ar")
        assert set(safety.formats) == set(PackageFormat)
        package = builder.package(SAFETY, "de", PackageFormat.SCORM12)
        assert package is not None and package.course_id == SAFETY
        assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(package.data)).namelist()


def test_editing_a_page_reloads_its_source_language_first_then_builds_its_translations(tmp_path: Path) -> None:
    """The reload is told as soon as the source language is built (what the author previews); the translations are
    the same generation's, told as ``translated`` once built. Only the edited course is rebuilt."""
    sentence = "Check your boots every morning."
    with watched_project(tmp_path) as builder:
        seen: list[tuple[BuildEvent, frozenset[str], bool]] = []

        def snapshot(event: BuildEvent) -> None:  # on the builder's thread, before it goes on
            state = builder.state(event.course_id)
            assert state is not None and state.good is not None
            seen.append((event, state.good.pending, sentence in web_index(builder, locale="de")))
        builder.subscribe(snapshot)
        before = len(builder.history())
        untouched = builder.package(PRIVACY, "en", PackageFormat.WEB)
        append_sentence(builder.project.root, PPE_PAGE, sentence)
        wait_for(lambda: len(seen) == 2, "the reload and the translations")
        assert builder.wait_idle(WAIT_S)
        (reload, pending, de_then), (translated, pending_after, de_after) = seen
        assert (reload.kind, reload.course_id, reload.generation) == (BuildEventKind.RELOAD, SAFETY, 2)
        assert pending == {"de", "fr", "ar"} and not de_then, "the translations were built before the reload"
        assert (translated.kind, translated.generation, pending_after, de_after) == (
            BuildEventKind.TRANSLATED, 2, frozenset(), True)  # untranslated: the source's sentence
        assert [rebuild.course_id for rebuild in builder.history()[before:]] == [SAFETY]
        assert sentence in web_index(builder)
        assert builder.package(PRIVACY, "en", PackageFormat.WEB) is untouched


def test_a_broken_build_keeps_the_last_good_one_and_reports_file_and_line_until_fixed(tmp_path: Path) -> None:
    with watched_project(tmp_path) as builder:
        log = event_log(builder)
        good = builder.package(SAFETY, "en", PackageFormat.SCORM2004)
        restore = break_manifest(builder.project.root)
        event = log.next()[1]
        assert (event.kind, event.course_id, event.generation) == (BuildEventKind.DIAGNOSTICS, SAFETY, 1)
        errors = [d.format() for d in event.diagnostics if d.severity == "error"]
        assert errors and re.match(rf"{SAFETY_MANIFEST.as_posix()}:\d+:\d+: error: malformed YAML: .* \[yaml\.syntax\]"
                                   r"\n    hint: ", errors[0]), errors
        assert event.to_json()["ok"] is False
        state = builder.state(SAFETY)
        assert state is not None and state.failed and state.generation == 1
        assert builder.package(SAFETY, "en", PackageFormat.SCORM2004) is good
        assert log.quiet_for(0.3)

        (builder.project.root / SAFETY_MANIFEST).write_text(restore.replace("Induction", "Induction (2nd ed.)"),
                                                            encoding="utf-8")
        recovered, reload = log.next()[1], log.next()[1]
        assert (recovered.kind, recovered.diagnostics, recovered.to_json()["ok"]) == (
            BuildEventKind.DIAGNOSTICS, (), True)
        assert (reload.kind, reload.generation) == (BuildEventKind.RELOAD, 2)
        assert "Workplace Safety Induction (2nd ed.)" in web_index(builder)


def test_a_broken_translation_after_a_page_edit_keeps_the_new_source_and_the_translations_last_good_build(
        tmp_path: Path) -> None:
    """The source language is shown first (the failure before is cleared: it built); a translation whose catalog is
    broken then fails again: its diagnostics are told with file:line, its packages stay the last good build's and
    nothing is pending any more."""
    sentence = "Wipe up spills at once."
    with watched_project(tmp_path) as builder:
        old_de = builder.package(SAFETY, "de", PackageFormat.WEB)
        catalog = builder.project.root / "locales/de/LC_MESSAGES/workplace-safety.po"
        catalog.write_text(catalog.read_text(encoding="utf-8") + '\nmsgid "unterminated\n', encoding="utf-8")
        failed = next_event(builder, BuildEventKind.DIAGNOSTICS)
        assert any(d.format().startswith("locales/de/LC_MESSAGES/workplace-safety.po:") for d in failed.diagnostics)
        assert builder.wait_idle(WAIT_S)
        log = event_log(builder)
        append_sentence(builder.project.root, PPE_PAGE, sentence)
        events = [log.next()[1] for _ in range(4)]
        assert [(event.kind, event.generation, bool(event.diagnostics)) for event in events] == [
            (BuildEventKind.DIAGNOSTICS, 2, False),  # the source language built: nothing failed so far
            (BuildEventKind.RELOAD, 2, False),
            (BuildEventKind.DIAGNOSTICS, 2, True),  # then the translation did
            (BuildEventKind.TRANSLATED, 2, False)]
        assert errors_of(events[2]) == errors_of(failed)
        assert builder.wait_idle(WAIT_S) and log.quiet_for(0.2)
        state = builder.state(SAFETY)
        assert state is not None and state.good is not None and state.failed and not state.good.pending
        assert sentence in web_index(builder)
        assert builder.package(SAFETY, "de", PackageFormat.WEB) is old_de


def errors_of(event: BuildEvent) -> list[str]:
    return [d.format() for d in event.diagnostics if d.severity == "error"]


def next_event(builder: WatchBuilder, kind: BuildEventKind) -> BuildEvent:
    """The builder's next event of ``kind`` from now on."""
    log = event_log(builder)
    while (event := log.next()[1]).kind is not kind:
        pass
    return event


def test_a_catalog_edit_rebuilds_its_course_only(tmp_path: Path) -> None:
    with watched_project(tmp_path) as builder:
        log = event_log(builder)
        before = len(builder.history())
        catalog = builder.project.root / "locales/de/LC_MESSAGES/data-privacy.po"
        text = catalog.read_text(encoding="utf-8")
        title = 'msgstr "Datenschutz'
        assert title in text
        catalog.write_text(text.replace(title, 'msgstr "Neu: Datenschutz', 1), encoding="utf-8")
        event = log.next()[1]
        assert (event.kind, event.course_id) == (BuildEventKind.RELOAD, PRIVACY)  # the source's packages are the same
        assert builder.wait_idle(WAIT_S)
        assert [rebuild.course_id for rebuild in builder.history()[before:]] == [PRIVACY]
        assert "Neu: Datenschutz" in web_index(builder, PRIVACY, "de")


def test_a_save_that_changes_no_package_reloads_nothing(tmp_path: Path) -> None:
    with watched_project(tmp_path) as builder:
        log = event_log(builder)
        before = len(builder.history())
        page = builder.project.root / PPE_PAGE
        page.write_bytes(page.read_bytes())
        deadline = time.monotonic() + WAIT_S
        while len(builder.history()) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert builder.wait_idle(WAIT_S)
        assert [rebuild.course_id for rebuild in builder.history()[before:]] == [SAFETY]
        assert log.quiet_for(0.2)
        state = builder.state(SAFETY)
        assert state is not None and state.generation == 1


def test_an_invalid_project_configuration_shows_on_every_course(tmp_path: Path) -> None:
    with watched_project(tmp_path, WatchSettings(locales=(), formats=(PackageFormat.WEB,))) as builder:
        log = event_log(builder)
        config = builder.project.root / "courseforge.yaml"
        good = config.read_text(encoding="utf-8")
        config.write_text(good + "build:\n  formats: [scorm3]\n", encoding="utf-8")
        failed = {event.course_id: event for _, event in (log.next(), log.next())}
        assert sorted(failed) == [PRIVACY, SAFETY]
        assert all(event.kind is BuildEventKind.DIAGNOSTICS and event.diagnostics for event in failed.values())
        assert all(d.location.path == "courseforge.yaml" for d in failed[SAFETY].diagnostics)
        assert builder.package(SAFETY, "en", PackageFormat.WEB) is not None
        config.write_text(good, encoding="utf-8")
        recovered = {event.course_id: event for _, event in (log.next(), log.next())}
        assert all(event.kind is BuildEventKind.DIAGNOSTICS and not event.diagnostics
                   for event in recovered.values())


def test_a_course_added_is_built_and_a_course_removed_keeps_its_last_good_build(tmp_path: Path) -> None:
    with watched_project(tmp_path, WatchSettings(locales=(), formats=(PackageFormat.WEB,))) as builder:
        log = event_log(builder)
        courses = builder.project.courses_dir
        staged = tmp_path / "privacy-2"
        shutil.copytree(courses / PRIVACY, staged)
        manifest = staged / "course.yaml"
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(f"id: {PRIVACY}", "id: privacy-2", 1),
                            encoding="utf-8")
        staged.rename(courses / "privacy-2")
        event = log.next()[1]
        assert (event.kind, event.course_id, event.generation) == (BuildEventKind.RELOAD, "privacy-2", 1)

        good = builder.package(PRIVACY, "en", PackageFormat.WEB)
        shutil.rmtree(courses / PRIVACY)
        gone = log.next()[1]
        assert (gone.kind, gone.course_id, gone.generation) == (BuildEventKind.DIAGNOSTICS, PRIVACY, 1)
        assert [d.code for d in gone.diagnostics] == ["watch.course-missing"]
        assert gone.diagnostics[0].location.path == f"courses/{PRIVACY}/course.yaml"
        assert builder.package(PRIVACY, "en", PackageFormat.WEB) is good
