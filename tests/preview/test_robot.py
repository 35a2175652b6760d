"""The robot learner takes the sample packages in Chromium against the preview harness (scorm-again).

Packages are built in-test by the real pipeline. Each run's verdict comes from what the LMS stored,
judged against the course rules: ``pass`` in Arabic (right to left) and in English (a pooled quiz and a
survey), ``resume``, ``fail`` under an LMS that decides pass/fail from the score itself, and an authored
scenario. English ``pass`` of workplace-safety is the authored and resume paths' walk already.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.model.package import PackageFormat
from courseforge.model.preview import PreviewRun, Verdict
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.harness import PreviewServer, RuntimeMissing
from courseforge.stages.preview.scenarios import run_scenarios
from tests.chromium import missing

pytestmark = pytest.mark.browser

REPO = Path(__file__).parents[2]
AUTHORED = {"name": "three-wrong", "description": "two wrong true-false answers and a wrong single choice",
            "answers": {"safety-quiz": {"q-use-lift": True, "q-ppe-hierarchy": True, "q-co2-removes": "c-heat"}},
            "others": "right",
            "expect": {"status": "incomplete", "score": None}}
"""8 of 11 points: 72.73 %, below mastery with two attempts left."""


@dataclass(frozen=True)
class Built:
    course: Course
    packages: dict[str, bytes]


def build(course_dir: Path, locales: tuple[str, ...]) -> Built:
    sink = DiagnosticSink()
    result = build_course(course_dir, f"courses/{course_dir.name}", BuildOptions(formats=(PackageFormat.SCORM12,),
                                                                                    locales=locales), sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    return Built(result.course, {b.package.locale: b.package.data for b in result.packages})


@pytest.fixture(scope="module")
def server() -> Iterator[PreviewServer]:
    try:
        harness = PreviewServer()
    except RuntimeMissing as error:
        missing(str(error).splitlines()[0])
    with harness:
        yield harness


@pytest.fixture(scope="module")
def safety() -> Built:
    return build(REPO / "courses" / "workplace-safety", ("ar",))


def assert_passed(runs: list[PreviewRun]) -> None:
    for run in runs:
        assert run.verdict is Verdict.PASSED, [f"{f.rule}: {f.message} ({f.step})" for f in run.findings]


def test_pass_in_arabic_and_in_english_with_a_pool(chromium: Browser, server: PreviewServer, safety: Built) -> None:
    privacy = build(REPO / "courses" / "data-privacy", ())
    runs = [*run_scenarios(safety.course, safety.packages["ar"], "ar", ["default"], ["pass"], chromium, server,
                           evidence=False),  # screenshots and audits: tests/preview/test_evidence_in_runs.py
            *run_scenarios(privacy.course, privacy.packages["en"], "en", ["default"], ["pass"], chromium, server,
                           evidence=False)]
    assert_passed(runs)
    for run in runs:
        record = dict(run.final_record)
        assert (record["cmi.core.lesson_status"], record["cmi.core.score.raw"]) == ("passed", "100")
        held = run.launches[-1]
        assert (held.status, held.score_percent, held.finishes, held.left_suspended) == ("passed", 100.0, 1, False)
        assert run.profile_meaning == "a well-behaved SCORM 1.2 LMS"
        assert [e.means for e in run.timeline if e.element == "cmi.core.score.raw" and e.value == "100"] == [
            "score 100"], "the timeline says what each call meant"
        assert len(run.timeline) == len(run.events)
        assert sum(e.method == "LMSFinish" for e in run.events) == 1
    assert runs[0].locale == "ar"
    interactions = {k: v for k, v in runs[0].final_record if k.endswith(".id")}
    assert len(interactions) == 9  # every question of the safety quiz, one attempt
    assert len({v for k, v in runs[1].final_record if k.endswith(".id")}) == 8 + 5  # the draw + the survey


def test_resume_keeps_bookmark_and_checklist(chromium: Browser, server: PreviewServer, safety: Built) -> None:
    (run,) = run_scenarios(safety.course, safety.packages["en"], "en", ["default"], ["resume"], chromium, server)
    assert_passed([run])
    assert "launch 2: resume at 'manual-handling'" in run.steps
    assert "launch 2: check what 'ppe-checklist' kept" in run.steps
    assert dict(run.final_record)["cmi.core.lesson_status"] == "passed"


def test_fail_under_an_lms_that_decides_from_the_score(chromium: Browser, server: PreviewServer,
                                                       safety: Built) -> None:
    """Incomplete while attempts remain, exit suspend after the relaunch, failed once they are used up."""
    (run,) = run_scenarios(safety.course, safety.packages["en"], "en", ["mastery-override"], ["fail"], chromium,
                           server)
    assert_passed([run])
    assert "launch 1: keep answering quiz 'safety-quiz'" in run.steps
    assert "launch 1: submit quiz 'safety-quiz' anyway" in run.steps
    record = dict(run.final_record)
    assert record["cmi.core.lesson_status"] == "failed" and float(record["cmi.core.score.raw"]) < 80
    assert sum(e.method == "LMSFinish" for e in run.events) == 3  # one per launch


def test_an_authored_scenario_runs_and_is_held_to_its_expectation(chromium: Browser, server: PreviewServer,
                                                                  tmp_path: Path) -> None:
    folder = tmp_path / "workplace-safety"
    shutil.copytree(REPO / "courses" / "workplace-safety", folder)
    manifest = yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
    manifest["scenarios"] = [AUTHORED]
    (folder / "course.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    built = build(folder, ())
    (run,) = run_scenarios(built.course, built.packages["en"], "en", ["default"], ["three-wrong"], chromium, server)
    assert_passed([run])
    assert "launch 1: answer 'q-use-lift' with True" in run.steps
    record = dict(run.final_record)
    assert record["cmi.core.lesson_status"] == "incomplete" and record["cmi.core.exit"] == "suspend"
    results = {v for k, v in run.final_record if k.endswith(".result")}
    assert results == {"correct", "wrong"}
