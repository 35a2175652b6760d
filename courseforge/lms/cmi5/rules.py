"""The cmi5 statement rules for one AU session, as a pure judge (§7.1.3, §9.3, §9.5, §9.6, §10 launchMode).

``judge`` takes what is known about the session and the AU's registration so far and one incoming statement,
and returns either the updated records or a ``Rejection`` naming the rule. "cmi5 allowed" statements
(without the cmi5 category) only have to fall between initialized and terminated; they never count for the
session or registration rules. Order is arrival order (the order of the batch, then of batches).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from courseforge.lms.cmi5.launch import LaunchSession
from courseforge.lms.cmi5.vocabulary import (
    AU_VERBS,
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    EXT_SESSION_ID,
    JUDGED_VERBS,
    LaunchMode,
    Verb,
)

Statement = Mapping[str, Any]


@dataclass(frozen=True)
class Rejection:
    rule: str
    """A stable dotted code, e.g. ``cmi5.after-terminated``."""
    reason: str

    def message(self) -> str:
        return f"{self.reason} [{self.rule}]"


@dataclass(frozen=True)
class AuRecord:
    """The registration-wide facts for one AU (§9.3: per registration, per AU)."""

    completed: bool = False
    passed: bool = False
    waived: bool = False


@dataclass(frozen=True)
class SessionRecord:
    session: LaunchSession
    initialized: bool = False
    terminated: bool = False
    abandoned: bool = False
    verbs: frozenset[Verb] = frozenset()
    """cmi5 defined verbs the AU has sent in this session."""
    last_statement_at: datetime | None = None
    """When the AU's last accepted statement arrived (the abandoned duration ends there, §9.5.4.2)."""

    @property
    def open(self) -> bool:
        return not (self.terminated or self.abandoned)


@dataclass(frozen=True)
class Accepted:
    session: SessionRecord
    au: AuRecord
    defined_verb: Verb | None = field(default=None)
    """The cmi5 defined verb the statement used, or None for a cmi5 allowed statement."""


def session_id_of(statement: Statement) -> str | None:
    extensions = _mapping(_mapping(statement.get("context")).get("extensions"))
    value = extensions.get(EXT_SESSION_ID)
    return value if isinstance(value, str) else None


def registration_of(statement: Statement) -> str | None:
    value = _mapping(statement.get("context")).get("registration")
    return value.lower() if isinstance(value, str) else None


def has_category(statement: Statement, category: str) -> bool:
    return category in _context_activity_ids(statement, "category")


def judge(record: SessionRecord, au: AuRecord, statement: Statement, *, now: datetime) -> Accepted | Rejection:
    """Accept or reject one AU statement for a known session."""
    if record.abandoned:
        return Rejection("cmi5.after-abandoned", "the LMS recorded this session as abandoned; it takes no more "
                                                 "statements (§9.3.6)")
    if record.terminated:
        return Rejection("cmi5.after-terminated", "the session is terminated; terminated must be the last "
                                                  "statement of a session (§9.3.8)")
    session = record.session
    registration = registration_of(statement)
    if registration is not None and registration != str(session.registration):
        return Rejection("cmi5.registration-mismatch",
                         f"context.registration {registration} is not this session's registration (§9.6.1)")
    if session.au.id not in _context_activity_ids(statement, "grouping"):
        return Rejection("cmi5.context-template", "context.contextActivities.grouping lacks the publisher id "
                                                  f"activity {session.au.id} of the context template (§10)")
    if not has_category(statement, CATEGORY_CMI5):
        return _judge_allowed(record, au, statement, now=now)
    return _judge_defined(record, au, statement, now=now)


def _judge_allowed(record: SessionRecord, au: AuRecord, statement: Statement, *,
                   now: datetime) -> Accepted | Rejection:
    if not record.initialized:
        verb = verb_id(statement)
        if verb == Verb.INITIALIZED:
            return Rejection("cmi5.category-missing", "initialized without the cmi5 category is a 'cmi5 allowed' "
                                                      "statement and cannot start the session (§7.1.3, §9.6.2.1)")
        return Rejection("cmi5.before-initialized", "a 'cmi5 allowed' statement before initialized; initialized "
                                                    "must be the first statement of a session (§7.1.3, §9.3.2)")
    return Accepted(replace(record, last_statement_at=now), au)


def _judge_defined(record: SessionRecord, au: AuRecord, statement: Statement, *,
                   now: datetime) -> Accepted | Rejection:
    session = record.session
    used = verb_id(statement)
    if used not in AU_VERBS:
        if used in {verb.value for verb in Verb}:
            return Rejection("cmi5.lms-verb", f"{used} is a verb only the LMS records (§9.3)")
        return Rejection("cmi5.verb-not-defined", f"{used} with the cmi5 category is not a cmi5 defined verb; "
                                                  "drop the category to send it as 'cmi5 allowed' (§7.1.3)")
    verb = Verb(used)
    problem = (
        _identity_problem(session, statement)
        or _sequence_problem(record, au, verb)
        or _result_problem(session, verb, statement)
    )
    if problem is not None:
        return problem
    updated = replace(
        record,
        initialized=record.initialized or verb is Verb.INITIALIZED,
        terminated=verb is Verb.TERMINATED,
        verbs=record.verbs | {verb},
        last_statement_at=now,
    )
    updated_au = replace(au, completed=au.completed or verb is Verb.COMPLETED, passed=au.passed or verb is Verb.PASSED)
    return Accepted(updated, updated_au, verb)


