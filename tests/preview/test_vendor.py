"""Vendor smoke tests: purpose-built packages (tests/preview/packages/) that each break ONE rule must fail
naming that rule, the scenario and the step; a golf-style multi-SCO package must pass.

The rules themselves are pure functions of what was recorded, so the first tests feed them call
sequences directly; the browser tests run the real smoke test on real packages in Chromium.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext

from courseforge.model.preview import ApiEvent, FindingSeverity, PreviewRun, Verdict
from courseforge.stages.preview.harness import PreviewServer, RuntimeMissing
from courseforge.stages.preview.vendor import (
    SCENARIO,
    Observation,
    SmokeOptions,
    StepEvent,
    describe,
    judge,
    smoke_test,
)
from tests.chromium import missing

PACKAGES = Path(__file__).parent / "packages"
SHARED = PACKAGES / "_shared"
"""Zipped into every package as shared/: the API discovery the packages have in common."""
OPTIONS = SmokeOptions(api_timeout_s=2.0, settle_s=0.2)
TRACKING_ONLY = SmokeOptions(api_timeout_s=2.0, settle_s=0.2, accessibility=False)
"""For the packages that break a tracking or page rule: the accessibility checks have their own package."""
DESKTOP = {"width": 1280, "height": 800}

WAIT, CLICK, CLOSE = "wait for LMSInitialize (5 s)", "click 'Next' (1)", "close the window"


def calls(step: str, *calls: tuple[str, tuple[str, ...], str]) -> list[StepEvent]:
    return [StepEvent(step, ApiEvent(0.0, method, args, "true" if error == "0" else "false", error))
            for method, args, error in calls]


INIT = ("LMSInitialize", ("",), "0")
COMMIT = ("LMSCommit", ("",), "0")
FINISH = ("LMSFinish", ("",), "0")


def setv(element: str, value: str, error: str = "0") -> tuple[str, tuple[str, ...], str]:
    return ("LMSSetValue", (element, value), error)


def observe(*events: list[StepEvent]) -> Observation:
    return Observation("SCO 'item' (index.html)", WAIT, CLOSE, tuple(e for group in events for e in group))


GOOD_SESSION = (calls(WAIT, INIT, setv("cmi.core.score.raw", "80"), setv("cmi.core.lesson_status", "passed"), COMMIT),
                calls(CLOSE, FINISH))


def rules(seen: Observation, severity: FindingSeverity = FindingSeverity.ERROR) -> dict[str, str]:
    """rule -> step of the findings of one severity."""
    return {f.rule: f.step for f in judge(seen) if f.severity is severity}


def test_a_well_behaved_session_breaks_no_rule() -> None:
    assert judge(observe(*GOOD_SESSION)) == ()


def test_status_before_score_is_judged_on_the_last_result_status() -> None:
    reported_early = observe(calls(WAIT, INIT, setv("cmi.core.lesson_status", "passed")),
                             calls(CLICK, setv("cmi.core.score.raw", "80"), COMMIT), calls(CLOSE, FINISH))
    assert rules(reported_early) == {"lms.status-before-score": CLICK}
    # "incomplete" first, then the score, then the result: the order LMS reports need.
    in_order = observe(calls(WAIT, INIT, setv("cmi.core.lesson_status", "incomplete"), setv("cmi.core.score.raw", "80"),
                             setv("cmi.core.lesson_status", "failed"), COMMIT), calls(CLOSE, FINISH))
    assert rules(in_order) == {}


def test_commits_that_arrive_only_while_closing_are_commits_on_unload() -> None:
    on_unload = observe(calls(WAIT, INIT), calls(CLOSE, setv("cmi.core.lesson_status", "completed"), COMMIT, FINISH))
    assert rules(on_unload) == {"lms.commit-only-on-unload": CLOSE}
    # Finishing on close is right when progress was committed before.
    assert rules(observe(*GOOD_SESSION)) == {}


def test_finish_rules() -> None:
    never = observe(calls(WAIT, INIT, setv("cmi.core.lesson_status", "completed"), COMMIT))
    assert rules(never) == {"lms.no-finish": CLOSE}
    twice = observe(GOOD_SESSION[0], calls(CLICK, FINISH), calls(CLOSE, ("LMSFinish", ("",), "101")))
    assert rules(twice) == {"lms.finish-twice": CLOSE}


def test_suspend_data_is_held_to_scorm_12s_4096_characters() -> None:
    fits = observe(calls(WAIT, INIT, setv("cmi.suspend_data", "x" * 4096), COMMIT), calls(CLOSE, FINISH))
    assert "lms.suspend-data-too-long" not in rules(fits)
    too_long = observe(calls(WAIT, INIT, setv("cmi.suspend_data", "x" * 4097), COMMIT), calls(CLOSE, FINISH))
    (finding,) = [f for f in judge(too_long) if f.rule == "lms.suspend-data-too-long"]
    assert "4,097" in finding.message and "4,096" in finding.message


def test_api_rules() -> None:
    assert rules(observe()) == {"lms.api-not-found": WAIT}
    uninitialized = observe(calls(WAIT, setv("cmi.core.lesson_status", "completed", "301")))
    assert rules(uninitialized) == {"lms.no-initialize": WAIT, "lms.errors": WAIT}
    bad_value = observe(calls(WAIT, INIT, setv("cmi.core.lesson_status", "done", "405"),
                              setv("cmi.core.lesson_status", "done", "405")), GOOD_SESSION[0][1:], GOOD_SESSION[1])
    (finding,) = [f for f in judge(bad_value) if f.rule == "lms.errors"]
    assert "cmi.core.lesson_status" in finding.message and "405" in finding.message and "2 times" in finding.message


def test_an_lms_that_lacks_an_optional_element_is_a_warning() -> None:
    lacking = observe(GOOD_SESSION[0], calls(WAIT, ("LMSGetValue", ("cmi.interactions._count",), "401")),
                      GOOD_SESSION[1])
    assert rules(lacking) == {}
    assert rules(lacking, FindingSeverity.WARNING) == {"lms.errors": WAIT}


# ------------------------------------------------------------------------------------ real packages


def zip_package(name: str) -> bytes:
    """A purpose-built package's folder, plus shared/scorm12.js, as the zip a vendor would ship."""
    folder, buffer = PACKAGES / name, io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
        for path in sorted(SHARED.iterdir()):
            archive.write(path, f"shared/{path.name}")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server() -> Iterator[PreviewServer]:
    try:
        lms = PreviewServer()
    except RuntimeMissing as error:
        missing(str(error))
    with lms:
        yield lms


