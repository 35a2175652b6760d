"""Rebuilding inside one long-lived process (watch mode): what the stages keep between builds (parsed files,
reference verdicts, rendered Markdown, deflate checkpoints) gives exactly what a fresh build of the edited
sources gives, bytes and diagnostics, and an edit's new problem is reported as soon as it is made."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from courseforge.cache import MemoryStore, cache_scope
from courseforge.diagnostics import DiagnosticSink
from courseforge.pipeline import ALL_LOCALES, BuildOptions, build_course

REPO = Path(__file__).resolve().parents[2]
COURSE = "workplace-safety"
PAGE = "pages/fire-safety.md"

Built = tuple[dict[str, bytes], tuple[str, ...]]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "courses" / COURSE, tmp_path / COURSE)
    return tmp_path / COURSE


def build(course: Path) -> Built:
    options = BuildOptions(locales=(ALL_LOCALES,), locales_dir=REPO / "locales", source_date_epoch=0,
                           allow_incomplete=True)
    sink = DiagnosticSink()
    result = build_course(course, f"courses/{COURSE}", options, sink)
    packages = {} if result is None else {f"{p.package.locale}/{p.package.filename}": p.package.data
                                          for p in result.packages}
    return packages, tuple(d.format() for d in sink)


def fresh(course: Path) -> Built:
    with cache_scope(MemoryStore()):
        return build(course)


def append(course: Path, text: str) -> None:
    with (course / PAGE).open("a", encoding="utf-8") as page:
        page.write(text)


def test_each_rebuild_after_an_edit_equals_a_fresh_build_of_the_edited_sources(course: Path) -> None:
    with cache_scope(MemoryStore()):
        assert build(course) == fresh(course)
        for edit in range(3):
            append(course, f"\nA sentence added by edit {edit}.\n")
            assert build(course) == fresh(course)


def test_a_broken_link_added_and_removed_is_reported_and_then_gone(course: Path) -> None:
    original = (course / PAGE).read_text(encoding="utf-8")
    with cache_scope(MemoryStore()):
        packages, diagnostics = build(course)
        assert packages and not any("page.broken-link" in d for d in diagnostics)
        append(course, "\nSee [the map](../assets/no-such-map.pdf).\n")
        packages, diagnostics = build(course)
        assert not packages and any("page.broken-link" in d and PAGE in d for d in diagnostics)
        (course / PAGE).write_text(original, encoding="utf-8")
        assert build(course) == fresh(course)
