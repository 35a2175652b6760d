"""If lint passes, build passes on the same sources: walked over every fixture course, the samples, and
the inputs that once passed lint and then failed the build."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from courseforge.cli import EXIT_OK, EXIT_PROBLEMS, run

REPO = Path(__file__).resolve().parents[2]
FIXTURES = sorted(p.parent for p in (REPO / "tests" / "roots").glob("*/course.yaml"))
SAMPLES = sorted(p.parent for p in (REPO / "courses").glob("*/course.yaml"))
SAFETY = "workplace-safety"


def edit(relpath: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def apply(course: Path) -> None:
        path = course / relpath
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return apply


ONCE_BROKE_THE_BUILD: dict[str, Callable[[Path], None]] = {
    "unknown theme": edit("course.yaml", lambda text: text.replace("modules:", "theme: corporate\nmodules:", 1)),
    "control character in the title": edit("course.yaml", lambda text: text.replace("title: ", 'title: "\\a" ', 1)),
    "NaN points": edit("quizzes/safety-quiz.yaml", lambda text: text.replace("points: 2", "points: .nan", 1)),
    "translation with a control character": lambda course: edit(
        "../../locales/de/LC_MESSAGES/workplace-safety.po",
        lambda text: text.replace('msgstr "Willkommen', 'msgstr "\\aWillkommen', 1))(course),
}


def invoke(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = run(list(args))
    return code, err.getvalue()


def project_with(tmp_path: Path, course: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(course, root / "courses" / course.name)
    shutil.copytree(REPO / "locales", root / "locales")
    shutil.copy(REPO / "courseforge.yaml", root)
    monkeypatch.chdir(root)
    return root / "courses" / course.name


def assert_lint_predicts_build(root: Path) -> tuple[int, str]:
    lint_code, lint_err = invoke("lint", "--locale", "all")
    build_code, build_err = invoke("build", "--locale", "all")
    assert lint_code in (EXIT_OK, EXIT_PROBLEMS) and build_code in (EXIT_OK, EXIT_PROBLEMS), lint_err + build_err
    if lint_code == EXIT_OK:
        assert build_code == EXIT_OK, f"lint passed, build failed:\n{build_err}"
    if build_code != EXIT_OK:
        assert lint_code != EXIT_OK, f"build failed, lint passed:\n{build_err}"
        assert not (root / "build").exists()
    return lint_code, lint_err


@pytest.mark.parametrize("course", FIXTURES + SAMPLES, ids=lambda p: p.name)
def test_lint_predicts_build_on_every_fixture(tmp_path: Path, course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = project_with(tmp_path, course, monkeypatch)
    assert_lint_predicts_build(folder.parents[1])


@pytest.mark.parametrize("case", sorted(ONCE_BROKE_THE_BUILD))
def test_what_once_passed_lint_and_broke_the_build_now_fails_lint(tmp_path: Path, case: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = project_with(tmp_path, REPO / "courses" / SAFETY, monkeypatch)
    ONCE_BROKE_THE_BUILD[case](folder)
    code, err = assert_lint_predicts_build(folder.parents[1])
    assert code == EXIT_PROBLEMS, err
    located = [line for line in err.splitlines() if ": error: " in line]
    assert located and all(line.startswith(("courses/", "locales/")) for line in located), err
    assert "scorm12.zip!" not in err and "Traceback" not in err


def test_a_page_repeating_one_sentence_past_the_zip_guards_ratio_builds_and_lint_agrees(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It once failed the build (the player page deflated past 100:1 looked like a zip bomb): such a page now
    goes into the zip stored, and the package verifies, as an LMS would take it."""
    folder = project_with(tmp_path, REPO / "courses" / SAFETY, monkeypatch)
    edit("pages/welcome.md", lambda text: text + "\n\n" + "Keep exits clear. " * 150_000)(folder)
    for command in ("lint", "build"):
        code, err = invoke(command, SAFETY, "--format", "scorm12")
        assert code == EXIT_OK and ": error: " not in err and ": warning: " not in err, err
    assert (folder.parents[1] / "build" / SAFETY / "en" / "scorm12.zip").stat().st_size > 2_700_000
