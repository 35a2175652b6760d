"""SCORM 2004's own terms for the preview: the interactions a learner's answers must leave, and the rules only
SCORM 2004 has (score.scaled beside score.raw, ISO 8601 durations, progress_measure, the navigation request,
the interaction value limits, what the LMS's sequencing rolled the course up to).

Responses use 2004's syntax (runtime/scorm2004.js writes the same): authored ids, ``[,]`` lists in authored
order, ``src[.]tgt`` pairs, ``min[:]max`` numeric ranges, ``true``/``false``; a fill-in's accepted answers are
patterns of their own (``{case_matters=true}`` where case counts), survey free text is long-fill-in. Pure
functions; the rules take the observations of ``stages/preview/assertions.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from courseforge.model.course import FillIn, Question
from courseforge.model.preview import Finding, FindingSeverity, SignalKind
from courseforge.model.scenario import AnswerValue
from courseforge.stages.preview.assertions import (
    ExpectedInteraction,
    LaunchObservation,
    LaunchRule,
    ScenarioObservation,
    js_number,
)
from courseforge.stages.preview.harness.plugins import responses
from courseforge.stages.preview.harness.plugins import scorm2004_sequencing as sequencing
from courseforge.standards import scorm2004 as std

DURATION = re.compile(std.DURATION_PATTERN)
SCALED = re.compile(std.SCALED_PATTERN)
SCORE_RAW = re.compile(std.SCORE_RAW_PATTERN)
TIMESTAMP = re.compile(std.TIMESTAMP_PATTERN)
INTERACTION_KEY = re.compile(std.INTERACTION_KEY)
PREFIX = re.compile(r"^(\{(lang|case_matters|order_matters)=[^}]*\})+")
SCORM_TYPES = responses.INTERACTION_TYPES
LIST_TYPES = ("choice", "matching")
"""Types whose response is a set: the same items in any order say the same."""


# ------------------------------------------------------------------------------------ responses and patterns


def one_line(text: str, limit: int) -> str:
    """A learner's text as runtime/scorm2004.js writes it: one line, no leading "{", cut to the limit."""
    line = re.sub(r"\s*[\r\n\u2028\u2029]+\s*", " ", text).strip().replace("[,]", "[ ,]")
    return (" " + line if line.startswith("{") else line)[:limit]


def number(value: float) -> str:
    """A CMIDecimal as the runtime writes it (at most seven decimals, no exponent)."""
    return js_number(round(value, 7))


def fill_in_type(question: FillIn, typed: str) -> str:
    too_long = len(typed.strip()) > std.FILL_IN_LIMIT or any(len(a) > std.FILL_IN_LIMIT for a in question.accepted)
    return "long-fill-in" if too_long else "fill-in"


class Syntax(responses.DelimitedIds):
    """SCORM 2004's :class:`~.responses.ResponseSyntax`: the delimited ids, CMIDecimals, a learner's text on one
    line within the fill-in (or long-fill-in) limit."""

    def number(self, value: float) -> str:
        return number(value)

    def fill_in(self, question: FillIn, typed: str) -> str:
        kind = fill_in_type(question, typed)
        return one_line(typed, std.FILL_IN_LIMIT if kind == "fill-in" else std.LONG_FILL_IN_LIMIT)

    def fill_in_patterns(self, question: FillIn, accepted: Sequence[str]) -> tuple[str, ...]:
        """A fill-in's accepted answers, the first FILL_IN_PATTERNS; {case_matters=true} when case counts, except
        on long-fill-in."""
        kind = fill_in_type(question, "")
        limit = std.FILL_IN_LIMIT if kind == "fill-in" else std.LONG_FILL_IN_LIMIT
        prefix = "{case_matters=true}" if question.case_sensitive and kind == "fill-in" else ""
        found = tuple(prefix + one_line(text, limit) for text in responses.accepted_once(question, accepted, limit))
        return found[: std.FILL_IN_PATTERNS if kind == "fill-in" else 1]


SYNTAX = Syntax()


def response(question: Question, value: AnswerValue) -> str:
    """learner_response as SCORM 2004 writes the learner's answer."""
    return responses.response(SYNTAX, question, value)


def patterns(question: Question, accepted: Sequence[str] = ()) -> tuple[str, ...]:
    """Every correct_responses pattern the key needs within 2004's limits: a fill-in's accepted answers (once
    each, the first FILL_IN_PATTERNS; {case_matters=true} when case counts, except on long-fill-in), one
    pattern for the other types, a numeric range as ``min[:]max``."""
    return responses.patterns(SYNTAX, question, accepted)


def kind_of(question: Question, value: AnswerValue) -> str:
    return fill_in_type(question, str(value)) if isinstance(question, FillIn) else SCORM_TYPES[question.type]


def quiz_interaction(quiz_id: str, attempt: int, question: Question, value: AnswerValue, right: bool,
                     accepted: Sequence[str] = ()) -> ExpectedInteraction:
    return ExpectedInteraction(id=f"{quiz_id}__{question.id}__{attempt}", type=kind_of(question, value),
                               response=response(question, value), result="correct" if right else "incorrect",
                               patterns=patterns(question, accepted))


