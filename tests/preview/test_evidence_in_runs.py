"""The robot's ``pass`` run takes the evidence: two screenshots per screen, axe-core on every screen and quiz
state, the layout check and Tab walks; in a left-to-right and a right-to-left locale; and a theme that drops
a label fails the run with ``a11y.label``.

Packages are built in-test by the real pipeline (the broken one through a project theme folder), served by
the preview harness (scorm-again) and judged by axe-core (the harness's pinned copy) in Chromium.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course, Quiz
from courseforge.model.package import PackageFormat
from courseforge.model.preview import FindingSeverity, PreviewRun, Verdict
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.harness import PreviewServer
from courseforge.stages.preview.scenarios import run_scenarios
from courseforge.stages.preview.screen_evidence import LOOK_PREFIX, LOOKS

pytestmark = pytest.mark.browser

REPO = Path(__file__).parents[2]
SAFETY = REPO / "courses" / "workplace-safety"
UNLABELED_NUMERIC = """{% from "questions/frame.html" import question %}
{% call question(q) %}<input class="cf-text" type="text" id="{{ q.dom_id }}.answer" inputmode="decimal"
autocomplete="off" maxlength="255" data-role="answer">{% endcall %}
"""
"""A project override of the numeric question that forgets the input's label (``aria-labelledby``)."""
SHORT_MODULES = [{"id": "m-short", "title": "Safety in brief", "lessons": [
    {"id": "l-welcome", "title": "Welcome", "items": ["pages/welcome.md"]},
    {"id": "l-assessment", "title": "Final assessment", "items": ["quizzes/safety-quiz.yaml"]}]}]
SHORT_WELCOME = "---\nid: welcome\ntitle: Safety in brief\n---\nOne page, then the quiz.\n"
"""The safety course cut to one page and its quiz (which has the numeric question): two screens to look at."""


def short_safety_course(folder: Path) -> Path:
    shutil.copytree(SAFETY, folder, ignore=shutil.ignore_patterns("pages", "checklists"))
    (folder / "pages").mkdir()
    (folder / "pages" / "welcome.md").write_text(SHORT_WELCOME, encoding="utf-8")
    manifest = yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
    manifest.update(modules=SHORT_MODULES, completion={"pages": "all"})
    (folder / "course.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return folder


def build(course_dir: Path, locales: tuple[str, ...],
          themes_dir: Path | None = None) -> tuple[Course, dict[str, bytes]]:
    sink = DiagnosticSink()
    result = build_course(course_dir, f"courses/{course_dir.name}",
                          BuildOptions(formats=(PackageFormat.SCORM12,), locales=locales,
                                       locales_dir=REPO / "locales", themes_dir=themes_dir), sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    return result.course, {b.package.locale: b.package.data for b in result.packages}


def errors(run: PreviewRun) -> list[str]:
    return [f"{f.step}: {f.rule}: {f.message}" for f in run.findings if f.severity is FindingSeverity.ERROR]


def assert_full_evidence(course: Course, run: PreviewRun) -> None:
    screens = course.screens
    assert run.verdict is Verdict.PASSED, errors(run)
    sizes = [(shot.width, shot.height) for shot in run.screenshots]
    assert sizes == [(1280, 800), (375, 812)] * len(screens)
    assert all(shot.png.startswith(b"\x89PNG\r\n\x1a\n") for shot in run.screenshots)
    assert [shot.name for shot in run.screenshots[:2]] == [f"screen 1 '{screens[0].id}' at 1280x800",
                                                           f"screen 1 '{screens[0].id}' at 375x812"]
    labels = [timing.label for timing in run.timings]
    assert labels == ["scenario", *(f"screen {n}" for n in range(1, len(screens) + 1)),
                      *(f"{LOOK_PREFIX}{kind}" for kind in LOOKS)]
    assert all(timing.seconds > 0 for timing in run.timings)
    quiz = next(s for s in screens if isinstance(s, Quiz))
    number = screens.index(quiz) + 1
    assert f"launch 1: submit quiz '{quiz.id}' before answering" in run.steps
    assert f"launch 1: keep answering quiz '{quiz.id}'" in run.steps
    assert dict(run.final_record)["cmi.core.lesson_status"] == "passed"  # the early Submit recorded nothing
    assert number > 1


@pytest.fixture(scope="module")
def safety() -> tuple[Course, dict[str, bytes]]:
    return build(SAFETY, ("ar",))


def test_pass_run_of_the_first_profile_takes_screenshots_and_audits_every_screen(
        chromium: Browser, preview_server: PreviewServer, safety: tuple[Course, dict[str, bytes]]) -> None:
    course, packages = safety
    first, second = run_scenarios(course, packages["en"], "en", ["default", "strict"], ["pass"], chromium,
                                  preview_server, name="evidence-en")
    assert_full_evidence(course, first)
    assert (second.profile, second.verdict, second.screenshots, [t.label for t in second.timings]) == (
        "strict", Verdict.PASSED, (), ["scenario"])


def test_pass_run_in_a_right_to_left_locale_takes_the_same_evidence(
        chromium: Browser, preview_server: PreviewServer, safety: tuple[Course, dict[str, bytes]]) -> None:
    course, packages = safety
    (run,) = run_scenarios(course, packages["ar"], "ar", ["default"], ["pass"], chromium, preview_server,
                           name="evidence-ar")
    assert_full_evidence(course, run)


def test_a_theme_that_drops_a_label_fails_the_pass_run(chromium: Browser, preview_server: PreviewServer,
                                                       tmp_path: Path) -> None:
    folder = short_safety_course(tmp_path / "workplace-safety")
    override = tmp_path / "themes" / "default" / "questions" / "numeric.html"
    override.parent.mkdir(parents=True)
    override.write_text(UNLABELED_NUMERIC, encoding="utf-8")
    course, packages = build(folder, (), themes_dir=tmp_path / "themes")
    (run,) = run_scenarios(course, packages["en"], "en", ["default"], ["pass"], chromium, preview_server,
                           name="evidence-unlabeled")
    assert run.verdict is Verdict.FAILED
    labels = [f for f in run.findings if f.rule == "a11y.label"]
    quiz = next(s for s in course.screens if isinstance(s, Quiz))
    assert labels and all(f.severity is FindingSeverity.ERROR for f in labels)
    where = f"screen {course.screens.index(quiz) + 1} '{quiz.id}'"
    assert [f.step for f in labels] == [f"{where}: {state}" for state in ("unanswered", "answered",
                                                                          "submitted, feedback shown")]
    assert "answer" in labels[0].message
    assert {f.rule for f in run.findings if f.severity is FindingSeverity.ERROR} == {"a11y.label"}
    (tracking_only,) = run_scenarios(course, packages["en"], "en", ["default"], ["pass"], chromium, preview_server,
                                     name="evidence-unlabeled-off", evidence=False)
    assert (tracking_only.verdict, tracking_only.screenshots) == (Verdict.PASSED, ())
