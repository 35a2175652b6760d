"""The xAPI 1.0.3 statement validator, judged against the spec and against Learning Locker's validator.

Every invalid statement is the valid BASE with exactly one mutation, and asserts the exact reason. Every
valid statement must also pass the independent ``@learninglocker/xapi-validation`` (one node process for
the whole table); where the two disagree on the invalid table, the difference must be one listed, with its
reason from the spec, in LEARNING_LOCKER_ACCEPTS.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from courseforge.lms.lrs.validation import (
    InvalidStatement,
    check_agent,
    check_duration,
    check_iri,
    check_language_map,
    check_statement,
    check_timestamp,
    check_uuid,
    parse_timestamp,
)

ROOT = Path(__file__).resolve().parents[2]
NODE_JUDGE = Path(__file__).parent / "clients" / "validate.mjs"

UUID_A = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
UUID_B = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"
SHA256 = "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
LEARNER = {"objectType": "Agent", "name": "Ada Learner", "mbox": "mailto:ada@example.com"}

BASE: dict[str, Any] = {
    "id": UUID_A,
    "actor": LEARNER,
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered", "de": "beantwortet"}},
    "object": {
        "objectType": "Activity",
        "id": "http://example.com/quiz/q1",
        "definition": {
            "name": {"en-US": "Question 1"},
            "description": {"en-US": "Which games are examples?"},
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "moreInfo": "https://example.com/quiz/q1.html",
            "interactionType": "choice",
            "correctResponsesPattern": ["golf[,]tetris"],
            "choices": [
                {"id": "golf", "description": {"en-US": "Golf"}},
                {"id": "tetris", "description": {"en-US": "Tetris"}},
            ],
            "extensions": {"http://example.com/xapi/difficulty": 3},
        },
    },
    "result": {
        "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
        "success": True,
        "completion": True,
        "response": "golf[,]tetris",
        "duration": "PT1M30.5S",
        "extensions": {"http://example.com/xapi/attempt": 1},
    },
    "context": {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "instructor": {"objectType": "Agent", "account": {"homePage": "https://lms.example.com", "name": "t-7"}},
        "team": {"objectType": "Group", "name": "Team A", "mbox": "mailto:team-a@example.com"},
        "contextActivities": {
            "parent": [{"id": "http://example.com/quiz"}],
            "grouping": [{"id": "http://example.com/course"}],
            "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}],
            "other": [{"id": "http://example.com/glossary"}],
        },
        "revision": "r2",
        "platform": "courseforge",
        "language": "en-US",
        "statement": {"objectType": "StatementRef", "id": UUID_B},
        "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": "s-1"},
    },
    "timestamp": "2015-11-18T12:17:00.123+00:00",
    "version": "1.0.0",
    "attachments": [
        {
            "usageType": "http://example.com/attachment-usage/certificate",
            "display": {"en-US": "Certificate"},
            "description": {"en-US": "The completion certificate"},
            "contentType": "application/pdf",
            "length": 12345,
            "sha2": SHA256,
            "fileUrl": "https://example.com/certificates/1.pdf",
        }
    ],
}

# ---------------------------------------------------------------------------------------------- mutations

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_DELETE = object()


def _steps(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in _STEP.findall(path)]


def _mutated(path: str, value: object = _DELETE, rename: str | None = None) -> Callable[[], object]:
    """BASE with one change at ``path`` ("" is the whole statement): set, delete or rename a key."""

    def build() -> object:
        if not path:
            return copy.deepcopy(value)
        statement: Any = copy.deepcopy(BASE)
        *parents, last = _steps(path)
        holder = statement
        for step in parents:
            holder = holder[step]
        if rename is not None:
            holder[rename] = holder.pop(last)
        elif value is _DELETE:
            del holder[last]
        else:
            holder[last] = copy.deepcopy(value)
        return statement

    return build


def _sub(**changes: object) -> dict[str, object]:
    """A valid SubStatement, with changes (a key set to _DELETE is removed)."""
    sub: dict[str, object] = {
        "objectType": "SubStatement",
        "actor": LEARNER,
        "verb": {"id": "http://example.com/verbs/planned", "display": {"en": "planned"}},
        "object": {"id": "http://example.com/website"},
    }
    sub.update(changes)
    return {key: value for key, value in sub.items() if value is not _DELETE}


AGENT_B = {"objectType": "Agent", "mbox": "mailto:bo@example.com"}

INVALID: list[tuple[str, Callable[[], object], str]] = [
    # the statement itself
    ("statement-is-array", _mutated("", [BASE]), "statement: must be an object, not an array"),
    ("statement-unknown-property", _mutated("mood", "happy"), "statement.mood: unknown property"),
    (
        "statement-key-wrong-case",
        _mutated("actor", rename="Actor"),
        "statement.Actor: unknown property (did you mean 'actor'?",
    ),
    ("actor-missing", _mutated("actor"), "statement.actor: is required"),
    ("verb-missing", _mutated("verb"), "statement.verb: is required"),
    ("object-missing", _mutated("object"), "statement.object: is required"),
    ("id-not-uuid", _mutated("id", "not-a-uuid"), "statement.id: must be a UUID"),
    ("id-in-braces", _mutated("id", "{" + UUID_A + "}"), "statement.id: must be a UUID"),
    ("id-number", _mutated("id", 12), "statement.id: must be a string, not a number"),
    ("null-value", _mutated("result.response", None), "statement.result.response: must not be null"),
    # actor: Agent
    ("mbox-without-mailto", _mutated("actor.mbox", "ada@example.com"), "statement.actor.mbox: must be a 'mailto:' IRI"),
    (
        "mbox-two-at-signs",
        _mutated("actor.mbox", "mailto:ada@b@example.com"),
        "statement.actor.mbox: must be a 'mailto:'",
    ),
    ("mbox-empty-domain-label", _mutated("actor.mbox", "mailto:ada@example..com"), "statement.actor.mbox: must be a"),
    ("agent-without-ifi", _mutated("actor.mbox"), "statement.actor: an Agent must have exactly one inverse functional"),
    (
        "agent-two-ifis",
        _mutated("actor.openid", "http://ada.openid.example.org/"),
        "statement.actor: must have exactly one inverse functional identifier, not 2 (mbox, openid)",
    ),
    (
        "sha1sum-too-short",
        _mutated("actor", {"mbox_sha1sum": "ebd31e95054c"}),
        "statement.actor.mbox_sha1sum: must be a hex-encoded SHA-1 hash",
    ),
    (
        "openid-without-scheme",
        _mutated("actor", {"openid": "ada.openid.example.org"}),
        "statement.actor.openid: must be an absolute URI (it has no scheme)",
    ),
    (
        "account-without-homepage",
        _mutated("actor", {"account": {"name": "a"}}),
        "statement.actor.account.homePage: is required",
    ),
    (
        "account-homepage-relative",
        _mutated("actor", {"account": {"homePage": "www.example.com", "name": "a"}}),
        "statement.actor.account.homePage: must be an absolute IRL (it has no scheme)",
    ),
    (
        "account-name-number",
        _mutated("actor", {"account": {"homePage": "https://example.com", "name": 7}}),
        "statement.actor.account.name: must be a string",
    ),
    (
        "account-unknown-property",
        _mutated("actor", {"account": {"homePage": "https://example.com", "name": "a", "id": 1}}),
        "statement.actor.account.id: unknown property",
    ),
    ("agent-name-number", _mutated("actor.name", 7), "statement.actor.name: must be a string, not a number"),
    (
        "agent-objecttype-lowercase",
        _mutated("actor.objectType", "agent"),
        "statement.actor.objectType: must be 'Agent' or 'Group'",
    ),
    ("agent-unknown-property", _mutated("actor.age", 31), "statement.actor.age: unknown property"),
    # actor: Group
    (
        "anonymous-group-without-members",
        _mutated("actor", {"objectType": "Group", "name": "Team"}),
        "statement.actor: an anonymous Group (one without an inverse functional identifier) must have a 'member' list",
    ),
    (
        "anonymous-group-empty-members",
        _mutated("actor", {"objectType": "Group", "member": []}),
        "statement.actor.member: an anonymous Group must list at least one member",
    ),
    (
        "group-nested-in-group",
        _mutated(
            "actor",
            {
                "objectType": "Group",
                "mbox": "mailto:g@example.com",
                "member": [{"objectType": "Group", "member": [AGENT_B]}],
            },
        ),
        "statement.actor.member[0]: must be an Agent (Groups cannot be members of a Group)",
    ),
    (
        "group-member-without-ifi",
        _mutated("actor", {"objectType": "Group", "member": [{"name": "Bo"}]}),
        "statement.actor.member[0]: an Agent must have exactly one inverse functional identifier",
    ),
    (
        "group-without-objecttype",
        _mutated("actor", {"member": [AGENT_B]}),
        "statement.actor.objectType: is required for a Group",
    ),
    (
        "group-two-ifis",
        _mutated("actor", {"objectType": "Group", "mbox": "mailto:g@example.com", "openid": "http://g.example.org/"}),
        "statement.actor: must have exactly one inverse functional identifier, not 2",
    ),
    (
        "group-members-not-array",
        _mutated("actor", {"objectType": "Group", "member": AGENT_B}),
        "statement.actor.member: must be an array, not an object",
    ),
    # verb
    ("verb-id-missing", _mutated("verb.id"), "statement.verb.id: is required"),
    (
        "verb-id-without-scheme",
        _mutated("verb.id", "answered"),
        "statement.verb.id: must be an absolute IRI (it has no scheme)",
    ),
    (
        "verb-id-with-space",
        _mutated("verb.id", "http://example.com/my verb"),
        "statement.verb.id: must be an absolute IRI (character ' ' is not allowed)",
    ),
    ("verb-id-empty", _mutated("verb.id", ""), "statement.verb.id: must be an absolute IRI (it is empty)"),
    (
        "verb-id-bad-escape",
        _mutated("verb.id", "http://example.com/%zz"),
        "statement.verb.id: must be an absolute IRI ('%' must start",
    ),
    (
        "display-underscore-tag",
        _mutated("verb.display", {"en_US": "answered"}),
        "statement.verb.display: key 'en_US' is not an RFC 5646 language tag",
    ),
    (
        "display-subtag-too-long",
        _mutated("verb.display", {"en-abcdefghi": "x"}),
        "statement.verb.display: key 'en-abcdefghi' is not an RFC 5646",
    ),
    (
        "display-value-number",
        _mutated("verb.display", {"en-US": 5}),
        "statement.verb.display.en-US: must be a string, not a number",
    ),
    ("display-empty", _mutated("verb.display", {}), "statement.verb.display: must have at least one entry"),
    (
        "display-not-object",
        _mutated("verb.display", "answered"),
        "statement.verb.display: must be an object, not a string",
    ),
    ("verb-unknown-property", _mutated("verb.name", "answered"), "statement.verb.name: unknown property"),
    # object: Activity
    ("activity-id-missing", _mutated("object.id"), "statement.object.id: is required"),
    (
        "activity-id-relative",
        _mutated("object.id", "/quiz/q1"),
        "statement.object.id: must be an absolute IRI (it has no scheme)",
    ),
    (
        "activity-id-fragment",
        _mutated("object.id", "#q1"),
        "statement.object.id: must be an absolute IRI (it has no scheme)",
    ),
    (
        "object-type-unknown",
        _mutated("object.objectType", "Thing"),
        "statement.object.objectType: must be 'Activity', 'Agent', 'Group'",
    ),
    (
        "object-type-lowercase",
        _mutated("object.objectType", "activity"),
        "statement.object.objectType: must be 'Activity', 'Agent'",
    ),
    (
        "object-agent-without-objecttype",
        _mutated("object", {"mbox": "mailto:bo@example.com"}),
        "statement.object.objectType: is required when the object is an Agent or Group",
    ),
    (
        "definition-unknown-property",
        _mutated("object.definition.title", {"en": "x"}),
        "statement.object.definition.title: unknown property",
    ),
    (
        "definition-name-bad-tag",
        _mutated("object.definition.name", {"e": "x"}),
        "statement.object.definition.name: key 'e' is not an RFC 5646",
    ),
    (
        "definition-type-not-iri",
        _mutated("object.definition.type", "cmi.interaction"),
        "statement.object.definition.type: must be an absolute IRI",
    ),
    (
        "definition-moreinfo-not-irl",
        _mutated("object.definition.moreInfo", "example.com/q1"),
        "statement.object.definition.moreInfo: must be an absolute IRL",
    ),
    (
        "interaction-type-unknown",
        _mutated("object.definition.interactionType", "multiple-choice"),
        "statement.object.definition.interactionType: must be one of 'true-false'",
    ),
    (
        "interaction-type-wrong-case",
        _mutated("object.definition.interactionType", "Choice"),
        "statement.object.definition.interactionType: must be one of",
    ),
    (
        "patterns-not-array",
        _mutated("object.definition.correctResponsesPattern", "golf"),
        "statement.object.definition.correctResponsesPattern: must be an array, not a string",
    ),
    (
        "pattern-number",
        _mutated("object.definition.correctResponsesPattern", [1]),
        "statement.object.definition.correctResponsesPattern[0]: must be a string, not a number",
    ),
    (
        "patterns-without-interaction-type",
        _mutated("object.definition.interactionType"),
        "statement.object.definition.correctResponsesPattern: is only allowed with an interactionType",
    ),
    (
        "component-list-not-for-type",
        _mutated("object.definition.scale", [{"id": "1"}]),
        "statement.object.definition.scale: is not allowed for interactionType 'choice'",
    ),
    (
        "choice-ids-repeat",
        _mutated("object.definition.choices[1].id", "golf"),
        "statement.object.definition.choices[1].id: repeats the id 'golf'",
    ),
    (
        "choice-id-missing",
        _mutated("object.definition.choices[0].id"),
        "statement.object.definition.choices[0].id: is required",
    ),
    (
        "choice-id-number",
        _mutated("object.definition.choices[0].id", 1),
        "statement.object.definition.choices[0].id: must be a string",
    ),
    (
        "choice-unknown-property",
        _mutated("object.definition.choices[0].correct", True),
        "statement.object.definition.choices[0].correct: unknown property",
    ),
    (
        "choice-description-null",
        _mutated("object.definition.choices[0].description", {"en-US": None}),
        "statement.object.definition.choices[0].description.en-US: must not be null",
    ),
    (
        "choices-not-array",
        _mutated("object.definition.choices", {"id": "golf"}),
        "statement.object.definition.choices: must be an array",
    ),
    (
        "definition-extension-key-not-iri",
        _mutated("object.definition.extensions", {"difficulty": 3}),
        "statement.object.definition.extensions: key 'difficulty' must be an absolute IRI",
    ),
    # object: StatementRef, SubStatement; voiding
    (
        "statementref-bad-id",
        _mutated("object", {"objectType": "StatementRef", "id": "123"}),
        "statement.object.id: must be a UUID",
    ),
    (
        "statementref-unknown-property",
        _mutated("object", {"objectType": "StatementRef", "id": UUID_B, "definition": {}}),
        "statement.object.definition: unknown property",
    ),
    (
        "substatement-with-id",
        _mutated("object", _sub(id=UUID_B)),
        "statement.object.id: is not allowed in a SubStatement",
    ),
    (
        "substatement-with-stored",
        _mutated("object", _sub(stored="2015-11-18T12:17:00Z")),
        "statement.object.stored: is not allowed in a SubStatement",
    ),
    (
        "substatement-with-version",
        _mutated("object", _sub(version="1.0.0")),
        "statement.object.version: is not allowed in a SubStatement",
    ),
    (
        "substatement-with-authority",
        _mutated("object", _sub(authority=AGENT_B)),
        "statement.object.authority: is not allowed in a SubStatement",
    ),
    (
        "substatement-nested",
        _mutated("object", _sub(object=_sub())),
        "statement.object.object.objectType: a SubStatement must not contain another SubStatement",
    ),
    ("substatement-without-verb", _mutated("object", _sub(verb=_DELETE)), "statement.object.verb: is required"),
    (
        "substatement-bad-actor",
        _mutated("object", _sub(actor={"mbox": "bo@example.com"})),
        "statement.object.actor.mbox: must be a 'mailto:' IRI",
    ),
    ("substatement-unknown-property", _mutated("object", _sub(score=1)), "statement.object.score: unknown property"),
    (
        "voiding-an-activity",
        _mutated("verb.id", VOIDED),
        f"statement.object: a voiding statement (verb '{VOIDED}') must have a StatementRef object",
    ),
    # result
    (
        "scaled-above-one",
        _mutated("result.score.scaled", 1.5),
        "statement.result.score.scaled: must be between -1 and 1",
    ),
    (
        "scaled-below-minus-one",
        _mutated("result.score.scaled", -1.01),
        "statement.result.score.scaled: must be between -1 and 1",
    ),
    (
        "scaled-string",
        _mutated("result.score.scaled", "0.5"),
        "statement.result.score.scaled: must be a number, not a string",
    ),
    ("raw-below-min", _mutated("result.score.raw", -1), "statement.result.score.raw: must not be less than min"),
    ("raw-above-max", _mutated("result.score.raw", 11), "statement.result.score.raw: must not be greater than max"),
    ("min-above-max", _mutated("result.score.min", 20), "statement.result.score.min: must not be greater than max"),
    (
        "score-unknown-property",
        _mutated("result.score.percent", 50),
        "statement.result.score.percent: unknown property",
    ),
    ("success-string", _mutated("result.success", "true"), "statement.result.success: must be a boolean, not a string"),
    (
        "completion-number",
        _mutated("result.completion", 1),
        "statement.result.completion: must be a boolean, not a number",
    ),
    ("response-number", _mutated("result.response", 5), "statement.result.response: must be a string, not a number"),
    (
        "duration-words",
        _mutated("result.duration", "90 seconds"),
        "statement.result.duration: must be an ISO 8601 duration",
    ),
    (
        "duration-weeks-and-days",
        _mutated("result.duration", "P4W1D"),
        "statement.result.duration: must be an ISO 8601 duration",
    ),
    (
        "duration-empty-time",
        _mutated("result.duration", "PT"),
        "statement.result.duration: must be an ISO 8601 duration",
    ),
    (
        "duration-no-components",
        _mutated("result.duration", "P"),
        "statement.result.duration: must be an ISO 8601 duration",
    ),
    (
        "duration-fraction-not-last",
        _mutated("result.duration", "PT1.5H30M"),
        "statement.result.duration: may have a decimal fraction only in its last",
    ),
    ("duration-number", _mutated("result.duration", 90), "statement.result.duration: must be a string, not a number"),
    (
        "result-extension-key-not-iri",
        _mutated("result.extensions", {"attempt": 1}),
        "statement.result.extensions: key 'attempt' must be an absolute IRI",
    ),
    ("result-unknown-property", _mutated("result.passed", True), "statement.result.passed: unknown property"),
    # context
    (
        "registration-not-uuid",
        _mutated("context.registration", "reg-1"),
        "statement.context.registration: must be a UUID",
    ),
    (
        "instructor-without-ifi",
        _mutated("context.instructor", {"name": "Teacher"}),
        "statement.context.instructor: an Agent must have exactly one",
    ),
    ("team-is-agent", _mutated("context.team", AGENT_B), "statement.context.team.objectType: must be 'Group'"),
    (
        "context-activities-unknown-kind",
        _mutated("context.contextActivities.sibling", []),
        "statement.context.contextActivities.sibling: unknown property",
    ),
    (
        "context-activity-is-string",
        _mutated("context.contextActivities.parent", "http://example.com/quiz"),
        "statement.context.contextActivities.parent: must be an Activity or an array of Activities",
    ),
    (
        "context-activity-without-id",
        _mutated("context.contextActivities.parent", [{"objectType": "Activity"}]),
        "statement.context.contextActivities.parent[0].id: is required",
    ),
    (
        "context-activity-is-agent",
        _mutated("context.contextActivities.grouping", [AGENT_B]),
        "statement.context.contextActivities.grouping[0].objectType: must be 'Activity'",
    ),
    (
        "revision-with-statementref-object",
        _mutated("object", {"objectType": "StatementRef", "id": UUID_B}),
        "statement.context.revision: is only allowed when the statement's object is an Activity",
    ),
    (
        "revision-with-agent-object",
        _mutated("object", AGENT_B),
        "statement.context.revision: is only allowed when the statement's object is an Activity",
    ),
    ("revision-number", _mutated("context.revision", 2), "statement.context.revision: must be a string, not a number"),
    (
        "context-language-underscore",
        _mutated("context.language", "en_US"),
        "statement.context.language: must be a language tag",
    ),
    (
        "context-statement-without-objecttype",
        _mutated("context.statement", {"id": UUID_B}),
        "statement.context.statement.objectType: must be 'StatementRef'",
    ),
    (
        "context-extension-key-not-iri",
        _mutated("context.extensions", {"sessionid": "s-1"}),
        "statement.context.extensions: key 'sessionid' must be an absolute IRI",
    ),
    ("context-unknown-property", _mutated("context.course", "x"), "statement.context.course: unknown property"),
    # timestamp, stored, authority, version
    (
        "timestamp-date-only",
        _mutated("timestamp", "2015-11-18"),
        "statement.timestamp: must be an ISO 8601 date and time with a time zone",
    ),
    (
        "timestamp-without-offset",
        _mutated("timestamp", "2015-11-18T12:17:00"),
        "statement.timestamp: must be an ISO 8601 date and time with a time zone",
    ),
    (
        "timestamp-negative-zero-offset",
        _mutated("timestamp", "2015-11-18T12:17:00-00:00"),
        "statement.timestamp: must not use the offset -00:00",
    ),
    (
        "timestamp-month-13",
        _mutated("timestamp", "2015-13-18T12:17:00Z"),
        "statement.timestamp: is not a real date and time",
    ),
    (
        "timestamp-february-30",
        _mutated("timestamp", "2015-02-30T12:17:00Z"),
        "statement.timestamp: is not a real date and time",
    ),
    ("timestamp-number", _mutated("timestamp", 1447849020), "statement.timestamp: must be a string, not a number"),
    ("stored-not-timestamp", _mutated("stored", "yesterday"), "statement.stored: must be an ISO 8601 date and time"),
    (
        "authority-without-ifi",
        _mutated("authority", {"name": "LRS"}),
        "statement.authority: an Agent must have exactly one",
    ),
    (
        "authority-group-of-three",
        _mutated("authority", {"objectType": "Group", "member": [AGENT_B, LEARNER, {"mbox": "mailto:c@example.com"}]}),
        "statement.authority.member: an authority Group must have exactly two Agents",
    ),
    ("version-1.1", _mutated("version", "1.1.0"), "statement.version: must be '1.0' or a 1.0.x version"),
    ("version-0.95", _mutated("version", "0.95"), "statement.version: must be '1.0' or a 1.0.x version"),
    ("version-number", _mutated("version", 1.0), "statement.version: must be a string, not a number"),
    # attachments
    ("attachments-not-array", _mutated("attachments", {}), "statement.attachments: must be an array, not an object"),
    (
        "attachment-without-usagetype",
        _mutated("attachments[0].usageType"),
        "statement.attachments[0].usageType: is required",
    ),
    (
        "attachment-usagetype-not-iri",
        _mutated("attachments[0].usageType", "certificate"),
        "statement.attachments[0].usageType: must be an absolute IRI",
    ),
    ("attachment-without-display", _mutated("attachments[0].display"), "statement.attachments[0].display: is required"),
    (
        "attachment-length-string",
        _mutated("attachments[0].length", "12345"),
        "statement.attachments[0].length: must be an integer, not a string",
    ),
    (
        "attachment-length-fraction",
        _mutated("attachments[0].length", 12.5),
        "statement.attachments[0].length: must be an integer",
    ),
    (
        "attachment-length-negative",
        _mutated("attachments[0].length", -1),
        "statement.attachments[0].length: must not be negative",
    ),
    (
        "attachment-sha2-number",
        _mutated("attachments[0].sha2", 5),
        "statement.attachments[0].sha2: must be a string, not a number",
    ),
    (
        "attachment-sha2-not-hex",
        _mutated("attachments[0].sha2", "not-a-hash"),
        "statement.attachments[0].sha2: must be a hex-encoded SHA-2 hash",
    ),
    (
        "attachment-content-type-bare",
        _mutated("attachments[0].contentType", "pdf"),
        "statement.attachments[0].contentType: must be an Internet Media Type",
    ),
    (
        "attachment-fileurl-relative",
        _mutated("attachments[0].fileUrl", "certificates/1.pdf"),
        "statement.attachments[0].fileUrl: must be an absolute IRL",
    ),
    (
        "attachment-description-empty",
        _mutated("attachments[0].description", {}),
        "statement.attachments[0].description: must have at least one entry",
    ),
    (
        "attachment-unknown-property",
        _mutated("attachments[0].name", "cert"),
        "statement.attachments[0].name: unknown property",
    ),
    (
        "signature-not-octet-stream",
        _mutated("attachments[0].usageType", SIGNATURE),
        "statement.attachments[0].contentType: must be 'application/octet-stream' for a signature attachment",
    ),
]

LEARNING_LOCKER_ACCEPTS: dict[str, str] = {
    "id-in-braces": "2.4.1.s1: a UUID MUST be in standard string form, which has no braces",
    "sha1sum-too-short": "2.4.2.3: mbox_sha1sum is the hex SHA-1 of a mailto IRI, always 40 hex digits",
    "mbox-empty-domain-label": "2.4.2.3: mbox is 'mailto:' plus an email address; 'example..com' is no domain",
    "group-nested-in-group": "2.4.2.2.s4.b2/s5.b2: a Group MUST NOT contain Group Objects in 'member'",
    "verb-id-with-space": "2.2.s3.b1: IRIs MUST be valid (RFC 3987 has no spaces); LL only checks for a scheme",
    "verb-id-bad-escape": "2.2.s3.b1: IRIs MUST be valid; '%' must begin a two-digit escape (RFC 3987)",
    "choice-ids-repeat": "2.4.4.1.s16.b1: within an array of interaction components, all id values MUST be distinct",
    "context-statement-without-objecttype": "2.4.4.3.s4.b1: a Statement Reference MUST have objectType 'StatementRef'",
    "timestamp-date-only": "4.5: a Timestamp represents a specific time (date and time); LL also takes a date alone",
    "timestamp-february-30": "4.5.s1.b1: the Timestamp MUST be an ISO 8601 date and time; 2015-02-30 is no date",
    "display-empty": "ADL conformance (languages.js): a Language Map has at least 1 entry, so {} is a 400",
    "attachment-description-empty": "ADL conformance (languages.js): an empty attachment description map is a 400",
    "attachment-length-negative": "2.4.11: length is the attachment's size in octets, never negative",
    "attachment-sha2-not-hex": "2.4.11, Part Three 1.5.2: sha2 is the SHA-2 hash that parts are matched by",
}
"""Invalid-table entries Learning Locker's validator lets through, each with the spec rule it misses."""

