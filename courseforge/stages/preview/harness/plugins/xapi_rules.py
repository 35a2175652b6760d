"""xAPI's own terms for the preview: the interactions a learner's answers must leave, and the rules only a
Tin Can package has.

Interactions are answered statements: the object is the course IRI + ``/<quiz>/<question>`` (a survey
item: ``/<survey>/<item>``) whatever the attempt, so the record's id adds the attempt the statement's
context carries (``<object id> attempt <n>``). Responses and patterns use the SCORM 2004 syntax xAPI
adopts, with ids, not letters: ``red[,]blue``, ``dog[.]woof``, ``true``, ``1.5[:]3``, every accepted fill-in
answer as a pattern (``{case_matters=true}`` when it matters). Results: ``correct``/``wrong`` from
result.success, ``neutral`` for survey items (no success).

The rules read the statements from the launch's events (the JSON of every statement the content sent,
retries included): every one through @learninglocker/xapi-validation (once per scenario, in one node
process), the Tin Can rules of ``xapi_statements.py``, and under an unreachable LRS that nothing was lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from courseforge.model.course import FillIn, Question, Survey, SurveyItem
from courseforge.model.preview import ApiEvent, Finding
from courseforge.model.scenario import AnswerValue
from courseforge.stages.preview.assertions import (
    ExpectedInteraction,
    LaunchObservation,
    LaunchRule,
    ScenarioObservation,
)
from courseforge.stages.preview.harness.plugins import responses
from courseforge.stages.preview.harness.plugins.xapi_statements import (
    by_registration,
    context_problems,
    identity_problems,
    in_made_order,
    result_problems,
    sequence_problems,
    split_sessions,
    validator_for,
    verdict_problems,
)

POST_STATEMENTS = "POST statements"
PUT_STATE = "PUT state"
STATE_WRITES = ("PUT state", "POST state", "DELETE state")
DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def duration_seconds(text: str) -> float | None:
    """An ISO 8601 duration (days, hours, minutes, seconds) in seconds; None when it is not one."""
    match = DURATION.match(text)
    if match is None or text in ("P", "PT"):
        return None
    days, hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def record_id(object_id: str, attempt: int) -> str:
    return f"{object_id} attempt {attempt}"


# ------------------------------------------------------------------------------------ responses and patterns


class Syntax(responses.DelimitedIds):
    """xAPI's :class:`~.responses.ResponseSyntax`: the delimited ids as the runtime writes them, a learner's
    text as typed (trimmed), a number that is none as typed, every accepted fill-in answer as a pattern."""

    def fill_in(self, question: FillIn, typed: str) -> str:
        return typed.strip()

    def numeric(self, value: AnswerValue) -> str:
        try:
            return super().numeric(value)
        except ValueError:
            return str(value).strip()

    def fill_in_patterns(self, question: FillIn, accepted: Sequence[str]) -> tuple[str, ...]:
        prefix = "{case_matters=true}" if question.case_sensitive else ""
        return tuple(prefix + text for text in responses.accepted_once(question, accepted))


SYNTAX = Syntax()


def xapi_response(question: Question, value: AnswerValue) -> str:
    """result.response as the runtime writes the learner's answer (ids in authored order for a choice)."""
    return responses.response(SYNTAX, question, value)


def xapi_patterns(question: Question, accepted: Sequence[str] = ()) -> tuple[str, ...]:
    """correctResponsesPattern: every accepted fill-in answer once (as compared), a numeric range min[:]max,
    the one key otherwise."""
    return responses.patterns(SYNTAX, question, accepted)


def _parts(text: str, separator: str) -> list[str]:
    return [part for part in text.split(separator) if part]


def same(kind: str, expected: str, recorded: str) -> bool:
    """Equal as xAPI reads them: choice sets and matching pairs in any order, numbers by value."""
    if kind in ("choice", "matching"):
        return sorted(_parts(expected, "[,]")) == sorted(_parts(recorded, "[,]"))
    if kind == "numeric" and "[:]" not in expected:
        return responses.same_number(expected, recorded)
    return expected == recorded


