"""What the LMS must hold after each launch of a scenario, judged from what it recorded.

The input is a :class:`ScenarioObservation`: per launch, the API calls the LMS page recorded, the record
the LMS stored after the window closed, and what the course rules (model/outcome.py, computed by the
scenario runner from what the robot did) say the LMS should hold at that moment. :func:`judge` compares
them, rule by rule; each broken rule is a :class:`Finding` naming the rule, the scenario, the profile and
the step. Nothing here opens a browser, so every rule is tested on hand-made observations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from courseforge.model.course import (
    FillIn,
    Matching,
    MultipleResponse,
    Numeric,
    Question,
    Sequencing,
    SingleChoice,
    TrueFalse,
)
from courseforge.model.preview import ApiEvent, Finding
from courseforge.model.scenario import AnswerValue
from courseforge.standards.scorm12 import SUSPEND_DATA_LIMIT as SCORM12_SUSPEND_LIMIT

STATUS = "cmi.core.lesson_status"
SCORE = "cmi.core.score.raw"
EXIT = "cmi.core.exit"
SESSION_TIME = "cmi.core.session_time"
SUSPEND = "cmi.suspend_data"
CMI_FEEDBACK_LIMIT = 255
"""SCORM 1.2 CMIFeedback (student_response, correct_responses.n.pattern): 255 characters."""
SCORE_FORMAT = re.compile(r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$")
"""score.raw 0..100 with at most two decimals, no exponent, no sign."""
TIMESPAN = re.compile(r"^\d{2,4}:[0-5]\d:[0-5]\d(\.\d{1,2})?$")
"""CMITimespan HHHH:MM:SS.SS (two to four hour digits, up to two decimals of seconds)."""
INTERACTION_KEY = re.compile(r"^cmi\.interactions\.(\d+)\.(.+)$")
SCORM_TYPES = {"single": "choice", "multiple": "choice", "true-false": "true-false", "fill-in": "fill-in",
               "numeric": "numeric", "matching": "matching", "sequencing": "sequencing", "likert": "likert",
               "text": "fill-in"}


# ------------------------------------------------------------------------------------ observations

@dataclass(frozen=True)
class ExpectedInteraction:
    """One interaction the LMS must hold, in SCORM 1.2 terms."""

    id: str
    type: str
    response: str
    result: str
    patterns: tuple[str, ...] = ()
    """Every correct_responses pattern the answer key needs (empty where 1.2 has no syntax for it)."""


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
    record: Mapping[str, str]
    """What the LMS stored once the window had closed (flattened cmi)."""
    status: str
    """The lesson_status the rules say the LMS holds now (never lower than an earlier one)."""
    score: float | None
    """The course score the rules give now (None: no score yet, or an unscored course)."""
    finished: bool
    """Whether the learner is done by the rules (a final status): if not, the exit must be "suspend"."""
    interactions: tuple[ExpectedInteraction, ...] = ()
    """Every interaction the LMS must hold by now (this attempt's launches so far)."""
    record_interactions: bool = True
    """False when the LMS refuses interactions altogether (the profile): none are expected then."""


@dataclass(frozen=True)
class ScenarioObservation:
    scenario: str
    profile: str
    launches: tuple[LaunchObservation, ...]
    problems: tuple[PageProblem, ...] = field(default=())
    expect_status: str | None = None
    """An authored scenario's own claim about the final status (checked on top of the rules)."""
    expect_score: float | None = None

    def where(self, step: str) -> str:
        return f"scenario '{self.scenario}', profile '{self.profile}', step '{step}'"


# ------------------------------------------------------------------------------------ SCORM 1.2 terms

def letter(ids: Sequence[str], item: str) -> str:
    index = list(ids).index(item)
    return chr(97 + index) if index < 26 else ""


def js_number(value: float) -> str:
    """A number as JavaScript's String() writes it (6, 6.5)."""
    return str(int(value)) if value == int(value) else repr(value)


def _as_ids(value: AnswerValue | None) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, tuple | list) else []