def survey_interaction(survey_id: str, item_id: str, kind: str, answer: int | str) -> ExpectedInteraction:
    text = str(answer + 1) if isinstance(answer, int) else one_line(str(answer), std.LONG_FILL_IN_LIMIT)
    return ExpectedInteraction(id=f"{survey_id}__{item_id}__1", type=SCORM_TYPES[kind], response=text,
                               result="neutral")


def same(kind: str, expected: str, recorded: str) -> bool:
    """Equal as SCORM 2004 reads them: choice sets and matching pairs in any order; delimiters [,] [.] [:]."""
    if kind in LIST_TYPES:
        return set(expected.split("[,]")) == set(recorded.split("[,]"))
    if kind == "numeric" and "[:]" not in expected + recorded:
        return responses.same_number(expected, recorded)
    return expected == recorded


CODEC = responses.FunctionCodec(quiz_interaction, survey_interaction, same)
"""The InteractionCodec in SCORM 2004 syntax."""


# ------------------------------------------------------------------------------------ the rules


def held(launch: LaunchObservation, element: str) -> str:
    return dict(launch.record.values).get(element, "")


def score_format_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """score.raw a percent with two decimals at most, score.scaled = raw / 100 in -1..1, min 0 and max 100."""
    raw, scaled = held(launch, std.SCORE_RAW), held(launch, std.SCORE_SCALED)
    where = seen.where(launch.leave_step)
    if raw == "" and scaled == "":
        return []
    if not SCORE_RAW.match(raw) or not SCALED.match(scaled):
        return [Finding("lms.score-format", f"score.raw '{raw}' / score.scaled '{scaled}': the runtime writes a "
                        "percent 0..100 with at most two decimals and its scaled value in -1..1", where)]
    if abs(float(raw) / 100 - float(scaled)) > 0.00005:
        return [Finding("lms.score-format", f"score.scaled '{scaled}' is not score.raw '{raw}' / 100", where)]
    limits = (held(launch, "cmi.score.min"), held(launch, "cmi.score.max"))
    if limits != ("0", "100"):
        return [Finding("lms.score-format", f"score.min/max are {limits}, not ('0', '100')", where)]
    return []


def session_time_format_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    bad = [s.value for s in launch.record.signals if s.kind is SignalKind.SESSION_TIME and not DURATION.match(s.value)]
    if not bad:
        return []
    return [Finding("lms.session-time", f"session_time {bad[0]!r} is not an ISO 8601 duration with at most two "
                    "decimals on the seconds (PT1H2M3.45S)", seen.where(launch.leave_step))]


def progress_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """progress_measure is 1 exactly when complete: an LMS deciding completion by measure (the manifest's
    completionThreshold 1.0) must agree with the course rules."""
    measure = held(launch, std.PROGRESS_MEASURE)
    if measure == "":
        return []
    complete = held(launch, std.COMPLETION_STATUS) == "completed"
    if (float(measure) >= 1) != complete:
        return [Finding("lms.progress", f"progress_measure {measure} with completion_status "
                        f"'{held(launch, std.COMPLETION_STATUS)}': 1 means complete, below 1 incomplete",
                        seen.where(launch.leave_step))]
    return []


def navigation_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """adl.nav.request before Terminate: suspendAll while the learner is not done (exitAll would end the attempt
    and its saved state), exitAll or continue once done."""
    requests = [e.arguments[1] for e in launch.events if e.method == "SetValue" and e.arguments[:1] == (
        std.NAV_REQUEST,) and len(e.arguments) > 1 and e.error == "0"]
    refused = any(e.method == "SetValue" and e.arguments[:1] == (std.NAV_REQUEST,) and e.error != "0"
                  for e in launch.events)
    if refused or not launch.record.finishes:
        return []  # an LMS without navigation requests: nothing to judge
    wanted = ("exitAll", "continue") if launch.finished else ("suspendAll",)
    if requests and requests[-1] in wanted:
        return []
    said = f"'{requests[-1]}'" if requests else "nothing"
    return [Finding("lms.nav-request", f"adl.nav.request was {said} before Terminate; with the learner "
                    f"{'done' if launch.finished else 'not done'} it should be {' or '.join(wanted)}",
                    seen.where(launch.leave_step))]


