"""The xAPI 1.0.3 statement validator: pure functions over parsed JSON, raising InvalidStatement.

Everything xAPI 1.0.3 rules out (Part Two, and the statement requirements of Part Three) is rejected with
one exact reason that starts with the JSON path of the offending value, so that the LRS can answer
``400 Bad Request`` with it. Unknown properties are rejected at every level except inside extensions
(2.2.s4.b8). The LRS-set properties ``stored`` and ``authority`` are accepted (and checked) because clients
may send them; the LRS then overwrites them.

Section numbers (``2.4.6.s4.b1``) are the anchors of xAPI-Data.md / xAPI-Communication.md (adlnet/xAPI-Spec).
The checks work on the data as it is: no copies, no normalisation, patterns compiled once at import.
"""

from __future__ import annotations

from typing import Final

from courseforge.lms.lrs.validation_activity import check_activity
from courseforge.lms.lrs.validation_actors import check_actor, check_authority, check_group, check_identified_actor
from courseforge.lms.lrs.validation_base import (
    InvalidStatement,
    fail,
    reject_unknown,
    require_array,
    require_boolean,
    require_integer,
    require_number,
    require_object,
    require_present,
    require_string,
)
from courseforge.lms.lrs.validation_formats import (
    check_context_language,
    check_duration,
    check_extensions,
    check_iri,
    check_irl,
    check_language_map,
    check_language_tag,
    check_media_type,
    check_sha2_hex,
    check_timestamp,
    check_uuid,
    check_version,
    parse_timestamp,
)

__all__ = [
    "InvalidStatement",
    "check_agent",
    "check_duration",
    "check_iri",
    "check_irl",
    "check_language_map",
    "check_language_tag",
    "check_statement",
    "check_timestamp",
    "check_uuid",
    "parse_timestamp",
]

VOIDED_VERB: Final = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE_TYPE: Final = "http://adlnet.gov/expapi/attachments/signature"