def scorm_response(question: Question, value: AnswerValue) -> str:
    """student_response as SCORM 1.2 writes the learner's answer (letters by authored position)."""
    if isinstance(question, SingleChoice | MultipleResponse):
        ids = [c.id for c in question.choices]
        return ",".join(sorted(letter(ids, i) for i in _as_ids(value)))
    if isinstance(question, TrueFalse):
        return "t" if value is True else "f"
    if isinstance(question, FillIn):
        return str(value).strip()[:CMI_FEEDBACK_LIMIT]
    if isinstance(question, Numeric):
        return js_number(float(str(value).strip().replace(",", ".", 1))) if not isinstance(value, int | float) \
            else js_number(float(value))
    if isinstance(question, Matching) and isinstance(value, Mapping):
        sources, targets = [s.id for s in question.sources], [t.id for t in question.targets]
        return ",".join(f"{letter(sources, s)}.{letter(targets, value[s])}" for s in sources if s in value)
    if isinstance(question, Sequencing):
        items = [i.id for i in question.items]
        return ",".join(letter(items, i) for i in _as_ids(value))
    raise TypeError(f"no response format for {type(question).__name__}")


def scorm_patterns(question: Question, accepted: Sequence[str] = ()) -> tuple[str, ...]:
    """Every correct_responses pattern the answer key needs within 1.2's limits: all accepted fill-in
    answers (once each, as the learner's answer is compared; none over 255 characters, which would be a
    cut, wrong key), one pattern for the other types, none for a numeric range."""
    if isinstance(question, FillIn):
        seen: dict[str, str] = {}
        for text in accepted or question.accepted:
            key = text if question.case_sensitive else text.lower()
            if len(text) <= CMI_FEEDBACK_LIMIT:
                seen.setdefault(key, text)
        return tuple(seen.values())
    if isinstance(question, Numeric):
        return (js_number(question.answer),) if question.answer is not None else ()
    if isinstance(question, SingleChoice | MultipleResponse):
        return (scorm_response(question, tuple(c.id for c in question.choices if c.correct)),)
    if isinstance(question, TrueFalse):
        return (scorm_response(question, question.answer),)
    if isinstance(question, Matching):
        return (scorm_response(question, dict(question.answer)),)
    if isinstance(question, Sequencing):
        return (scorm_response(question, tuple(question.answer)),)
    raise TypeError(f"no pattern format for {type(question).__name__}")


def quiz_interaction(quiz_id: str, attempt: int, question: Question, value: AnswerValue, right: bool,
                     accepted: Sequence[str] = ()) -> ExpectedInteraction:
    return ExpectedInteraction(id=f"{quiz_id}__{question.id}__{attempt}", type=SCORM_TYPES[question.type],
                               response=scorm_response(question, value), result="correct" if right else "wrong",
                               patterns=scorm_patterns(question, accepted))


def survey_interaction(survey_id: str, item_id: str, kind: str, answer: int | str) -> ExpectedInteraction:
    response = _base36(answer + 1) if isinstance(answer, int) else str(answer).strip()[:CMI_FEEDBACK_LIMIT]
    return ExpectedInteraction(id=f"{survey_id}__{item_id}__1", type=SCORM_TYPES[kind], response=response,
                               result="neutral")


def _base36(value: int) -> str:
    return "0123456789abcdefghijklmnopqrstuvwxyz"[value] if value < 36 else str(value)


def _same(kind: str, expected: str, recorded: str) -> bool:
    """Equal as SCORM 1.2 reads them: choice sets and matching pairs in any order, braces allowed."""
    if kind in ("choice", "matching"):
        def parts(text: str) -> set[str]:
            return {p.strip() for p in text.strip().strip("{}").split(",") if p.strip()}
        return parts(expected) == parts(recorded)
    if kind == "true-false":
        return expected[:1] == {"1": "t", "0": "f"}.get(recorded[:1], recorded[:1])
    return expected == recorded