@pytest.fixture(scope="module")
def context(chromium: Browser) -> Iterator[BrowserContext]:
    """One context for every package, as a preview run has; each SCO launches in its own page."""
    shared = chromium.new_context(viewport=DESKTOP)
    yield shared
    shared.close()


Smoke = Callable[[str], tuple[PreviewRun, ...]]


@pytest.fixture(scope="module")
def smoke(server: PreviewServer, context: BrowserContext) -> Smoke:
    """Smoke-tests a purpose-built package by folder name (once per module: several tests read a run)."""
    done: dict[str, tuple[PreviewRun, ...]] = {}

    def run(name: str) -> tuple[PreviewRun, ...]:
        options = TRACKING_ONLY if name in BREAKS_TRACKING else OPTIONS
        if name not in done:
            done[name] = smoke_test(server, context, f"{name}.zip", zip_package(name), options)
        return done[name]

    return run


def errors(run: PreviewRun) -> dict[str, str]:
    """rule -> step of the run's error findings."""
    return {f.rule: f.step for f in run.findings if f.severity is FindingSeverity.ERROR}


LAUNCH = "launch SCO 'item_{}' (index.html)"
BROKEN = [
    ("status-before-score", "lms.status-before-score", LAUNCH, "lesson_status 'passed' before score.raw '85'"),
    ("suspend-data-too-long", "lms.suspend-data-too-long", LAUNCH, "5,000 characters"),
    ("commit-on-unload", "lms.commit-only-on-unload", "close the window", "only after the close began"),
    ("no-finish", "lms.no-finish", "close the window", "did not call LMSFinish"),
    ("missing-asset", "page.request-failed", LAUNCH, "images/diagram.png: answered 404"),
    ("script-error", "page.console-error", LAUNCH, "uncaught TypeError"),
    ("wrong-api", "lms.api-not-found", "wait for LMSInitialize (2 s)", "never called the LMS API"),
]
BREAKS_TRACKING = {case[0] for case in BROKEN} | {"asset-only"}


@pytest.mark.browser
@pytest.mark.parametrize(("name", "rule", "step", "says"), BROKEN, ids=[case[0] for case in BROKEN])
def test_a_package_that_breaks_one_rule_fails_naming_the_rule_the_scenario_and_the_step(
        smoke: Smoke, name: str, rule: str, step: str, says: str) -> None:
    (run,) = smoke(name)
    step = step.format(name.replace("-", "_"))
    assert run.verdict is Verdict.FAILED, run.findings
    assert errors(run) == {rule: step}, [describe(run, f) for f in run.findings]
    (finding,) = [f for f in run.findings if f.rule == rule]
    line = describe(run, finding)
    assert rule in line and f"] {SCENARIO}:" in line and f"step '{step}'" in line and says in line, line