STATEMENT_KEYS: Final = frozenset(
    {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"}
)
NOT_IN_SUBSTATEMENT: Final = ("id", "stored", "version", "authority")
SUBSTATEMENT_KEYS: Final = (STATEMENT_KEYS - frozenset(NOT_IN_SUBSTATEMENT)) | {"objectType"}
VERB_KEYS: Final = frozenset({"id", "display"})
STATEMENT_REF_KEYS: Final = frozenset({"objectType", "id"})
RESULT_KEYS: Final = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
SCORE_KEYS: Final = frozenset({"scaled", "raw", "min", "max"})
CONTEXT_KEYS: Final = frozenset(
    {"registration", "instructor", "team", "contextActivities", "revision", "platform", "language", "statement"}
) | {"extensions"}
CONTEXT_ACTIVITY_KEYS: Final = frozenset({"parent", "grouping", "category", "other"})
ATTACHMENT_KEYS: Final = frozenset({"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"})
OBJECT_TYPES_TEXT: Final = "'Activity', 'Agent', 'Group', 'StatementRef' or 'SubStatement'"


def check_statement(data: object, where: str = "statement") -> None:
    """A Statement as a client may send it (``stored`` and ``authority`` allowed); raises InvalidStatement."""
    statement = require_object(data, where)
    reject_unknown(statement, STATEMENT_KEYS, where)
    if "id" in statement:
        check_uuid(statement["id"], f"{where}.id")
    _check_statement_body(statement, where, nested=False)
    if "stored" in statement:
        check_timestamp(statement["stored"], f"{where}.stored")
    if "authority" in statement:
        check_authority(statement["authority"], f"{where}.authority")
    if "version" in statement:
        check_version(statement["version"], f"{where}.version")


def check_agent(data: object, where: str = "agent") -> None:
    """An Agent or identified Group as a query parameter or document key (exactly one IFI)."""
    check_identified_actor(data, where)


def _check_statement_body(statement: dict[str, object], where: str, *, nested: bool) -> None:
    """What Statements and SubStatements share (2.4.4.3.s8.b2: a SubStatement is validated as a Statement)."""
    require_present(statement, ("actor", "verb", "object"), where)
    check_actor(statement["actor"], f"{where}.actor")
    verb_id = _check_verb(statement["verb"], f"{where}.verb")
    object_type = _check_object(statement["object"], f"{where}.object", nested=nested)
    if verb_id == VOIDED_VERB and object_type != "StatementRef":
        fail(f"{where}.object", f"a voiding statement (verb '{VOIDED_VERB}') must have a StatementRef object (2.3.2)")
    if "result" in statement:
        _check_result(statement["result"], f"{where}.result")
    if "context" in statement:
        _check_context(statement["context"], f"{where}.context", object_is_activity=object_type == "Activity")
    if "timestamp" in statement:
        check_timestamp(statement["timestamp"], f"{where}.timestamp")
    if "attachments" in statement:
        for index, attachment in enumerate(require_array(statement["attachments"], f"{where}.attachments")):
            _check_attachment(attachment, f"{where}.attachments[{index}]")


def _check_verb(value: object, where: str) -> str:
    """A Verb: id IRI, display language map (2.4.3); returns the id."""
    verb = require_object(value, where)
    reject_unknown(verb, VERB_KEYS, where)
    require_present(verb, ("id",), where)
    verb_id = require_string(verb["id"], f"{where}.id")
    check_iri(verb_id, f"{where}.id")
    if "display" in verb:
        check_language_map(verb["display"], f"{where}.display")
    return verb_id


def _check_object(value: object, where: str, *, nested: bool) -> str:
    """The statement's object, by objectType (Activity when absent, 2.4.4.s2); returns the objectType."""
    target = require_object(value, where)
    object_type = target.get("objectType", "Activity")
    if object_type == "Activity":
        check_activity(target, where)
    elif object_type in ("Agent", "Group"):
        check_actor(target, where, object_type_required=True)
    elif object_type == "StatementRef":
        _check_statement_ref(target, where)
    elif object_type == "SubStatement":
        if nested:
            fail(f"{where}.objectType", "a SubStatement must not contain another SubStatement (2.4.4.3.s8.b4)")
        _check_substatement(target, where)
    else:
        require_string(object_type, f"{where}.objectType")
        fail(f"{where}.objectType", f"must be {OBJECT_TYPES_TEXT}")
    return str(object_type)


def _check_statement_ref(value: object, where: str) -> None:
    """A Statement Reference: objectType 'StatementRef' (required) and a UUID id (2.4.4.3.s4)."""
    reference = require_object(value, where)
    reject_unknown(reference, STATEMENT_REF_KEYS, where)
    if reference.get("objectType") != "StatementRef":
        fail(f"{where}.objectType", "must be 'StatementRef'")
    require_present(reference, ("id",), where)
    check_uuid(reference["id"], f"{where}.id")


def _check_substatement(substatement: dict[str, object], where: str) -> None:
    """A SubStatement: a Statement without id, stored, version or authority (2.4.4.3.s8.b3)."""
    for key in NOT_IN_SUBSTATEMENT:
        if key in substatement:
            fail(f"{where}.{key}", "is not allowed in a SubStatement (2.4.4.3.s8.b3)")
    reject_unknown(substatement, SUBSTATEMENT_KEYS, where)
    _check_statement_body(substatement, where, nested=True)


def _check_result(value: object, where: str) -> None:
    """A Result (2.4.5)."""
    result = require_object(value, where)
    reject_unknown(result, RESULT_KEYS, where)
    if "score" in result:
        _check_score(result["score"], f"{where}.score")
    for key in ("success", "completion"):
        if key in result:
            require_boolean(result[key], f"{where}.{key}")
    if "response" in result:
        require_string(result["response"], f"{where}.response")
    if "duration" in result:
        check_duration(result["duration"], f"{where}.duration")
    if "extensions" in result:
        check_extensions(result["extensions"], f"{where}.extensions")


def _check_score(value: object, where: str) -> None:
    """A Score: scaled in [-1, 1], min <= raw <= max where given (2.4.5.1)."""
    score = require_object(value, where)
    reject_unknown(score, SCORE_KEYS, where)
    numbers = {
        key: require_number(score[key], f"{where}.{key}") for key in ("scaled", "raw", "min", "max") if key in score
    }
    scaled = numbers.get("scaled")
    if scaled is not None and not -1 <= scaled <= 1:
        fail(f"{where}.scaled", "must be between -1 and 1")
    raw, low, high = numbers.get("raw"), numbers.get("min"), numbers.get("max")
    if low is not None and high is not None and low > high:
        fail(f"{where}.min", "must not be greater than max")
    if raw is not None and low is not None and raw < low:
        fail(f"{where}.raw", "must not be less than min")
    if raw is not None and high is not None and raw > high:
        fail(f"{where}.raw", "must not be greater than max")


def _check_context(value: object, where: str, *, object_is_activity: bool) -> None:
    """A Context (2.4.6); revision and platform only when the object is an Activity (2.4.6.s4.b1/b2)."""
    context = require_object(value, where)
    reject_unknown(context, CONTEXT_KEYS, where)
    if "registration" in context:
        check_uuid(context["registration"], f"{where}.registration")
    if "instructor" in context:
        check_actor(context["instructor"], f"{where}.instructor")
    if "team" in context:
        check_group(context["team"], f"{where}.team")
    if "contextActivities" in context:
        _check_context_activities(context["contextActivities"], f"{where}.contextActivities")
    for key in ("revision", "platform"):
        if key in context:
            require_string(context[key], f"{where}.{key}")
            if not object_is_activity:
                fail(f"{where}.{key}", "is only allowed when the statement's object is an Activity")
    if "language" in context:
        check_context_language(context["language"], f"{where}.language")
    if "statement" in context:
        _check_statement_ref(context["statement"], f"{where}.statement")
    if "extensions" in context:
        check_extensions(context["extensions"], f"{where}.extensions")


def _check_context_activities(value: object, where: str) -> None:
    """parent, grouping, category, other: each an Activity or an array of Activities (2.4.6.2.s4)."""
    kinds = require_object(value, where)
    reject_unknown(kinds, CONTEXT_ACTIVITY_KEYS, where)
    for kind, activities in kinds.items():
        here = f"{where}.{kind}"
        if isinstance(activities, list):
            for index, activity in enumerate(activities):
                check_activity(activity, f"{here}[{index}]")
        elif isinstance(activities, dict):
            check_activity(activities, here)
        else:
            fail(here, "must be an Activity or an array of Activities")


def _check_attachment(value: object, where: str) -> None:
    """An Attachment header (2.4.11); a signature must be application/octet-stream (2.6.s4.b1)."""
    attachment = require_object(value, where)
    reject_unknown(attachment, ATTACHMENT_KEYS, where)
    require_present(attachment, ("usageType", "display", "contentType", "length", "sha2"), where)
    usage_type = require_string(attachment["usageType"], f"{where}.usageType")
    check_iri(usage_type, f"{where}.usageType")
    check_language_map(attachment["display"], f"{where}.display")
    if "description" in attachment:
        check_language_map(attachment["description"], f"{where}.description")
    check_media_type(attachment["contentType"], f"{where}.contentType")
    if require_integer(attachment["length"], f"{where}.length") < 0:
        fail(f"{where}.length", "must not be negative")
    check_sha2_hex(attachment["sha2"], f"{where}.sha2")
    if "fileUrl" in attachment:
        check_irl(attachment["fileUrl"], f"{where}.fileUrl")
    if usage_type == SIGNATURE_USAGE_TYPE and attachment["contentType"] != "application/octet-stream":
        fail(f"{where}.contentType", "must be 'application/octet-stream' for a signature attachment (2.6.s4.b1)")
