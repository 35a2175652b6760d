"""The cmi5 preview plug-in: the robot learner takes a cmi5 package through courseforge's strict cmi5 LMS on the
harness server (registration, launched, LMS.LaunchData, the fetch URL, returnURL), the same scenarios and
profiles as SCORM; every statement is judged by the cmi5 rules on arrival and by
@learninglocker/xapi-validation; Browse and Review record no results; the learner's Exit goes to returnURL.

Packages are built in-test by the real pipeline (the sample course in English and Arabic).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.model.package import PackageFormat
from courseforge.model.preview import PreviewRun, Verdict
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.harness.interface import LaunchOptions, Learner
from courseforge.stages.preview.harness.plugins.cmi5 import Au, Cmi5Plugin, read_aus
from courseforge.stages.preview.harness.profiles import PROFILES
from courseforge.stages.preview.harness.server import PreviewServer
from courseforge.stages.preview.harness.session import LmsSession
from courseforge.stages.preview.scenarios import run_scenarios
from courseforge.standards.cmi5 import EXT_MASTERY_SCORE

pytestmark = pytest.mark.browser

REPO = Path(__file__).parents[2]
BASE_IRI = "https://learning.example.com/courses/"


@pytest.fixture(scope="module")
def built() -> tuple[Course, dict[str, bytes]]:
    sink = DiagnosticSink()
    options = BuildOptions(formats=(PackageFormat.CMI5,), locales=("ar",), base_iri=BASE_IRI)
    result = build_course(REPO / "courses" / "workplace-safety", "courses/workplace-safety", options, sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    return result.course, {b.package.locale: b.package.data for b in result.packages}


def findings(runs: list[PreviewRun]) -> list[str]:
    return [f"{run.profile}/{run.scenario}: {f.rule}: {f.message}" for run in runs for f in run.findings]


def test_units_and_profiles(built: tuple[Course, dict[str, bytes]], tmp_path: Path) -> None:
    _, packages = built
    folder = tmp_path / "pkg"
    with zipfile.ZipFile(io.BytesIO(packages["en"])) as archive:
        archive.extractall(folder)
    (au,) = read_aus(folder)
    assert isinstance(au, Au) and au.identifier == f"{BASE_IRI}workplace-safety/au" and au.href == "index.html"
    assert au.move_on == "CompletedAndPassed" and au.mastery_score == "0.8" and au.launch_method == "AnyWindow"
    plugin = Cmi5Plugin()
    meanings = {name: plugin.profile_meaning(profile) for name, profile in PROFILES.items()}
    assert meanings["mastery-override"] is None and meanings["unload-null"] is None
    assert meanings["write-only-interactions"] is None
    assert meanings["lms-mastery"] == "LMS.LaunchData masteryScore 0.7"
    assert "no returnURL" in str(meanings["strict"]) and "503" in str(meanings["lrs-outage"])


def run(built: tuple[Course, dict[str, bytes]], chromium: Browser, server: PreviewServer, locale: str,
        profiles: list[str], scenarios: list[str]) -> list[PreviewRun]:
    course, packages = built
    runs = run_scenarios(course, packages[locale], locale, profiles, scenarios, chromium, server,
                         package_format=PackageFormat.CMI5, evidence=False)
    assert len(runs) == len(profiles) * len(scenarios)
    assert all(run.verdict is Verdict.PASSED for run in runs), findings(runs)
    return runs


def test_pass_and_resume(chromium: Browser, preview_server: PreviewServer,
                         built: tuple[Course, dict[str, bytes]]) -> None:
    passed, resumed = run(built, chromium, preview_server, "en", ["default"], ["pass", "resume"])
    last = passed.launches[-1]
    assert last.status == "passed" and last.finishes == 1 and last.score_percent == 100
    assert {i.kind for i in last.interactions} >= {"choice", "true-false"}
    rows = [(row.call, row.element.split(" ")[0]) for row in passed.timeline]
    assert rows[0] == ("POST fetch", rows[0][1]) and ("POST statements", "initialized") in rows
    assert {("POST statements", "passed"), ("POST statements", "terminated")} <= set(rows)  # (a keepalive re-send
    # of statements in flight at pagehide may come after terminated: the LRS stores each id once)
    assert len(resumed.launches) == 2 and resumed.launches[0].left_suspended


def test_fail_is_recorded_once_final(chromium: Browser, preview_server: PreviewServer,
                                     built: tuple[Course, dict[str, bytes]]) -> None:
    (failed,) = run(built, chromium, preview_server, "en", ["default"], ["fail"])
    final = failed.launches[-1]
    assert final.status == "failed" and final.score_percent is not None and final.score_percent < 80
    assert dict(final.values)["statements"].count("failed") == 1


def test_arabic_under_the_lms_mastery_strict_and_outage_profiles(
        chromium: Browser, preview_server: PreviewServer, built: tuple[Course, dict[str, bytes]]) -> None:
    runs = run(built, chromium, preview_server, "ar", ["lms-mastery", "strict", "lrs-outage"], ["pass"])
    mastery = {run.profile: passed_statement(run)["context"]["extensions"].get(EXT_MASTERY_SCORE) for run in runs}
    assert mastery == {"lms-mastery": 0.7, "strict": 0.8, "lrs-outage": 0.8}  # LaunchData's, then the package's
    outage = next(run for run in runs if run.profile == "lrs-outage")
    assert [e.result for e in outage.events if e.method == "POST statements"][:1] == ["503"]


def passed_statement(run: PreviewRun) -> dict[str, Any]:
    return next(json.loads(e.arguments[2]) for e in run.events
                if e.method == "POST statements" and e.arguments[0].endswith("/passed") and e.error == "0")


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context()
    yield context
    context.close()


def test_browse_and_review_record_no_results_and_exit_goes_to_the_return_url(
        context: BrowserContext, preview_server: PreviewServer, built: tuple[Course, dict[str, bytes]]) -> None:
    _, packages = built
    package = preview_server.serve_package("safety-cmi5", packages["en"], PackageFormat.CMI5)
    for mode in ("browse", "review"):
        session = LmsSession(preview_server, package, learner=Learner(f"viewer-{mode}"),
                             options=LaunchOptions(lesson_mode=mode))
        _, frame = session.launch(context)
        expect(frame.get_by_role("status").filter(has_text="not recorded")).to_be_visible()
        frame.get_by_role("button", name="Next").click()
        frame.get_by_role("button", name="Exit").click()
        frame.wait_for_url("**/returned/*")
        expect(frame.get_by_role("heading", name="Back in the LMS")).to_be_visible()
        events = session.wait_ended(5)
        record = session.launch_record()
        calls = [(e.method, e.arguments[0].rsplit("/", 1)[-1] if e.arguments else "") for e in events]
        verbs = [verb for method, verb in calls if method == "POST statements"]
        assert verbs[0] == "initialized" and verbs[-1] == "terminated", verbs
        assert not {"completed", "passed", "failed", "answered"} & set(verbs)
        assert [method for method, _ in calls][-1] == "GET returnURL"  # after terminated, the LMS's page
        assert record.finishes == 1 and record.status == "incomplete" and not record.left_suspended
        assert dict(record.values)["LMS.LaunchData launchMode"] == mode.capitalize()
        assert all(e.error == "0" for e in events), [e for e in events if e.error != "0"]
        session.close()
