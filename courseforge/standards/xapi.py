"""xAPI 1.0.3 / Tin Can package facts (STANDARDS.md section 3): tincan.xml, the launch, the vocabulary.

The State API keeps a document of any size and a statement's result.response is an unbounded string;
the budgets below are what courseforge promises itself so that one State document and one statement stay
small enough for every LRS (and the same course fits SCORM 2004's limits too).

The packager, the verifier and the preview name these constants; the runtime (``runtime/xapi.js``,
``runtime/xapi-client.js``) carries the same values, and a test holds it to this module.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from courseforge.model.package import PackageFormat
from courseforge.standards import FormatProfile

STATE_BUDGET = 64000
TEXT_LIMIT = 4000

PROFILE = FormatProfile(
    format=PackageFormat.XAPI,
    title="xAPI (Tin Can)",
    runtime_adapter=("runtime/xapi-client.js", "runtime/xapi.js"),
    suspend_limit=STATE_BUDGET,
    text_response_limit=TEXT_LIMIT,
    manifest="tincan.xml",
    needs_base_iri=True,
)

VERSION: Final = "1.0.3"
"""Sent as ``X-Experience-API-Version`` on every request (xAPI Communication §3.3)."""

TINCAN_NS: Final = "http://projecttincan.com/tincan.xsd"
"""tincan.xml's namespace (RusticiSoftware/launch lms_lrs.md); no public copy of the XSD exists."""
MANIFEST: Final = "tincan.xml"

LAUNCH_PARAMETERS: Final = ("endpoint", "auth", "actor", "registration", "activity_id", "activity_platform",
                            "Accept-Language", "grouping", "content_token", "content_endpoint")
"""The Tin Can launch query (lms_lrs.md); endpoint and actor are what make a launch."""

STATE_ID: Final = "courseforge.resume"
"""The one State document of a registration: bookmark, state text, interactions, verdicts sent."""

VERB_PREFIX: Final = "http://adlnet.gov/expapi/verbs/"


class Verb(StrEnum):
    """The ADL verbs the Tin Can runtime sends."""

    INITIALIZED = f"{VERB_PREFIX}initialized"
    EXPERIENCED = f"{VERB_PREFIX}experienced"
    PROGRESSED = f"{VERB_PREFIX}progressed"
    ANSWERED = f"{VERB_PREFIX}answered"
    COMPLETED = f"{VERB_PREFIX}completed"
    PASSED = f"{VERB_PREFIX}passed"
    FAILED = f"{VERB_PREFIX}failed"
    TERMINATED = f"{VERB_PREFIX}terminated"

    @property
    def display(self) -> dict[str, str]:
        return {"en-US": self.name.lower()}


class ActivityType(StrEnum):
    COURSE = "http://adlnet.gov/expapi/activities/course"
    """The launchable activity of tincan.xml: the course."""
    MODULE = "http://adlnet.gov/expapi/activities/module"
    """A page or checklist screen."""
    ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
    """A quiz screen (the parent of its questions)."""
    SURVEY = "http://id.tincanapi.com/activitytype/survey"
    INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
    """A question or survey item (xAPI Data §2.4.4.1)."""


SCREEN_TYPES: Final = {"page": ActivityType.MODULE, "checklist": ActivityType.MODULE,
                       "quiz": ActivityType.ASSESSMENT, "survey": ActivityType.SURVEY}

PROGRESS_EXTENSION: Final = "https://w3id.org/xapi/cmi5/result/extensions/progress"
"""Progress as an integer percent 0..100 in result.extensions (cmi5 §9.5.5.1 defines it; Tin Can reuses it,
because a score is never progress)."""

ATTEMPT_EXTENSION: Final = "http://id.tincanapi.com/extension/attempt-id"
"""The quiz attempt (1, 2 ...) in an answered statement's context.extensions (the Tin Can registry's
attempt-id): the question's activity id is the same in every attempt."""

INTERACTION_TYPES: Final = frozenset({"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
                                      "sequencing", "likert", "numeric", "other"})
"""xAPI Data §2.4.4.1 interactionType values."""

RESULT_VERBS: Final = frozenset({Verb.PASSED, Verb.FAILED})
"""The only verbs that carry result.score (a final verdict)."""