def recorded_interactions(record: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The record's interactions by index: ``{"0": {"id": ..., "correct_responses.0.pattern": ...}}``."""
    found: dict[str, dict[str, str]] = {}
    for key, value in record.items():
        match = INTERACTION_KEY.match(key)
        if match and not match.group(2).startswith("_"):
            found.setdefault(match.group(1), {})[match.group(2)] = value
    return {index: values for index, values in found.items() if values.get("id")}


# ------------------------------------------------------------------------------------ the rules

def _sets(launch: LaunchObservation, element: str) -> list[ApiEvent]:
    return [e for e in launch.events if e.method == "LMSSetValue" and e.arguments[:1] == (element,)]


def _value(event: ApiEvent) -> str:
    return event.arguments[1] if len(event.arguments) > 1 else ""


def status_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    held = launch.record.get(STATUS, "")
    if held == launch.status:
        return []
    why = " (attempts remain)" if launch.status == "incomplete" and held == "failed" else ""
    return [Finding("lms.status", f"the LMS holds lesson_status '{held}', the course rules say "
                    f"'{launch.status}'{why}", seen.where(launch.leave_step))]


def score_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    raw = launch.record.get(SCORE, "")
    if raw == "":
        if launch.status in ("passed", "failed") and launch.score is not None:
            return [Finding("lms.score", f"the LMS holds no score.raw with status '{launch.status}'; the course "
                            f"rules give {js_number(launch.score)}", seen.where(launch.leave_step))]
        return []
    if not SCORE_FORMAT.match(raw):
        return [Finding("lms.score-format", f"score.raw '{raw}' is not a number 0..100 with at most two decimals",
                        seen.where(launch.leave_step))]
    if launch.score is None or abs(float(raw) - launch.score) > 0.005:
        wanted = "no score" if launch.score is None else js_number(launch.score)
        return [Finding("lms.score", f"the LMS holds score.raw {raw}, the course rules give {wanted}",
                        seen.where(launch.leave_step))]
    return []


def score_before_status(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """A result status (passed/failed) must follow a score.raw set in the same launch."""
    scored = False
    for event in launch.events:
        if event.method != "LMSSetValue" or not event.arguments:
            continue
        if event.arguments[0] == SCORE and _value(event) != "":
            scored = True
        elif event.arguments[0] == STATUS and _value(event) in ("passed", "failed") and not scored:
            return [Finding("lms.status-before-score", f"lesson_status '{_value(event)}' was set before any "
                            "score.raw: set the score, then the status", seen.where(launch.leave_step))]
    return []


def finish_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    finishes = [e for e in launch.events if e.method == "LMSFinish"]
    if len(finishes) == 1:
        return []
    return [Finding("lms.finish-count", f"LMSFinish was called {len(finishes)} times in one launch; exactly once "
                    "is right", seen.where(launch.leave_step))]


def session_time_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    times = _sets(launch, SESSION_TIME)
    finish_at = next((i for i, e in enumerate(launch.events) if e.method == "LMSFinish"), len(launch.events))
    before_finish = [e for e in times if launch.events.index(e) < finish_at]
    if not before_finish:
        return [Finding("lms.session-time", "no cmi.core.session_time was set before LMSFinish",
                        seen.where(launch.leave_step))]
    bad = [_value(e) for e in times if not TIMESPAN.match(_value(e))]
    if bad:
        return [Finding("lms.session-time", f"session_time {bad[0]!r} is not a CMITimespan (HHHH:MM:SS.SS)",
                        seen.where(launch.leave_step))]
    return []


def exit_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    if launch.finished:
        return []
    exits = _sets(launch, EXIT)
    last = _value(exits[-1]) if exits else launch.record.get(EXIT, "")
    if last == "suspend":
        return []
    return [Finding("lms.exit", f"the learner left unfinished (status '{launch.status}') but cmi.core.exit is "
                    f"'{last}', not 'suspend': the next launch may start a new attempt and drop the saved state",
                    seen.where(launch.leave_step))]


def suspend_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    sizes = [len(_value(e)) for e in _sets(launch, SUSPEND)] + [len(launch.record.get(SUSPEND, ""))]
    if max(sizes) <= SCORM12_SUSPEND_LIMIT:
        return []
    return [Finding("lms.suspend-data-too-long", f"cmi.suspend_data reached {max(sizes):,} characters; SCORM 1.2 "
                    f"allows {SCORM12_SUSPEND_LIMIT:,}", seen.where(launch.leave_step))]


def interactions_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    recorded = recorded_interactions(launch.record)
    expected = launch.interactions if launch.record_interactions else ()
    where = seen.where(launch.leave_step)
    findings = []
    by_id: dict[str, list[dict[str, str]]] = {}
    for values in recorded.values():
        by_id.setdefault(values["id"], []).append(values)
    if len(recorded) != len(expected):
        findings.append(Finding("lms.interactions", f"the LMS holds {len(recorded)} interactions, the robot gave "
                                f"{len(expected)} answers that must be recorded", where))
    for wanted in expected:
        found = by_id.get(wanted.id, [])
        if len(found) != 1:
            findings.append(Finding("lms.interactions", f"interaction '{wanted.id}' is recorded {len(found)} "
                                    "times (once is right)", where))
            continue
        findings.extend(_interaction_problems(wanted, found[0], where))
    return findings


def _interaction_problems(wanted: ExpectedInteraction, got: Mapping[str, str], where: str) -> list[Finding]:
    problems = []
    for element, value in (("type", wanted.type), ("result", wanted.result)):
        if got.get(element, "") != value:
            problems.append(f"{element} '{got.get(element, '')}' instead of '{value}'")
    if not _same(wanted.type, wanted.response, got.get("student_response", "")):
        problems.append(f"student_response '{got.get('student_response', '')}' instead of '{wanted.response}'")
    patterns = [v for k, v in sorted(got.items()) if k.startswith("correct_responses.") and k.endswith(".pattern")]
    missing = [p for p in wanted.patterns if not any(_same(wanted.type, p, g) for g in patterns)]
    extra = [g for g in patterns if not any(_same(wanted.type, p, g) for p in wanted.patterns)]
    if missing or extra:
        problems.append(f"correct_responses {patterns} instead of {list(wanted.patterns)}")
    too_long = [v for k, v in got.items() if (k == "student_response" or k.endswith(".pattern"))
                and len(v) > CMI_FEEDBACK_LIMIT]
    if too_long:
        problems.append(f"a value of {len(too_long[0])} characters (CMIFeedback holds {CMI_FEEDBACK_LIMIT})")
    return [Finding("lms.interaction", f"interaction '{wanted.id}': {problem}", where) for problem in problems]


def authored_expectation(seen: ScenarioObservation) -> list[Finding]:
    if seen.expect_status is None or not seen.launches:
        return []
    last = seen.launches[-1]
    findings = []
    held = last.record.get(STATUS, "")
    if held != seen.expect_status:
        findings.append(Finding("scenario.expect-status", f"the scenario expects status '{seen.expect_status}', "
                                f"the LMS holds '{held}'", seen.where(last.leave_step)))
    raw = last.record.get(SCORE, "")
    if seen.expect_score is not None and (raw == "" or abs(float(raw) - seen.expect_score) > 0.005):
        findings.append(Finding("scenario.expect-score", f"the scenario expects score {js_number(seen.expect_score)}"
                                f", the LMS holds '{raw}'", seen.where(last.leave_step)))
    return findings


def page_problems(seen: ScenarioObservation) -> list[Finding]:
    unique: dict[tuple[str, str], PageProblem] = {}
    for problem in seen.problems:
        unique.setdefault((problem.rule, problem.detail), problem)
    return [Finding(p.rule, p.detail, seen.where(p.step)) for p in unique.values()]


LaunchRule = Callable[[ScenarioObservation, LaunchObservation], list[Finding]]
LAUNCH_RULES: tuple[LaunchRule, ...] = (status_rule, score_rule, score_before_status, finish_rule, session_time_rule,
                                        exit_rule, suspend_rule, interactions_rule)


def judge(seen: ScenarioObservation) -> tuple[Finding, ...]:
    """Every rule broken, launch by launch, then the authored expectation and the page's problems."""
    findings: list[Finding] = [f for launch in seen.launches for rule in LAUNCH_RULES for f in rule(seen, launch)]
    findings.extend(authored_expectation(seen))
    findings.extend(page_problems(seen))
    return tuple(findings)
