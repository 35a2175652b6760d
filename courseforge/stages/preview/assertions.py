"""What the LMS must hold after each launch of a scenario, judged from what it recorded, for every standard.

The input is a :class:`ScenarioObservation`: per launch, the calls the content made (the standard's raw
events), the neutral :class:`~courseforge.model.preview.LaunchRecord` the format's plug-in read from what
the LMS stored once the window had closed, and what the course rules (model/outcome.py, computed by the
scenario runner from what the robot did) say the LMS should hold at that moment. :func:`judge` runs the
common rules, then the standard's own (``HarnessPlugin.rules``); each broken rule is a :class:`Finding`
naming the rule, the scenario, the profile and the step, in the standard's words (``LaunchRecord.terms``).
Nothing here opens a browser, so every rule is tested on hand-made observations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from courseforge.model.preview import ApiEvent, Finding, LaunchRecord, RecordedInteraction, SignalKind
from courseforge.standards import profile_for

if TYPE_CHECKING:
    from courseforge.stages.preview.harness.runtime import LmsRuntime

RESULT_STATUSES = ("passed", "failed")

# ------------------------------------------------------------------------------------ observations


@dataclass(frozen=True)
class ExpectedInteraction:
    """One interaction the LMS must hold, in the standard's syntax (``harness/interface.py: InteractionCodec``)."""

    id: str
    type: str
    response: str
    result: str
    patterns: tuple[str, ...] = ()
    """Every correct-response pattern the answer key needs (empty where the standard has no syntax for it)."""


@dataclass(frozen=True)
class PageProblem:
    step: str
    rule: str
    """``page.console-error``, ``page.request-failed``, ``page.image-broken`` or ``scenario.*``."""
    detail: str


@dataclass(frozen=True)
class LaunchObservation:
    """One launch: what the LMS saw and stored, and what the course rules say it should hold."""

    leave_step: str
    """The step that ended it (``leave after attempt 1 of 'safety-quiz'``): findings about the finish name it."""
    events: tuple[ApiEvent, ...]
    """The launch's raw events (SCORM calls, xAPI writes): the standard's rules read them."""
    record: LaunchRecord
    """What the LMS held once the window had closed, in neutral terms."""
    status: str
    """The status the rules say the LMS holds now (never lower than an earlier one)."""
    score: float | None
    """The course score the rules give now (None: no score yet, or an unscored course)."""
    finished: bool
    """Whether the learner is done by the rules (a final status): if not, the LMS must hold it suspended."""
    interactions: tuple[ExpectedInteraction, ...] = ()
    """Every interaction the LMS must hold by now (this attempt's launches so far), in the standard's syntax."""
    record_interactions: bool = True
    """False when the LMS refuses interactions altogether (the profile): none are expected then."""
    completed: bool | None = None
    """Whether the learner has done the required work by the course rules, whatever the verdict (None: not
    known). An LMS that rolls completion up on its own (SCORM 2004 sequencing) must agree with it."""


@dataclass(frozen=True)
class ScenarioObservation:
    scenario: str
    profile: str
    launches: tuple[LaunchObservation, ...]
    problems: tuple[PageProblem, ...] = field(default=())
    expect_status: str | None = None
    """An authored scenario's own claim about the final status (checked on top of the rules)."""
    expect_score: float | None = None
    runtime: LmsRuntime | None = None
    """The LMS runtime the run's server found (a standard's rules run its tools: xAPI and cmi5 statements go
    through ``runtime.xapi_validation``); None for an observation made outside a preview server."""

    def where(self, step: str) -> str:
        return f"scenario '{self.scenario}', profile '{self.profile}', step '{step}'"


LaunchRule = Callable[[ScenarioObservation, LaunchObservation], list[Finding]]
Same = Callable[[str, str, str], bool]
"""(interaction type, expected, recorded) -> whether the standard reads them as the same response or pattern."""


@dataclass(frozen=True)
class Standard:
    """What :func:`judge` needs of a format's plug-in: how it compares responses, and its own rules."""

    same: Same
    rules: tuple[LaunchRule, ...] = ()


def js_number(value: float) -> str:
    """A number as JavaScript's String() writes it (6, 6.5)."""
    return str(int(value)) if value == int(value) else repr(value)


# ------------------------------------------------------------------------------------ the common rules


def status_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    record = launch.record
    if record.status == launch.status:
        return []
    why = " (attempts remain)" if launch.status == "incomplete" and record.status == "failed" else ""
    return [Finding("lms.status", f"the LMS holds {record.status_text}, the course rules say "
                    f"'{launch.status}'{why}", seen.where(launch.leave_step))]


def score_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """The held score is the rules' score; a score the standard cannot read is its rules' (lms.score-format)."""
    record = launch.record
    if record.score_percent is None:
        if record.score_text == "" and launch.status in RESULT_STATUSES and launch.score is not None:
            return [Finding("lms.score", f"the LMS holds no {record.terms.score} with status '{launch.status}'; "
                            f"the course rules give {js_number(launch.score)}", seen.where(launch.leave_step))]
        return []
    if launch.score is None or abs(record.score_percent - launch.score) > 0.005:
        wanted = "no score" if launch.score is None else js_number(launch.score)
        return [Finding("lms.score", f"the LMS holds {record.terms.score} {record.score_text}, the course rules "
                        f"give {wanted}", seen.where(launch.leave_step))]
    return []