class XapiCodec:
    """:class:`~courseforge.stages.preview.harness.interface.InteractionCodec` for one Tin Can course activity."""

    def __init__(self, activity_id: str) -> None:
        self.activity_id = activity_id

    def quiz(self, quiz_id: str, attempt: int, question: Question, value: AnswerValue, right: bool,
             accepted: Sequence[str] = ()) -> ExpectedInteraction:
        return ExpectedInteraction(id=record_id(f"{self.activity_id}/{quiz_id}/{question.id}", attempt),
                                   type=responses.INTERACTION_TYPES[question.type],
                                   response=xapi_response(question, value), result="correct" if right else "wrong",
                                   patterns=xapi_patterns(question, accepted))

    def survey(self, survey: Survey, item: SurveyItem, answer: int | str) -> ExpectedInteraction:
        response = str(answer) if isinstance(answer, int) else str(answer).strip()
        return ExpectedInteraction(id=record_id(f"{self.activity_id}/{survey.id}/{item.id}", 1),
                                   type=responses.INTERACTION_TYPES[item.type], response=response, result="neutral")

    def same(self, kind: str, expected: str, recorded: str) -> bool:
        return same(kind, expected, recorded)


# ------------------------------------------------------------------------------------ the rules


def posted(events: Sequence[ApiEvent]) -> list[tuple[dict[str, Any], ApiEvent]]:
    """Every statement the content sent in these events, retries included, with the event that carried it."""
    found = []
    for event in events:
        if event.method == POST_STATEMENTS and len(event.arguments) >= 3:
            try:
                statement = json.loads(event.arguments[2])
            except ValueError:
                continue
            if isinstance(statement, dict):
                found.append((statement, event))
    return found


def stored_ok(event: ApiEvent) -> bool:
    return event.error == "0" and event.result.startswith("2")


def unique(statements: Sequence[tuple[dict[str, Any], ApiEvent]]) -> list[dict[str, Any]]:
    """Each statement once (its first send that the LRS stored), in the order stored."""
    seen: dict[str, dict[str, Any]] = {}
    for statement, event in statements:
        if stored_ok(event):
            seen.setdefault(str(statement.get("id", "")), statement)
    return list(seen.values())


def statement_validity_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """Every statement of the scenario through @learninglocker/xapi-validation, once, at its last launch."""
    if launch is not seen.launches[-1]:
        return []
    statements = {str(s.get("id", "")): s for one in seen.launches for s, _ in posted(one.events)}
    found = validator_for(seen.runtime)
    where = seen.where(launch.leave_step)
    if isinstance(found, str):
        return [Finding("xapi.validator-missing", f"the statements could not be checked: {' '.join(found.split())}",
                        where)]
    return [Finding(problem.code, problem.format(), where) for problem in found.validate(list(statements.values()))]


def session_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """The Tin Can rules over the scenario's whole record, at its last launch: ids over every send, then per
    registration its verdicts, and per session (initialized onwards, in the order the content made them: a
    backlog an earlier launch left queued, or a refused send retried after its successors, is stored
    later) its sequence, results and context."""
    if launch is not seen.launches[-1]:
        return []
    pairs = [pair for one in seen.launches for pair in posted(one.events)]
    problems = identity_problems([statement for statement, _ in pairs])
    for registration, record in by_registration(in_made_order(unique(pairs))).items():
        problems += verdict_problems(record)
        for session in split_sessions(record):
            course = str(session[0].get("object", {}).get("id", ""))
            problems += sequence_problems(session)
            problems += [p for statement in session for p in result_problems(statement)]
            problems += context_problems(session, session[0].get("actor", {}), registration, course)
    where = seen.where(launch.leave_step)
    return [Finding(problem.code, problem.format(), where) for problem in problems]


def lost_rule(seen: ScenarioObservation, launch: LaunchObservation) -> list[Finding]:
    """At the scenario's end, every statement the content tried to send is stored (an LRS that refused
    writes for a while must not cost any), and none is stored under two ids (``xapi.duplicate`` above)."""
    if launch is not seen.launches[-1]:
        return []
    tried: dict[str, str] = {}
    stored: set[str] = set()
    for one in seen.launches:
        for statement, event in posted(one.events):
            sid = str(statement.get("id", ""))
            tried.setdefault(sid, str(statement.get("verb", {}).get("id", "")).rsplit("/", 1)[-1])
            if stored_ok(event):
                stored.add(sid)
    lost = sorted(sid for sid in tried if sid not in stored)
    if not lost:
        return []
    verbs = ", ".join(f"{tried[sid]} {sid}" for sid in lost[:5])
    return [Finding("xapi.lost", f"{len(lost)} statement(s) the content sent were never stored: {verbs}",
                    seen.where(launch.leave_step))]


RULES: tuple[LaunchRule, ...] = (statement_validity_rule, session_rule, lost_rule)
