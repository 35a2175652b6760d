"""The strict mode judge without HTTP: the identity and result rules, and the ledger replayed from statements."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from courseforge.lms.cmi5.launch import LaunchSession, Learner, context_template
from courseforge.lms.cmi5.ledger import replay
from courseforge.lms.cmi5.rules import Accepted, AuRecord, Rejection, SessionRecord, judge
from courseforge.lms.cmi5.structure import parse_course_structure
from courseforge.lms.cmi5.vocabulary import CATEGORY_CMI5, CATEGORY_MOVEON, LaunchMode, Verb

COURSE = parse_course_structure((Path(__file__).parent / "cmi5_au" / "cmi5.xml").read_bytes())
QUIZ = COURSE.assignable_unit("https://courseforge.example/test/cmi5/au/quiz")
LEARNER = Learner("https://lms.example", "l-1")
NOW = datetime(2024, 1, 1, tzinfo=UTC)
SESSION = LaunchSession(uuid.UUID(int=1), uuid.UUID(int=2), LEARNER, COURSE, QUIZ, LaunchMode.NORMAL,
                        "http://127.0.0.1/au", NOW)
STARTED = SessionRecord(SESSION, initialized=True, verbs=frozenset({Verb.INITIALIZED}))


def statement(verb: Verb | str, result: dict[str, Any] | None = None, *, moveon: bool = False) -> dict[str, Any]:
    context = copy.deepcopy(context_template(SESSION))
    context["registration"] = str(SESSION.registration)
    context["contextActivities"]["category"] = [{"id": CATEGORY_CMI5}] + ([{"id": CATEGORY_MOVEON}] if moveon else [])
    made: dict[str, Any] = {"id": str(uuid.uuid4()), "actor": LEARNER.actor(), "verb": {"id": str(verb)},
                            "object": {"id": SESSION.activity_id}, "context": context}
    if result is not None:
        made["result"] = result
    return made


def rule_of(record: SessionRecord, made: dict[str, Any]) -> str:
    verdict = judge(record, AuRecord(), made, now=NOW)
    return verdict.rule if isinstance(verdict, Rejection) else "accepted"


def mutated(made: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(made)
    *parents, last = path.split(".")
    target = changed
    for key in parents:
        target = target[key]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return changed


DONE = statement(Verb.COMPLETED, {"completion": True, "duration": "PT1S"}, moveon=True)


@pytest.mark.parametrize(("made", "rule"), [
    (DONE, "accepted"),
    (mutated(DONE, "context.registration", str(uuid.uuid4())), "cmi5.registration-mismatch"),
    (mutated(DONE, "context.registration", None), "cmi5.registration-missing"),
    (mutated(DONE, "context.contextActivities.grouping", []), "cmi5.context-template"),
    (mutated(DONE, "actor", {"objectType": "Agent", "mbox": "mailto:x@example.org"}), "cmi5.actor-mismatch"),
    (mutated(DONE, "result.completion", False), "cmi5.completion"),
    (mutated(DONE, "verb.id", "http://adlnet.gov/expapi/verbs/experienced"), "cmi5.verb-not-defined"),
    (statement(Verb.TERMINATED, {"duration": "PT1S"}, moveon=True), "cmi5.moveon-category"),
    (statement(Verb.TERMINATED, {"duration": "PT1S", "success": True}), "cmi5.success"),
    (statement(Verb.PASSED, {"success": True, "duration": "PT1S", "score": {"scaled": 0.8}}, moveon=True),
     "accepted"),
])
def test_identity_and_result_rules(made: dict[str, Any], rule: str) -> None:
    assert rule_of(STARTED, made) == rule


def test_accepted_statements_update_session_and_registration() -> None:
    verdict = judge(STARTED, AuRecord(), DONE, now=NOW)
    assert isinstance(verdict, Accepted)
    assert verdict.defined_verb is Verb.COMPLETED and verdict.au == AuRecord(completed=True)
    assert verdict.session.verbs == {Verb.INITIALIZED, Verb.COMPLETED} and verdict.session.last_statement_at == NOW


def test_replay_skips_what_strict_mode_would_refuse_and_counts_the_rest() -> None:
    initialized = statement(Verb.INITIALIZED)
    terminated = statement(Verb.TERMINATED, {"duration": "PT3S"})
    late = statement(Verb.PASSED, {"success": True, "duration": "PT1S"}, moveon=True)
    ledger = replay(COURSE, [SESSION], [initialized, DONE, terminated, late])
    record = ledger.sessions[SESSION.session_id]
    assert record.terminated and not record.open
    assert ledger.aus[QUIZ.id] == AuRecord(completed=True)  # the passed after terminated does not count
    assert ledger.progress()[QUIZ.id].completed and not ledger.progress()[QUIZ.id].passed
