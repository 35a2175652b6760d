"""Where the cmi5 LMS keeps its registrations and launch sessions: a ``RecordBook``.

The ledger is rebuilt from the LRS, but only for sessions the LMS knows it issued, and a launch needs its
registration: an LMS that outlasts its process (the review LMS) hands the LMS a book that writes through to
its database (``harness.store.SideRecords``), so that after a restart a registration resumes, its earlier
sessions are still judged and abandoned, and an AU that fetched its token before a restart goes on sending
with it (only a digest of the secret is kept) until its session is abandoned. The default book is memory,
for one process's life. Fetch URLs are not kept: after a restart one (used or not) answers error 2, and
the next launch issues a new one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from courseforge.lms.cmi5.launch import LaunchSession, Learner
from courseforge.lms.cmi5.structure import CourseStructure
from courseforge.lms.cmi5.vocabulary import LaunchMode

REGISTRATION = "registration"
SESSION = "session"
CLIENT = "client"
"""A session's LRS client, handed out by its fetch: its key, the SHA-256 of its secret, its session."""
REVOKED = "revoked"
"""A session whose client no longer authenticates (abandoned)."""


class RecordBook(Protocol):
    """JSON records by kind and key, read back in the order they were first written."""

    def put(self, kind: str, key: str, value: Mapping[str, Any]) -> None: ...

    def all(self, kind: str) -> list[tuple[str, dict[str, Any]]]: ...


class MemoryRecords:
    """A book that lives as long as the process (the preview's LMS, the tests of the LMS itself)."""

    def __init__(self) -> None:
        self._kinds: dict[str, dict[str, dict[str, Any]]] = {}

    def put(self, kind: str, key: str, value: Mapping[str, Any]) -> None:
        self._kinds.setdefault(kind, {})[key] = dict(value)

    def all(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return list(self._kinds.get(kind, {}).items())


def registration_record(course_id: str, learner: Learner) -> dict[str, Any]:
    return {"course": course_id, "homePage": learner.home_page, "name": learner.name}


def registration_from(value: Mapping[str, Any]) -> tuple[str, Learner]:
    """The course id and learner of a stored registration."""
    return str(value["course"]), Learner(str(value["homePage"]), str(value["name"]))


def session_record(session: LaunchSession) -> dict[str, Any]:
    """A session without its course structure (the course is imported again by whoever runs the LMS)."""
    return {"registration": str(session.registration), "course": session.course.id, "au": session.au.id,
            "homePage": session.learner.home_page, "name": session.learner.name,
            "mode": session.launch_mode.value, "auUrl": session.au_url,
            "launchedAt": session.launched_at.isoformat(), "returnUrl": session.return_url}


def session_from(session_id: str, value: Mapping[str, Any], course: CourseStructure) -> LaunchSession:
    """A stored session, once its course is known again (KeyError: the course no longer has the AU)."""
    return_url = value.get("returnUrl")
    return LaunchSession(
        session_id=uuid.UUID(session_id), registration=uuid.UUID(str(value["registration"])),
        learner=Learner(str(value["homePage"]), str(value["name"])), course=course,
        au=course.assignable_unit(str(value["au"])), launch_mode=LaunchMode(value["mode"]),
        au_url=str(value["auUrl"]), launched_at=datetime.fromisoformat(str(value["launchedAt"])),
        return_url=None if return_url is None else str(return_url))
