"""The statements the LMS itself records (§9.3): launched, satisfied, abandoned and waived.

Pure builders: the statement id, the timestamp and every id come in as arguments. All four are "cmi5
defined" (cmi5 category, session id extension, registration, publisher id grouping, §9.6).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from courseforge.lms.cmi5.launch import JsonObject, LaunchSession, Learner, node_activity_id
from courseforge.lms.cmi5.structure import AssignableUnit, Block, CourseStructure
from courseforge.lms.cmi5.vocabulary import (
    ACTIVITY_TYPE_BLOCK,
    ACTIVITY_TYPE_COURSE,
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    EXT_LAUNCH_MODE,
    EXT_LAUNCH_PARAMETERS,
    EXT_LAUNCH_URL,
    EXT_MASTERY_SCORE,
    EXT_MOVE_ON,
    EXT_REASON,
    EXT_SESSION_ID,
    Verb,
    WaiveReason,
)


def xapi_timestamp(moment: datetime) -> str:
    """UTC with millisecond precision and a Z (§9.7: all timestamps in UTC)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def iso_duration(span: timedelta) -> str:
    """An ISO 8601 duration in seconds (``PT12.345S``), the form xAPI results use."""
    milliseconds = max(0, round(span.total_seconds() * 1000))
    seconds, millis = divmod(milliseconds, 1000)
    return f"PT{seconds}.{millis:03d}S" if millis else f"PT{seconds}S"


def _statement(*, statement_id: uuid.UUID, timestamp: datetime, learner: Learner, verb: Verb, obj: JsonObject,
               context: JsonObject, result: JsonObject | None = None) -> JsonObject:
    statement: JsonObject = {
        "id": str(statement_id),
        "timestamp": xapi_timestamp(timestamp),
        "actor": learner.actor(),
        "verb": {"id": verb.value, "display": verb.display},
        "object": obj,
        "context": context,
    }
    if result is not None:
        statement["result"] = result
    return statement


def _context(*, registration: uuid.UUID, session_id: uuid.UUID, grouping: str, moveon: bool = False,
             extensions: JsonObject | None = None) -> JsonObject:
    categories = [{"objectType": "Activity", "id": CATEGORY_CMI5}]
    if moveon:
        categories.append({"objectType": "Activity", "id": CATEGORY_MOVEON})
    return {
        "registration": str(registration),
        "contextActivities": {
            "category": categories,
            "grouping": [{"objectType": "Activity", "id": grouping}],
        },
        "extensions": {EXT_SESSION_ID: str(session_id), **(extensions or {})},
    }


def _au_object(session_course: CourseStructure, au: AssignableUnit) -> JsonObject:
    obj: JsonObject = {"objectType": "Activity", "id": node_activity_id(session_course, au)}
    if au.activity_type:
        obj["definition"] = {"type": au.activity_type}
    return obj


def launched_statement(session: LaunchSession, *, statement_id: uuid.UUID) -> JsonObject:
    """Recorded before the AU is launched (§9.3.1), with launchMode, launchURL, moveOn and, when set,
    launchParameters and masteryScore in the context (§9.6.3)."""
    au = session.au
    extensions: JsonObject = {
        EXT_LAUNCH_MODE: session.launch_mode.value,
        EXT_LAUNCH_URL: session.au_url,
        EXT_MOVE_ON: au.move_on.value,
    }
    if au.launch_parameters is not None:
        extensions[EXT_LAUNCH_PARAMETERS] = au.launch_parameters
    if au.mastery_score is not None:
        extensions[EXT_MASTERY_SCORE] = float(au.mastery_score)
    return _statement(
        statement_id=statement_id, timestamp=session.launched_at, learner=session.learner, verb=Verb.LAUNCHED,
        obj=_au_object(session.course, au),
        context=_context(registration=session.registration, session_id=session.session_id, grouping=au.id,
                         extensions=extensions),
    )


def abandoned_statement(session: LaunchSession, *, last_activity: datetime, timestamp: datetime,
                        statement_id: uuid.UUID) -> JsonObject:
    """For a session that ended without terminated (§9.3.6); the duration runs from launched to the AU's
    last statement (§9.5.4.2)."""
    return _statement(
        statement_id=statement_id, timestamp=timestamp, learner=session.learner, verb=Verb.ABANDONED,
        obj=_au_object(session.course, session.au),
        context=_context(registration=session.registration, session_id=session.session_id, grouping=session.au.id),
        result={"duration": iso_duration(last_activity - session.launched_at)},
    )


def waived_statement(*, course: CourseStructure, au: AssignableUnit, learner: Learner, registration: uuid.UUID,
                     session_id: uuid.UUID, reason: WaiveReason, timestamp: datetime,
                     statement_id: uuid.UUID) -> JsonObject:
    """The LMS waives an AU (§9.3.7): success and completion true, the reason extension, a session id of its own."""
    return _statement(
        statement_id=statement_id, timestamp=timestamp, learner=learner, verb=Verb.WAIVED,
        obj=_au_object(course, au),
        context=_context(registration=registration, session_id=session_id, grouping=au.id, moveon=True),
        result={"success": True, "completion": True, "extensions": {EXT_REASON: reason.value}},
    )


def satisfied_statement(*, course: CourseStructure, node: Block | CourseStructure, learner: Learner,
                        registration: uuid.UUID, session_id: uuid.UUID, timestamp: datetime,
                        statement_id: uuid.UUID) -> JsonObject:
    """A block or the course met its moveOn criteria (§9.3.9): the LMS id as object, the cmi5 block or course
    activity type, and the publisher id in the grouping."""
    activity_type = ACTIVITY_TYPE_COURSE if isinstance(node, CourseStructure) else ACTIVITY_TYPE_BLOCK
    return _statement(
        statement_id=statement_id, timestamp=timestamp, learner=learner, verb=Verb.SATISFIED,
        obj={"objectType": "Activity", "id": node_activity_id(course, node), "definition": {"type": activity_type}},
        context=_context(registration=registration, session_id=session_id, grouping=node.id),
    )