def _identity_problem(session: LaunchSession, statement: Statement) -> Rejection | None:
    actor = _mapping(statement.get("actor"))
    if actor.get("objectType", "Agent") != "Agent" or actor.get("account") != session.learner.actor()["account"]:
        return Rejection("cmi5.actor-mismatch", "the actor must be the launch's actor, an Agent with an account "
                                                "(§9.2)")
    object_id = _mapping(statement.get("object")).get("id")
    if object_id != session.activity_id:
        return Rejection("cmi5.object-not-au", f"object.id {object_id!r} is not the launch's activityId "
                                               f"{session.activity_id} (§9.4)")
    if registration_of(statement) is None:
        return Rejection("cmi5.registration-missing", "a cmi5 defined statement needs context.registration "
                                                      "(§9.6.1)")
    return None


def _sequence_problem(record: SessionRecord, au: AuRecord, verb: Verb) -> Rejection | None:
    if not record.initialized and verb is not Verb.INITIALIZED:
        return Rejection("cmi5.before-initialized", f"{verb.name.lower()} before initialized; initialized must be "
                                                    "the first statement of a session (§9.3.2)")
    if verb in record.verbs:
        return Rejection("cmi5.verb-repeated", f"{verb.name.lower()} was already sent in this session; cmi5 "
                                               "defined verbs must not repeat in a session (§9.3)")
    if verb in JUDGED_VERBS and record.session.launch_mode is not LaunchMode.NORMAL:
        return Rejection("cmi5.launch-mode", f"{verb.name.lower()} in {record.session.launch_mode.value} mode; "
                                             "only Normal mode records completion-related statements (§10)")
    if verb in (Verb.PASSED, Verb.FAILED) and record.verbs & {Verb.PASSED, Verb.FAILED}:
        return Rejection("cmi5.passed-and-failed", "a session may carry only one of passed and failed (§9.3)")
    if verb is Verb.COMPLETED and au.completed:
        return Rejection("cmi5.completed-again", "this AU is already completed in this registration; only one "
                                                 "completed is allowed per registration (§9.3.3)")
    if verb is Verb.PASSED and au.passed:
        return Rejection("cmi5.passed-again", "this AU is already passed in this registration; only one passed "
                                              "is allowed per registration (§9.3.4)")
    if verb is Verb.FAILED and au.passed:
        return Rejection("cmi5.failed-after-passed", "failed must not follow passed in a registration (§9.3)")
    return None


def _result_problem(session: LaunchSession, verb: Verb, statement: Statement) -> Rejection | None:
    result = _mapping(statement.get("result"))
    name = verb.name.lower()
    if "score" in result and verb not in (Verb.PASSED, Verb.FAILED):
        return Rejection("cmi5.score-not-allowed", f"{name} must not carry a score; only passed and failed may "
                                                   "(§9.5.1)")
    expected_success = {Verb.PASSED: True, Verb.FAILED: False}.get(verb)
    if result.get("success") != expected_success:
        wanted = "no success" if expected_success is None else f"success {str(expected_success).lower()}"
        return Rejection("cmi5.success", f"{name} must carry {wanted} (§9.5.2)")
    expected_completion = True if verb is Verb.COMPLETED else None
    if result.get("completion") != expected_completion:
        wanted = "no completion" if expected_completion is None else "completion true"
        return Rejection("cmi5.completion", f"{name} must carry {wanted} (§9.5.3)")
    if verb is not Verb.INITIALIZED and "duration" not in result:
        return Rejection("cmi5.duration-missing", f"{name} must carry result.duration (§9.5.4.1)")
    moveon = has_category(statement, CATEGORY_MOVEON)
    if moveon != (expected_success is not None or expected_completion is not None):
        return Rejection("cmi5.moveon-category", f"the moveon category belongs on statements with success or "
                                                 f"completion, and only there ({name}, §9.6.2.2)")
    return _mastery_problem(session, verb, result)


def _mastery_problem(session: LaunchSession, verb: Verb, result: Mapping[str, Any]) -> Rejection | None:
    mastery = session.au.mastery_score
    scaled = _mapping(result.get("score")).get("scaled")
    if mastery is None or not isinstance(scaled, int | float) or isinstance(scaled, bool):
        return None
    try:
        score = Decimal(str(scaled))
    except InvalidOperation:
        return None
    if verb is Verb.PASSED and score < mastery:
        return Rejection("cmi5.passed-below-mastery", f"passed with scaled score {scaled} below the masteryScore "
                                                      f"{mastery} (§9.3.4)")
    if verb is Verb.FAILED and score >= mastery:
        return Rejection("cmi5.failed-at-mastery", f"failed with scaled score {scaled} at or above the masteryScore "
                                                   f"{mastery} (§9.3.5)")
    return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def verb_id(statement: Statement) -> str:
    value = _mapping(statement.get("verb")).get("id")
    return value if isinstance(value, str) else ""


def _context_activity_ids(statement: Statement, kind: str) -> frozenset[str]:
    activities = _mapping(_mapping(statement.get("context")).get("contextActivities")).get(kind)
    if isinstance(activities, Mapping):
        activities = [activities]
    if not isinstance(activities, list):
        return frozenset()
    return frozenset(item["id"] for item in activities if isinstance(item, Mapping) and isinstance(item.get("id"), str))
