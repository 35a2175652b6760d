"""Vendor smoke tests: purpose-built packages (tests/preview/packages/) that each break ONE rule must fail
naming that rule, the scenario and the step; a golf-style multi-SCO package must pass.

The rules themselves are pure functions of what was recorded, so the first tests feed them call
sequences directly; the browser tests run the real smoke test on real packages in Chromium.
"""

from __future__ import annotations

from courseforge.model.preview import ApiEvent, FindingSeverity
from courseforge.stages.preview.vendor import Observation, StepEvent, judge

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
    return Observation("'item' (index.html)", WAIT, CLOSE, tuple(e for group in events for e in group))


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
