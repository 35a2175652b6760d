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
from courseforge.stages import inputs

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


EDITS_WITH_ERRORS = {
    "missing image": (PAGE, "goes out.", "goes out. ![A map](../assets/no-such-map.svg)"),
    "image without alt text": (PAGE, "goes out.", "goes out. ![](../assets/fire-exit-sign.svg)"),
    "unclosed front matter": (PAGE, "title: How fires start and how to fight them\n---",
                              "title: How fires start and how to fight them"),
    "duplicate page id": (PAGE, "id: fire-safety", "id: welcome"),
    "question without a correct choice": ("quizzes/safety-quiz.yaml", "        correct: true\n", ""),
    "missing lesson item": ("course.yaml", "- pages/fire-safety.md", "- pages/no-such-page.md"),
}


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("edit", sorted(EDITS_WITH_ERRORS))
def test_an_edit_that_breaks_the_course_reports_what_a_fresh_build_reports(
        course: Path, edit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With every read trusted from its stat (each file settled as soon as written), so that the reads, parses,
    validations and verdicts of the unchanged files all come from the long-lived store."""
    monkeypatch.setattr(inputs, "SETTLED_SECONDS", -1.0)
    path, old, new = EDITS_WITH_ERRORS[edit]
    original = (course / path).read_text(encoding="utf-8")
    with cache_scope(MemoryStore()):
        assert build(course) == fresh(course)
        replace_once(course / path, old, new)
        broken = build(course)
        assert broken == fresh(course)
        assert not broken[0] and any(": error: " in line for line in broken[1])
        (course / path).write_text(original, encoding="utf-8")
        repaired = build(course)
        assert repaired == fresh(course) and repaired[0]
