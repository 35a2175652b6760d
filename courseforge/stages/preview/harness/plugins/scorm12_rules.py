"""SCORM 1.2's own terms for the preview: the interactions a learner's answers must leave, and the rules only
SCORM 1.2 has (score.raw's format, CMITimespan, CMIFeedback's 255 characters).

Responses use 1.2's syntax: choices as letters by authored position (``a,c``), true-false ``t``/``f``,
matching ``a.b`` pairs, sequencing letters in order; correct_responses cover every accepted answer within
1.2's limits (every fill-in answer once, none over 255 characters; no pattern for a numeric range, which
1.2 cannot say). Pure functions; the rules take the observations of ``stages/preview/assertions.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from courseforge.model.course import FillIn, Matching, Numeric, Question
from courseforge.model.preview import Finding, SignalKind
from courseforge.model.scenario import AnswerValue
from courseforge.stages.preview.assertions import (
    ExpectedInteraction,
    LaunchObservation,
    LaunchRule,
    ScenarioObservation,
    js_number,
)
from courseforge.stages.preview.harness.plugins import responses
from courseforge.standards import scorm12 as std

CMI_FEEDBACK_LIMIT = std.TEXT_LIMIT
"""student_response and correct_responses.n.pattern are CMIFeedback: 255 characters."""
SCORE_FORMAT = re.compile(std.SCORE_PATTERN)
TIMESPAN = re.compile(std.TIMESPAN_PATTERN)
INTERACTION_KEY = re.compile(r"^cmi\.interactions\.(\d+)\.(.+)$")
SCORM_TYPES = {**responses.INTERACTION_TYPES, "text": "fill-in"}
"""1.2's interaction types: free text is a fill-in (1.2 has no long-fill-in)."""


# ------------------------------------------------------------------------------------ responses and patterns


def letter(ids: Sequence[str], item: str) -> str:
    index = list(ids).index(item)
    return chr(97 + index) if index < 26 else ""


class Letters:
    """SCORM 1.2's :class:`~.responses.ResponseSyntax`: items as letters by authored position, ``t``/``f``,
    texts within CMIFeedback's 255 characters, no pattern for a numeric range."""

    def choices(self, authored: Sequence[str], chosen: Sequence[str]) -> str:
        return ",".join(sorted(letter(authored, i) for i in chosen))

    def true_false(self, value: bool) -> str:
        return "t" if value else "f"

    def fill_in(self, question: FillIn, typed: str) -> str:
        return typed.strip()[:CMI_FEEDBACK_LIMIT]

    def numeric(self, value: AnswerValue) -> str:
        return js_number(responses.typed_number(value))

    def matching(self, question: Matching, pairs: Mapping[str, str]) -> str:
        sources, targets = [s.id for s in question.sources], [t.id for t in question.targets]
        return ",".join(f"{letter(sources, s)}.{letter(targets, pairs[s])}" for s in sources if s in pairs)

    def sequencing(self, authored: Sequence[str], order: Sequence[str]) -> str:
        return ",".join(letter(authored, i) for i in order)

    def fill_in_patterns(self, question: FillIn, accepted: Sequence[str]) -> tuple[str, ...]:
        return responses.accepted_once(question, accepted, CMI_FEEDBACK_LIMIT)

    def numeric_patterns(self, question: Numeric) -> tuple[str, ...]:
        return (js_number(question.answer),) if question.answer is not None else ()


LETTERS = Letters()


def scorm_response(question: Question, value: AnswerValue) -> str:
    """student_response as SCORM 1.2 writes the learner's answer (letters by authored position)."""
    return responses.response(LETTERS, question, value)


def scorm_patterns(question: Question, accepted: Sequence[str] = ()) -> tuple[str, ...]:
    """Every correct_responses pattern the answer key needs within 1.2's limits: all accepted fill-in
    answers (once each, as the learner's answer is compared; none over 255 characters, which would be a
    cut, wrong key), one pattern for the other types, none for a numeric range."""
    return responses.patterns(LETTERS, question, accepted)


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


def same(kind: str, expected: str, recorded: str) -> bool:
    """Equal as SCORM 1.2 reads them: choice sets and matching pairs in any order, braces allowed."""
    if kind in ("choice", "matching"):
        def parts(text: str) -> set[str]:
            return {p.strip() for p in text.strip().strip("{}").split(",") if p.strip()}
        return parts(expected) == parts(recorded)
    if kind == "true-false":
        return expected[:1] == {"1": "t", "0": "f"}.get(recorded[:1], recorded[:1])
    return expected == recorded


CODEC = responses.FunctionCodec(quiz_interaction, survey_interaction, same)
"""The InteractionCodec in SCORM 1.2 syntax."""


# ------------------------------------------------------------------------------------ the rules


def score_format_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    raw = launch.record.score_text
    if raw == "" or SCORE_FORMAT.match(raw):
        return []
    return [Finding("lms.score-format", f"score.raw '{raw}' is not a number 0..100 with at most two decimals",
                    seen.where(launch.leave_step))]


def session_time_format_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    bad = [s.value for s in launch.record.signals if s.kind is SignalKind.SESSION_TIME and not TIMESPAN.match(s.value)]
    if not bad:
        return []
    return [Finding("lms.session-time", f"session_time {bad[0]!r} is not a CMITimespan (HHHH:MM:SS.SS)",
                    seen.where(launch.leave_step))]


def interaction_length_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    findings = []
    for held in launch.record.interactions:
        too_long = [v for v in (held.response, *held.patterns) if len(v) > CMI_FEEDBACK_LIMIT]
        if too_long:
            findings.append(Finding("lms.interaction", f"interaction '{held.id}': a value of {len(too_long[0])} "
                                    f"characters (CMIFeedback holds {CMI_FEEDBACK_LIMIT})",
                                    seen.where(launch.leave_step)))
    return findings


RULES: tuple[LaunchRule, ...] = (score_format_rule, session_time_format_rule, interaction_length_rule)