# ------------------------------------------------------------------------------------------- valid table


def _with(**changes: object) -> dict[str, Any]:
    """BASE with top-level properties replaced (a value of _DELETE removes the property)."""
    statement = copy.deepcopy(BASE)
    statement.update(copy.deepcopy(changes))
    return {key: value for key, value in statement.items() if value is not _DELETE}


def _interaction(interaction_type: str, patterns: list[str], **lists: list[dict[str, Any]]) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "description": {"en-US": f"A {interaction_type} question"},
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "interactionType": interaction_type,
        "correctResponsesPattern": patterns,
        **lists,
    }
    return _with(
        object={"objectType": "Activity", "id": f"http://example.com/q/{interaction_type}", "definition": definition}
    )


def _components(*ids: str) -> list[dict[str, Any]]:
    return [{"id": item, "description": {"en-US": item.title()}} for item in ids]


MINIMAL = {
    "actor": {"mbox": "mailto:xapi@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/created"},
    "object": {"id": "http://example.com/activity"},
}
CONTEXT_FOR_NON_ACTIVITY = {key: value for key, value in BASE["context"].items() if key not in ("revision", "platform")}
"""BASE's context without revision and platform, which only an Activity object allows (2.4.6.s4)."""

VALID: list[tuple[str, dict[str, Any]]] = [
    ("base", copy.deepcopy(BASE)),
    ("minimal", MINIMAL),
    ("true-false", _interaction("true-false", ["true"])),
    ("choice", _interaction("choice", ["golf[,]tetris"], choices=_components("golf", "tetris", "chess"))),
    ("fill-in", _interaction("fill-in", ["Bob's your uncle"])),
    ("long-fill-in", _interaction("long-fill-in", ["{case_matters=false}{lang=en}To store learning records."])),
    ("likert", _interaction("likert", ["likert_3"], scale=_components("likert_0", "likert_1", "likert_3"))),
    (
        "matching",
        _interaction(
            "matching", ["ben[.]3[,]chris[.]2"], source=_components("ben", "chris"), target=_components("2", "3")
        ),
    ),
    ("performance", _interaction("performance", ["pong[.]1:[,]dg[.]:10"], steps=_components("pong", "dg"))),
    ("sequencing", _interaction("sequencing", ["tim[,]mike[,]ells"], choices=_components("tim", "mike", "ells"))),
    ("numeric", _interaction("numeric", ["4[:]"])),
    ("other", _interaction("other", ["(35.937432,-86.868896)"])),
    ("nothing-correct-and-empty-lists", _interaction("choice", [], choices=[])),
    (
        "activity-without-objecttype",
        _with(object={"id": "http://example.com/activity", "definition": {"name": {"es-419": "actividad"}}}),
    ),
    (
        "identified-group-actor",
        _with(
            actor={
                "objectType": "Group",
                "name": "Team PB",
                "mbox": "mailto:teampb@example.com",
                "member": [
                    {
                        "name": "Andrew",
                        "account": {"homePage": "http://www.example.com", "name": "13936749"},
                        "objectType": "Agent",
                    },
                    {"openid": "http://toby.openid.example.org/"},
                    {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9", "objectType": "Agent"},
                ],
            }
        ),
    ),
    ("anonymous-group-actor", _with(actor={"objectType": "Group", "member": [LEARNER, AGENT_B]})),
    (
        "identified-group-without-members",
        _with(actor={"objectType": "Group", "account": {"homePage": "https://lms.example.com", "name": "cohort-4"}}),
    ),
    ("agent-object", _with(object=AGENT_B, context=CONTEXT_FOR_NON_ACTIVITY)),
    (
        "group-object",
        _with(
            object={"objectType": "Group", "openid": "https://group.example.org/", "member": [AGENT_B]},
            context=CONTEXT_FOR_NON_ACTIVITY,
        ),
    ),
    (
        "statementref-object",
        _with(object={"objectType": "StatementRef", "id": UUID_B}, context=CONTEXT_FOR_NON_ACTIVITY),
    ),
    (
        "substatement-object",
        _with(
            object=_sub(
                object={"objectType": "StatementRef", "id": UUID_B},
                result={"response": "Nice work", "score": {"raw": 3}},
                context={"registration": UUID_B, "language": "tlh"},
                timestamp="2030-01-01T00:00:00Z",
            ),
            context=CONTEXT_FOR_NON_ACTIVITY,
        ),
    ),
    ("substatement-with-activity", _with(object=_sub(), context=CONTEXT_FOR_NON_ACTIVITY)),
    (
        "voiding",
        {
            "actor": {"objectType": "Agent", "name": "Example Admin", "mbox": "mailto:admin@example.com"},
            "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": "e05aa883-acaf-40ad-bf54-02c8ce485fb0"},
        },
    ),
    (
        "attachment-sent-as-part",
        _with(
            attachments=[
                {
                    "usageType": "http://example.com/attachment-usage/test",
                    "display": {"en-US": "A test attachment"},
                    "contentType": "text/plain; charset=ascii",
                    "length": 27,
                    "sha2": SHA256,
                }
            ]
        ),
    ),
    (
        "signed",
        _with(
            attachments=[
                {
                    "usageType": SIGNATURE,
                    "display": {"en-US": "Signature"},
                    "description": {"en-US": "A test signature"},
                    "contentType": "application/octet-stream",
                    "length": 4235,
                    "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634",
                }
            ]
        ),
    ),
    (
        "extensions-hold-anything",
        _with(
            result={
                "extensions": {
                    "http://example.com/xapi/null": None,
                    "http://example.com/xapi/deep": {"a": [1, {"b": None, "Unknown Key": True}]},
                    "urn:example:progress": 42,
                }
            }
        ),
    ),
    (
        "lrs-set-properties",
        _with(
            stored="2015-11-18T12:17:01.000Z",
            authority={
                "objectType": "Agent",
                "account": {"homePage": "http://cloud.example.com/", "name": "anonymous"},
            },
        ),
    ),
    (
        "three-legged-oauth-authority",
        _with(
            authority={
                "objectType": "Group",
                "member": [
                    {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
                    {"mbox": "mailto:bob@example.com"},
                ],
            }
        ),
    ),
    ("anonymous-group-instructor", _with(context={"instructor": {"objectType": "Group", "member": [AGENT_B]}})),
    ("timestamp-without-fraction", _with(timestamp="2015-11-18T12:17:00Z")),
    ("timestamp-with-offsets", _with(timestamp="2015-11-18T17:47:00.5+05:30", stored="2015-11-18T04:17:00-08:00")),
    ("timestamp-hour-offset", _with(timestamp="2015-11-18T13:17:00.123456789+01")),
    ("version-patch", _with(version="1.0.3")),
    ("version-1.0", _with(version="1.0")),
    ("timestamp-basic-format", _with(timestamp="20151118T121700Z", stored="20151118T131700+0100")),
    ("uppercase-uuids", _with(id=UUID_A.upper(), context={"registration": UUID_B.upper()})),
    ("durations", _with(result={"duration": "P3Y1M29DT4H35M59.14S"})),
    ("duration-weeks", _with(result={"duration": "P4W", "score": {"raw": 10, "min": 10, "max": 10}})),
    (
        "language-tags",
        _with(
            verb={
                "id": "http://example.com/verbs/read",
                "display": {
                    "zh-Hant-TW": "讀",
                    "sr-Latn-RS": "čitao",
                    "de-CH-1901": "gelesen",
                    "en-US-x-twain": "read",
                    "x-klingon": "laD",
                    "i-klingon": "laD",
                },
            }
        ),
    ),
    (
        "unicode-iri-and-plus-address",
        _with(actor={"mbox": "mailto:first.last+tag@sub.example.co.uk"}, verb={"id": "http://example.com/فعل/خواندن"}),
    ),
    ("urn-iris", _with(verb={"id": "urn:x-example:verbs:read"}, object={"id": "tag:example.com,2024:activity/1"})),
    ("raw-only-negative", _with(result={"score": {"raw": -3.5, "scaled": -1}})),
]

LEARNING_LOCKER_REJECTS: list[tuple[str, dict[str, Any], str]] = [
    (
        "long-context-language",
        _with(context={"language": "supercalifragilisticexpialidociouswhatabouthhhhhhh1"}),
        "ADL conformance XAPI-00013 expects a 51-character context.language to be accepted (200)",
    ),
    (
        "single-context-activity",
        _with(context={"contextActivities": {"parent": {"id": "http://example.com/quiz"}, "other": []}}),
        "2.4.6.2.s4.b2: every contextActivities value MUST be a single Activity Object or an array of them",
    ),
]
"""Statements xAPI 1.0.3 allows that Learning Locker's validator rejects, with the spec rule (kept out of VALID)."""

# ------------------------------------------------------------------------------------ the two judges


def _reason(statement: object) -> str | None:
    try:
        check_statement(statement)
    except InvalidStatement as error:
        return error.reason
    return None


@pytest.fixture(scope="module")
def learning_locker() -> dict[str, dict[str, Any]]:
    """Learning Locker's verdict on every valid and invalid statement, from one node process."""
    node = shutil.which("node")
    assert node is not None, "node is needed for the Learning Locker cross-check"
    named = [(f"valid:{name}", statement) for name, statement in VALID]
    named += [(f"invalid:{name}", build()) for name, build, _ in INVALID]
    named += [(f"disputed:{name}", statement) for name, statement, _ in LEARNING_LOCKER_REJECTS]
    completed = subprocess.run(
        [node, str(NODE_JUDGE)],
        input=json.dumps([statement for _, statement in named]),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    verdicts = json.loads(completed.stdout)
    assert len(verdicts) == len(named)
    return {name: verdict for (name, _), verdict in zip(named, verdicts, strict=True)}


def test_the_invalid_table_is_large_and_distinct() -> None:
    names = [name for name, _, _ in INVALID]
    assert len(names) >= 70
    assert len(set(names)) == len(names)
    assert set(LEARNING_LOCKER_ACCEPTS) <= set(names)


def test_the_base_statement_is_valid() -> None:
    assert _reason(copy.deepcopy(BASE)) is None


@pytest.mark.parametrize(("build", "reason"), [pytest.param(b, r, id=n) for n, b, r in INVALID])
def test_invalid_statement_is_rejected_with_its_reason(build: Callable[[], object], reason: str) -> None:
    statement = build()
    assert json.dumps(statement, sort_keys=True) != json.dumps(BASE, sort_keys=True)  # 1 == True in Python
    got = _reason(statement)
    assert got is not None, "accepted"
    assert got.startswith(reason), got


@pytest.mark.parametrize("statement", [pytest.param(s, id=n) for n, s in VALID])
def test_valid_statement_is_accepted(statement: dict[str, Any]) -> None:
    assert _reason(statement) is None


def test_learning_locker_accepts_every_valid_statement(learning_locker: dict[str, dict[str, Any]]) -> None:
    rejected = {
        name: v["warnings"] for name, v in learning_locker.items() if name.startswith("valid:") and not v["valid"]
    }
    assert rejected == {}


@pytest.mark.parametrize("statement", [pytest.param(s, id=n) for n, s, _ in LEARNING_LOCKER_REJECTS])
def test_spec_valid_statements_that_learning_locker_rejects_are_accepted(statement: dict[str, Any]) -> None:
    assert _reason(statement) is None


def test_learning_locker_rejects_only_the_documented_valid_statements(
    learning_locker: dict[str, dict[str, Any]],
) -> None:
    rejected = {
        name.removeprefix("disputed:")
        for name, v in learning_locker.items()
        if name.startswith("disputed:") and not v["valid"]
    }
    assert rejected == {name for name, _, _ in LEARNING_LOCKER_REJECTS}


def test_learning_locker_differs_only_where_documented(learning_locker: dict[str, dict[str, Any]]) -> None:
    """Invalid-table entries Learning Locker accepts must be exactly the documented ones."""
    accepted = {
        name.removeprefix("invalid:")
        for name, v in learning_locker.items()
        if name.startswith("invalid:") and v["valid"]
    }
    assert accepted == set(LEARNING_LOCKER_ACCEPTS)


# ---------------------------------------------------------------------------- platform, agents, helpers


def test_platform_needs_an_activity_object() -> None:
    statement = _with(object=AGENT_B, context={"platform": "courseforge"})
    assert (
        _reason(statement) == "statement.context.platform: is only allowed when the statement's object is an Activity"
    )


def test_batch_members_can_name_their_index() -> None:
    with pytest.raises(InvalidStatement) as caught:
        check_statement(_with(version="2.0.0"), "statements[3]")
    assert caught.value.reason == "statements[3].version: must be '1.0' or a 1.0.x version such as '1.0.0'"
    assert str(caught.value) == caught.value.reason


@pytest.mark.parametrize(
    "agent",
    [
        {"mbox": "mailto:ada@example.com"},
        {"objectType": "Agent", "account": {"homePage": "https://lms.example.com", "name": "7"}},
        {"objectType": "Group", "mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
        {"objectType": "Group", "openid": "https://g.example.org/", "member": [AGENT_B]},
    ],
)
def test_agent_parameter_accepts_agents_and_identified_groups(agent: dict[str, Any]) -> None:
    check_agent(agent)


@pytest.mark.parametrize(
    ("agent", "reason"),
    [
        ({"objectType": "Group", "member": [AGENT_B]}, "agent: must be an Agent or an identified Group"),
        ({"name": "Ada"}, "agent: an Agent must have exactly one inverse functional identifier"),
        (
            {"mbox": "mailto:a@example.com", "account": {"homePage": "https://x.example", "name": "a"}},
            "agent: must have exactly one",
        ),
        ("mailto:a@example.com", "agent: must be an object, not a string"),
        ({"mbox": "mailto:a@example.com", "Name": "A"}, "agent.Name: unknown property (did you mean 'name'?"),
    ],
)
def test_agent_parameter_rejects(agent: object, reason: str) -> None:
    with pytest.raises(InvalidStatement) as caught:
        check_agent(agent)
    assert caught.value.reason.startswith(reason)


@pytest.mark.parametrize(
    "value",
    [
        "2015-11-18T12:17:00Z",
        "2015-11-18t12:17:00z",
        "2015-11-18T12:17Z",
        "2015-11-18T12:17:00,5+0530",
        "2016-02-29T00:00:00-12:00",
        "20151118T121700Z",
        "20151118T1217+01",
    ],
)
def test_timestamp_forms_accepted(value: str) -> None:
    check_timestamp(value, "since")


@pytest.mark.parametrize(
    "value",
    [
        "2015-11-18 12:17:00Z",
        "2015-11-18T24:00:00Z",
        "2015-11-18T12:17:00+24:00",
        "2015-11-18T12:17:00-0000",
        "2015-11-18T121700Z",
        "20151118T12:17:00Z",
        "",
    ],
)
def test_timestamp_forms_rejected(value: str) -> None:
    with pytest.raises(InvalidStatement, match=r"^since: "):
        check_timestamp(value, "since")


def test_parsed_timestamp_keeps_the_instant() -> None:
    assert parse_timestamp("2015-11-18T17:47:00.1234567+05:30", "t").isoformat() == "2015-11-18T17:47:00.123456+05:30"
    assert parse_timestamp("2015-11-18T12:17:00Z", "t") == parse_timestamp("2015-11-18T04:17:00-08:00", "t")


@pytest.mark.parametrize("value", ["PT0S", "P1Y", "P0.5Y", "P1DT12H", "PT4H35M59.14S", "PT1,5S", "P2W"])
def test_durations_accepted(value: str) -> None:
    check_duration(value, "d")


@pytest.mark.parametrize("value", ["1Y", "P1S", "PT1D", "-P1D", "P1.5W2D", "P1YT", "PT1H2H", "p1d"])
def test_durations_rejected(value: str) -> None:
    with pytest.raises(InvalidStatement):
        check_duration(value, "d")


@pytest.mark.parametrize(
    "value", ["urn:uuid:" + UUID_A, "mailto:a@example.com", "http://example.com/a%20b#frag", "x:y"]
)
def test_iris_accepted(value: str) -> None:
    check_iri(value, "verb")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, "verb: must not be null"),
        ("example.com", "(it has no scheme)"),
        ("1http://example.com", "(it has no scheme)"),
        ("http:", "(nothing follows the scheme)"),
        ("http://example.com/<a>", "(character '<' is not allowed)"),
        ("http://example.com/\ta", "(character '\\t' is not allowed)"),
    ],
)
def test_iris_rejected(value: object, problem: str) -> None:
    with pytest.raises(InvalidStatement) as caught:
        check_iri(value, "verb")
    assert problem in caught.value.reason


