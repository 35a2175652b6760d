"""Pure launch pieces (§8, §10, §11): LMS activity ids, the launch URL, LMS.LaunchData, learner preferences.

No clock, no randomness and no I/O here: ids and times come in as arguments, so every function is a
plain value-in, value-out mapping the tests can check against the spec text.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from courseforge.lms.cmi5.structure import AssignableUnit, Block, CourseStructure
from courseforge.lms.cmi5.vocabulary import EXT_SESSION_ID, AudioPreference, LaunchMode

JsonObject = dict[str, Any]
"""A JSON document as it goes on the wire (statements and xAPI documents are JSON at this edge)."""

_LMS_ID_NAMESPACE = uuid.UUID("6f1d6a7e-3b8e-5f4c-9a51-0c6c6f757273")
"""Fixed namespace for the LMS-generated ids: the same publisher id always maps to the same LMS id."""


class NodeKind(StrEnum):
    AU = "au"
    BLOCK = "block"
    COURSE = "course"


def lms_activity_id(course_id: str, publisher_id: str, kind: NodeKind) -> str:
    """The LMS's own IRI for a course, block or AU (§8.1 activityId, §9.3.9): stable across launches and
    registrations, and never equal to the publisher's id."""
    return f"urn:uuid:{uuid.uuid5(_LMS_ID_NAMESPACE, f'{kind}|{course_id}|{publisher_id}')}"


def node_activity_id(course: CourseStructure, node: AssignableUnit | Block | CourseStructure) -> str:
    if isinstance(node, CourseStructure):
        return lms_activity_id(course.id, node.id, NodeKind.COURSE)
    kind = NodeKind.BLOCK if isinstance(node, Block) else NodeKind.AU
    return lms_activity_id(course.id, node.id, kind)


@dataclass(frozen=True)
class Learner:
    """The learner as the LMS shows them to content: an account, no PII (§8.1 actor, §9.2)."""

    home_page: str
    name: str

    def actor(self) -> JsonObject:
        return {"objectType": "Agent", "account": {"homePage": self.home_page, "name": self.name}}


@dataclass(frozen=True)
class LaunchSession:
    """One AU launch: what the LMS decided before the AU runs."""

    session_id: uuid.UUID
    registration: uuid.UUID
    learner: Learner
    course: CourseStructure
    au: AssignableUnit
    launch_mode: LaunchMode
    au_url: str
    """The AU's absolute URL without the launch parameters (the launchURL extension, §9.6.3.4)."""
    launched_at: datetime
    return_url: str | None = None

    @property
    def activity_id(self) -> str:
        return node_activity_id(self.course, self.au)


def resolve_au_url(url: str, package_base_url: str) -> str:
    """An absolute AU URL stays as it is; a relative one (inside a package) is resolved against where the
    package is served, which must end with '/' to be a folder."""
    if urlsplit(url).scheme:
        return url
    return urljoin(package_base_url, url)


def launch_url(au_url: str, *, endpoint: str, fetch: str, actor: JsonObject, registration: uuid.UUID,
               activity_id: str) -> str:
    """The URL that launches an AU (§8.1): the AU's own query kept, the five launch values URL-encoded."""
    parts = urlsplit(au_url)
    own = parse_qsl(parts.query, keep_blank_values=True)
    launch = [
        ("endpoint", endpoint),
        ("fetch", fetch),
        ("actor", _compact_json(actor)),
        ("registration", str(registration)),
        ("activityId", activity_id),
    ]
    query = urlencode([*own, *launch], quote_via=quote, safe="")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _compact_json(value: JsonObject) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def context_template(session: LaunchSession) -> JsonObject:
    """What the AU copies into every statement's context (§10): the session id and the publisher id grouping."""
    return {
        "contextActivities": {"grouping": [{"objectType": "Activity", "id": session.au.id}]},
        "extensions": {EXT_SESSION_ID: str(session.session_id)},
    }


def launch_data(session: LaunchSession, *, entitlement_alternate: str | None = None) -> JsonObject:
    """The LMS.LaunchData state document (§10), written before the AU is launched."""
    au = session.au
    document: JsonObject = {
        "contextTemplate": context_template(session),
        "launchMode": session.launch_mode.value,
        "launchMethod": au.launch_method.value,
        "moveOn": au.move_on.value,
    }
    if au.mastery_score is not None:
        document["masteryScore"] = float(au.mastery_score)
    if au.launch_parameters is not None:
        document["launchParameters"] = au.launch_parameters
    if session.return_url is not None:
        document["returnURL"] = session.return_url
    if au.entitlement_key is not None or entitlement_alternate is not None:
        key: JsonObject = {}
        if au.entitlement_key is not None:
            key["courseStructure"] = au.entitlement_key
        if entitlement_alternate is not None:
            key["alternate"] = entitlement_alternate
        document["entitlementKey"] = key
    return document


@dataclass(frozen=True)
class LearnerPreferences:
    """The cmi5LearnerPreferences agent profile (§11): languages in order of preference, audio on or off."""

    languages: tuple[str, ...] = ()
    audio: AudioPreference | None = None

    def document(self) -> JsonObject:
        document: JsonObject = {}
        if self.languages:
            document["languagePreference"] = ",".join(self.languages)
        if self.audio is not None:
            document["audioPreference"] = self.audio.value
        return document