@pytest.mark.browser
def test_commits_made_in_an_unload_handler_are_seen_arriving_after_the_close_began(
        smoke: Smoke) -> None:
    (run,) = smoke("commit-on-unload")
    # The harness's close runs the unload handler and records its calls: they are there, but late, and the
    # commit made while the page was going away failed (the LMSFinish beacon is all that arrived).
    assert [e.method for e in run.events] == ["LMSInitialize", "LMSSetValue", "LMSSetValue", "LMSCommit",
                                              "LMSSetValue", "LMSFinish"]
    (finding,) = run.findings
    assert "LMSCommit('') failed with error" in finding.message, finding.message


@pytest.mark.browser
def test_an_unlabeled_input_and_a_click_only_div_button_are_accessibility_errors(
        smoke: Smoke) -> None:
    (run,) = smoke("inaccessible")
    found = errors(run)
    # axe-core sees the input without a label; only the Tab walk sees the <div> that reacts to clicks alone.
    assert found == {"a11y.label": "look at screen 1", "a11y.keyboard-unreachable": "Tab through screen 1"}, found
    (unreachable,) = [f for f in run.findings if f.rule == "a11y.keyboard-unreachable"]
    assert "Send" in unreachable.message or "#send" in unreachable.message, unreachable.message
    # Its tracking is right: nothing else is wrong with it.
    assert dict(run.final_record)["cmi.core.lesson_status"] == "completed"


@pytest.mark.browser
def test_a_golf_style_multi_sco_package_passes_the_smoke_test_sco_by_sco(
        smoke: Smoke) -> None:
    runs = smoke("golf-multi-sco")
    assert [run.package for run in runs] == ["golf-multi-sco.zip#playing_playing_item",
                                             "golf-multi-sco.zip#etiquette_course_item",
                                             "golf-multi-sco.zip#handicapping_quiz_item"]
    for run in runs:
        assert run.verdict is Verdict.PASSED, [describe(run, f) for f in run.findings]
        assert run.scenario == SCENARIO and run.steps[0].startswith("launch SCO '")
        assert run.steps[-1] == "close the window"
        record = dict(run.final_record)
        assert record["cmi.core.session_time"] == "00:00:05", record  # LMSFinish's commit was stored
    playing, etiquette, quiz = runs
    # The smoke test pressed "Next" until the pages ran out, and each SCO recorded that it was completed.
    assert [s for s in playing.steps if s.startswith("click")] == ["click 'Next' (1)", "click 'Next' (2)"]
    assert [s.name for s in playing.screenshots] == ["look at screen 1", "look at screen 2", "look at screen 3"]
    assert dict(playing.final_record)["cmi.core.lesson_status"] == "completed"
    assert dict(playing.final_record)["cmi.core.lesson_location"] == "3"
    assert dict(etiquette.final_record)["cmi.core.lesson_status"] == "completed"
    # The quiz, launched from the shared template with ?questions=Handicapping, found its questions file
    # (it passed: no failed request) and got the item's mastery score from the LMS.
    assert not [s for s in quiz.steps if s.startswith("click")]
    assert dict(quiz.final_record)["cmi.core.lesson_status"] == "incomplete"
    assert dict(quiz.final_record)["cmi.student_data.mastery_score"] == "80"


@pytest.mark.browser
def test_an_asset_only_package_is_held_to_the_page_rules_only(smoke: Smoke) -> None:
    (run,) = smoke("asset-only")
    # No API call is no finding for a page the LMS tracks nothing of; the image it lacks is one.
    assert not run.events
    assert errors(run) == {"page.request-failed": "launch asset 'item_asset_only' (index.html)"}, run.findings
    assert [f.rule for f in run.findings] == ["page.request-failed"]


@pytest.mark.browser
def test_a_zip_the_lms_cannot_import_is_a_run_that_broke_not_a_crash(
        server: PreviewServer, context: BrowserContext) -> None:
    no_manifest = io.BytesIO()
    with zipfile.ZipFile(no_manifest, "w") as archive:
        archive.writestr("index.html", "<!doctype html><title>x</title>")
    for name, data in (("not-a-zip.zip", b"PK but not really"), ("no-manifest.zip", no_manifest.getvalue())):
        (run,) = smoke_test(server, context, name, data, TRACKING_ONLY)
        assert run.verdict is Verdict.ERROR
        assert [(f.rule, f.step) for f in run.findings] == [("scenario.unlaunchable", "import the package")]
        assert name in run.findings[0].message