@pytest.mark.parametrize("value", [UUID_A, UUID_A.upper(), "00000000-0000-0000-0000-000000000000"])
def test_uuids_accepted(value: str) -> None:
    check_uuid(value, "registration")


@pytest.mark.parametrize(
    "value", [UUID_A.replace("-", ""), UUID_A + "0", "urn:uuid:" + UUID_A, UUID_A.replace("a", "g"), 7]
)
def test_uuids_rejected(value: object) -> None:
    with pytest.raises(InvalidStatement, match=r"^registration: must be"):
        check_uuid(value, "registration")


@pytest.mark.parametrize(
    "tag",
    [
        "en",
        "EN-us",
        "zh-yue-HK",
        "sgn-BE-FR",
        "es-419",
        "sl-rozaj-biske",
        "de-CH-1901",
        "en-a-bbb-x-a-ccc",
        "x-whatever",
        "en-GB-oed",
        "art-lojban",
        "tlh",
        "zh-cmn-Hans-CN",
        "hy-Latn-IT-arevela",
        "az-Arab-x-AZE-derbend",
        "i-enochian",
        "en-a-aaa-x-a-b",
    ],
)
def test_language_tags_accepted(tag: str) -> None:
    check_language_map({tag: "text"}, "display")


@pytest.mark.parametrize(
    "tag",
    [
        "",
        "e",
        "en-",
        "-en",
        "en--US",
        "en-US-",
        "abcdefghi",
        "en-a",
        "en-x",
        "a-DE",
        "en-a-b",
        "en-US-x-abcdefghi",
        "ｅｎ",
        "de-419-DE",
        "ar-a-aaa-b-bbb-a-ccc",
    ],
)
def test_language_tags_rejected(tag: str) -> None:
    with pytest.raises(InvalidStatement, match=r"^display: key .* is not an RFC 5646 language tag$"):
        check_language_map({tag: "text"}, "display")


def test_non_finite_scores_are_rejected() -> None:
    assert (
        _reason(_with(result={"score": {"raw": float("nan")}})) == "statement.result.score.raw: must be a finite number"
    )
    assert (
        _reason(_with(result={"score": {"max": float("inf")}})) == "statement.result.score.max: must be a finite number"
    )


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["actor", "verb", "object", "id", "mbox", "objectType", "member", "x"]), inner, max_size=5
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_hostile_input_only_ever_raises_invalid_statement(data: object) -> None:
    for check in (check_statement, check_agent):
        try:
            check(data)
        except InvalidStatement as error:
            assert error.reason


def test_validation_is_fast_enough_for_an_lrs() -> None:
    """A rich statement validates in well under a millisecond (the LRS validates thousands per second)."""
    statements = [copy.deepcopy(BASE) for _ in range(2000)]
    started = time.perf_counter()
    for statement in statements:
        check_statement(statement)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{len(statements) / elapsed:.0f} statements/s"