def interaction_values_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """What SCORM 2004 holds for sure: fill-in strings of 250, long-fill-in of 4,000, descriptions of 250; an
    ISO 8601 timestamp and latency; a result of its vocabulary."""
    findings = []
    for interaction in launch.record.interactions:
        values = dict(interaction.values)
        problems = []
        limit = std.LONG_FILL_IN_LIMIT if interaction.type in ("long-fill-in", "other") else std.FILL_IN_LIMIT
        for name in ("learner_response", *(k for k in values if k.startswith("correct_responses."))):
            text = PREFIX.sub("", values.get(name, ""))
            if interaction.type in ("fill-in", "long-fill-in") and len(text) > limit:
                problems.append(f"{name} holds {len(text)} characters (SPM {limit})")
        if len(PREFIX.sub("", values.get("description", ""))) > std.DESCRIPTION_LIMIT:
            problems.append(f"description is longer than {std.DESCRIPTION_LIMIT} characters")
        if values.get("timestamp") and not TIMESTAMP.match(values["timestamp"]):
            problems.append(f"timestamp '{values['timestamp']}' is not a SCORM time")
        if values.get("latency") and not DURATION.match(values["latency"]):
            problems.append(f"latency '{values['latency']}' is not an ISO 8601 duration")
        if interaction.result and interaction.result not in std.INTERACTION_RESULTS:
            problems.append(f"result '{interaction.result}' is not one of {', '.join(std.INTERACTION_RESULTS)}")
        findings += [Finding("lms.interaction", f"interaction '{interaction.id}': {problem}",
                             seen.where(launch.leave_step)) for problem in problems]
    return findings


NOT_DONE = ("incomplete", "not attempted", "unknown")
NOT_SATISFIED = (sequencing.NOT_SATISFIED, sequencing.UNKNOWN)


def expected_rollup(status: str, completed: bool | None, score: float | None) -> dict[str, tuple[str, ...]]:
    """What the root activity may hold after a launch, by aspect (``completion``, ``satisfaction``): completed
    exactly when the required work is done; satisfied after a pass, not satisfied after a fail, and not satisfied
    while there is no verdict. Completion and satisfaction are separate in 2004: a learner with a standing score
    who has not done the required work may already be satisfied, so that is not judged."""
    wanted: dict[str, tuple[str, ...]] = {}
    if completed is not None:
        wanted["completion"] = ("completed",) if completed else NOT_DONE
    if status == "passed":
        wanted["satisfaction"] = (sequencing.SATISFIED,)
    elif status == "failed":
        wanted["satisfaction"] = (sequencing.NOT_SATISFIED,)
    elif status != "completed" and not (completed is False and score is not None):
        wanted["satisfaction"] = NOT_SATISFIED
    return wanted


def rollup_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """What the LMS rolled the course up to agrees with what the course meant. A 4th edition LMS decides the
    course's status itself from the manifest's sequencing and rollup and what the SCO reported: the root activity
    of its activity tree (the ``sequencing.*`` values, from scorm-again's engine) must be completed and satisfied
    after a pass, not satisfied after a fail, incomplete while the required work remains. A disagreement names the
    manifest elements that decided the root's state. Also said: a launch the engine would not deliver (it ran
    unsequenced), manifest elements the engine left out, and exceptions it raised."""
    values = dict(launch.record.values)
    where = seen.where(launch.leave_step)
    findings: list[Finding] = []
    if values.get(sequencing.NOT_DELIVERED):
        findings.append(Finding("lms.sequencing-delivery", f"the LMS's sequencing engine would not deliver "
                                f"{values[sequencing.NOT_DELIVERED]}; the SCO ran without sequencing, so no LMS "
                                "rollup was judged", where))
    if values.get(sequencing.UNSUPPORTED_NOTES):
        findings.append(Finding("lms.sequencing-unsupported", f"left out of the LMS's sequencing (imsmanifest.xml "
                                f"{values[sequencing.UNSUPPORTED_NOTES]}); the rollup verdict does not cover it",
                                where, FindingSeverity.WARNING))
    if values.get(sequencing.ENGINE_ERRORS):
        findings.append(Finding("lms.sequencing-exception", f"the LMS's sequencing engine raised "
                                f"{values[sequencing.ENGINE_ERRORS]}", where, FindingSeverity.WARNING))
    root = values.get(sequencing.ROOT_ACTIVITY)
    if not root or not launch.record.finishes:
        return findings  # not sequenced, or the SCO never finished: nothing was rolled up
    held_now = {"completion": values.get(sequencing.ROOT_COMPLETION, sequencing.UNKNOWN),
                "satisfaction": values.get(sequencing.ROOT_SATISFIED, sequencing.UNKNOWN)}
    measure = values.get(sequencing.ROOT_MEASURE, "")
    state = f"{held_now['completion']}, {held_now['satisfaction']}{f', measure {measure}' if measure else ''}"
    work = "" if launch.completed is None else (" with the required work done" if launch.completed
                                                 else " with required work left")
    because = {"completion": values.get(sequencing.COMPLETION_BECAUSE, ""),
               "satisfaction": values.get(sequencing.SATISFACTION_BECAUSE, "")}
    for aspect, wanted in expected_rollup(launch.status, launch.completed, launch.score).items():
        if held_now[aspect] in wanted:
            continue
        findings.append(Finding(
            "lms.rollup", f"the LMS rolled the course up to {state} (root activity '{root}'); the course rules say "
            f"'{launch.status}'{work}, so its {aspect} should be {' or '.join(wanted)}: {because[aspect]}", where))
    return findings


RULES: tuple[LaunchRule, ...] = (score_format_rule, session_time_format_rule, progress_rule, navigation_rule,
                                 interaction_values_rule, rollup_rule)