def score_before_status(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """A result (passed/failed) must follow a score sent in the same launch."""
    scored = False
    for signal in launch.record.signals:
        if signal.kind is SignalKind.SCORE and signal.value != "":
            scored = True
        elif signal.kind is SignalKind.SUCCESS and signal.value in RESULT_STATUSES and not scored:
            terms = launch.record.terms
            return [Finding("lms.status-before-score", f"{terms.status} '{signal.value}' was set before any "
                            f"{terms.score}: set the score, then the status", seen.where(launch.leave_step))]
    return []


def finish_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    if launch.record.finishes == 1:
        return []
    return [Finding("lms.finish-count", f"{launch.record.terms.finish} was called {launch.record.finishes} times "
                    "in one launch; exactly once is right", seen.where(launch.leave_step))]


def session_time_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """A session time is reported before the finish (its format is the standard's rule)."""
    for signal in launch.record.signals:
        if signal.kind is SignalKind.SESSION_TIME:
            return []
        if signal.kind is SignalKind.FINISH:
            break
    terms = launch.record.terms
    return [Finding("lms.session-time", f"no {terms.session_time} was set before {terms.finish}",
                    seen.where(launch.leave_step))]


def exit_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    if launch.finished or launch.record.left_suspended:
        return []
    return [Finding("lms.exit", f"the learner left unfinished (status '{launch.status}') but "
                    f"{launch.record.exit_text}: the next launch may start a new attempt and drop the saved state",
                    seen.where(launch.leave_step))]


def suspend_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """Saved state written or held within what the standard keeps (``standards/<format>.py``)."""
    record = launch.record
    sizes = [len(s.value) for s in record.signals if s.kind is SignalKind.STATE] + [len(record.state)]
    standard = profile_for(record.format)
    if max(sizes) <= standard.suspend_limit:
        return []
    return [Finding("lms.suspend-data-too-long", f"{record.terms.state} reached {max(sizes):,} characters; "
                    f"{standard.title} allows {standard.suspend_limit:,}", seen.where(launch.leave_step))]


def interactions_rule(seen: ScenarioObservation, launch: LaunchObservation, same: Same) -> list[Finding]:
    recorded = launch.record.interactions
    expected = launch.interactions if launch.record_interactions else ()
    where = seen.where(launch.leave_step)
    findings = []
    by_id: dict[str, list[RecordedInteraction]] = {}
    for held in recorded:
        by_id.setdefault(held.id, []).append(held)
    if len(recorded) != len(expected):
        findings.append(Finding("lms.interactions", f"the LMS holds {len(recorded)} interactions, the robot gave "
                                f"{len(expected)} answers that must be recorded", where))
    for wanted in expected:
        found = by_id.get(wanted.id, [])
        if len(found) != 1:
            findings.append(Finding("lms.interactions", f"interaction '{wanted.id}' is recorded {len(found)} "
                                    "times (once is right)", where))
            continue
        findings.extend(_interaction_problems(wanted, found[0], where, same))
    return findings


def _interaction_problems(wanted: ExpectedInteraction, got: RecordedInteraction, where: str,
                          same: Same) -> list[Finding]:
    problems = []
    for name, held, value in (("type", got.type, wanted.type), ("result", got.result, wanted.result)):
        if held != value:
            problems.append(f"{name} '{held}' instead of '{value}'")
    if not same(wanted.type, wanted.response, got.response):
        problems.append(f"response '{got.response}' instead of '{wanted.response}'")
    missing = [p for p in wanted.patterns if not any(same(wanted.type, p, g) for g in got.patterns)]
    extra = [g for g in got.patterns if not any(same(wanted.type, p, g) for p in wanted.patterns)]
    if missing or extra:
        problems.append(f"correct responses {list(got.patterns)} instead of {list(wanted.patterns)}")
    return [Finding("lms.interaction", f"interaction '{wanted.id}': {problem}", where) for problem in problems]


def authored_expectation(seen: ScenarioObservation) -> list[Finding]:
    if seen.expect_status is None or not seen.launches:
        return []
    last = seen.launches[-1]
    record = last.record
    findings = []
    if record.status != seen.expect_status:
        findings.append(Finding("scenario.expect-status", f"the scenario expects status '{seen.expect_status}', "
                                f"the LMS holds {record.status_text}", seen.where(last.leave_step)))
    held = record.score_percent
    if seen.expect_score is not None and (held is None or abs(held - seen.expect_score) > 0.005):
        findings.append(Finding("scenario.expect-score", f"the scenario expects score {js_number(seen.expect_score)}"
                                f", the LMS holds '{record.score_text}'", seen.where(last.leave_step)))
    return findings


def page_problems(seen: ScenarioObservation) -> list[Finding]:
    unique: dict[tuple[str, str], PageProblem] = {}
    for problem in seen.problems:
        unique.setdefault((problem.rule, problem.detail), problem)
    return [Finding(p.rule, p.detail, seen.where(p.step)) for p in unique.values()]


LAUNCH_RULES: tuple[LaunchRule, ...] = (status_rule, score_rule, score_before_status, finish_rule, session_time_rule,
                                        exit_rule, suspend_rule)


def judge(seen: ScenarioObservation, standard: Standard) -> tuple[Finding, ...]:
    """Every rule broken, launch by launch (the common rules, the interactions, the standard's own), then the
    authored expectation and the page's problems."""
    findings: list[Finding] = []
    for launch in seen.launches:
        findings.extend(f for rule in LAUNCH_RULES for f in rule(seen, launch))
        findings.extend(interactions_rule(seen, launch, standard.same))
        findings.extend(f for rule in standard.rules for f in rule(seen, launch))
    findings.extend(authored_expectation(seen))
    findings.extend(page_problems(seen))
    return tuple(findings)
