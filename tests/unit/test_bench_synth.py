"""The benchmark's course generator: deterministic, realistic in shape, and clean for courseforge's checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench.questions import QUESTION_TYPES
from bench.synth import Project, Shape, write_project
from bench.translate import LOCALES, letter_table, translate

SMALL = Shape(pages=3, questions=len(QUESTION_TYPES), locales=2, seed=7)


def tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return write_project(tmp_path_factory.mktemp("synth") / "a", SMALL)


def courseforge(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "courseforge", *args], cwd=project.root, capture_output=True,
                          text=True, check=False)


def test_same_seed_writes_the_same_bytes(project: Project, tmp_path: Path) -> None:
    again = write_project(tmp_path / "b", SMALL)
    assert tree(again.root) == tree(project.root)


def test_another_seed_writes_another_course(project: Project, tmp_path: Path) -> None:
    other = write_project(tmp_path / "c", Shape(pages=3, questions=len(QUESTION_TYPES), locales=1, seed=8))
    assert (other.page_path(0)).read_bytes() != project.page_path(0).read_bytes()


def test_the_course_lints_clean_and_its_catalogs_pass_the_checks(project: Project) -> None:
    for args in (("lint", "--strict"), ("i18n", "check"), ("i18n", "status", "--min", "100")):
        done = courseforge(project, *args)
        assert done.returncode == 0, f"courseforge {' '.join(args)}:\n{done.stdout}{done.stderr}"
        assert "warning" not in done.stderr.replace("0 warnings", ""), done.stderr


def test_the_course_has_the_realistic_shape(project: Project) -> None:
    page = project.page_path(0).read_text(encoding="utf-8")
    assert len(page.split()) >= SMALL.words_per_page
    for marker in ("\n# ", "\n## ", "\n- ", "\n1. ", "\n| ", "](https://", ".md)", "![", "**", "`"):
        assert marker in page, marker
    assets = sorted(p.suffix for p in (project.course_dir / "assets").iterdir())
    assert assets == [".jpg", ".png"]
    photo = next((project.course_dir / "assets").glob("*.jpg")).read_bytes()
    assert photo.startswith(b"\xff\xd8") and 50_000 <= len(photo) <= 120_000
    quiz = yaml.safe_load((project.course_dir / "quizzes" / "quiz-01.yaml").read_text(encoding="utf-8"))
    assert {q["type"] for q in quiz["questions"]} == {"single", "multiple", "true-false", "fill-in", "numeric",
                                                      "matching", "sequencing"}
    manifest = yaml.safe_load((project.course_dir / "course.yaml").read_text(encoding="utf-8"))
    assert [t["language"] for t in manifest["translations"]] == list(LOCALES[1:2])
    assert (project.root / "locales" / "de" / "LC_MESSAGES" / "bench-course.po").is_file()


def test_translation_keeps_markdown_and_targets_and_changes_the_words() -> None:
    source = "Keep **fire** doors [closed](p0002.md), see `EN 397` and {name}.\n- Next item"
    result = translate(source, letter_table("ar"))
    for kept in ("**", "](p0002.md)", "`EN 397`", "{name}", "\n- "):
        assert kept in result
    assert "Keep" not in result and "doors" not in result
