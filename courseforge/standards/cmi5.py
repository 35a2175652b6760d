"""cmi5 (Quartz) facts (STANDARDS.md section 4): IRIs, vocabularies, launch parameter names, package layout.

Section numbers refer to the cmi5 specification (AICC/CMI-5_Spec_Current, cmi5_spec.md). Statements and
state travel over xAPI, so the text and state budgets are xAPI's. The LMS side (``courseforge.lms.cmi5``),
the packager, the verifier and the preview name these constants instead of writing an IRI twice; the AU
runtime (``runtime/cmi5.js``) carries the same values, and a test holds it to this module.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from courseforge.model.package import PackageFormat
from courseforge.standards import FormatProfile
from courseforge.standards.xapi import STATE_BUDGET, STATE_ID, TEXT_LIMIT

PROFILE = FormatProfile(
    format=PackageFormat.CMI5,
    title="cmi5",
    runtime_adapter=("runtime/xapi-client.js", "runtime/cmi5.js"),
    suspend_limit=STATE_BUDGET,
    text_response_limit=TEXT_LIMIT,
    manifest="cmi5.xml",
    needs_base_iri=True,
)

RESUME_STATE_ID: Final = STATE_ID
"""The AU's own State document per registration (bookmark, state text, interactions, verbs sent), the same
document the Tin Can runtime keeps; LMS.LaunchData is the LMS's and the AU never writes it (§10)."""

COURSE_STRUCTURE_NS: Final = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
COURSE_STRUCTURE_XSD: Final = "CourseStructure.xsd"
"""The schema file in ``courseforge/data/schemas/cmi5`` (provenance in its PROVENANCE.md)."""

LAUNCH_PARAMETERS: Final = ("endpoint", "fetch", "actor", "registration", "activityId")
"""Query names the LMS appends to an AU's URL (§8.1); an AU's own query string must not use them (8.1.0.0-6)."""

LAUNCH_DATA_STATE_ID: Final = "LMS.LaunchData"
LEARNER_PREFERENCES_PROFILE_ID: Final = "cmi5LearnerPreferences"

CATEGORY_CMI5: Final = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CATEGORY_MOVEON: Final = "https://w3id.org/xapi/cmi5/context/categories/moveon"

EXT_SESSION_ID: Final = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
EXT_MASTERY_SCORE: Final = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
EXT_LAUNCH_MODE: Final = "https://w3id.org/xapi/cmi5/context/extensions/launchmode"
EXT_LAUNCH_URL: Final = "https://w3id.org/xapi/cmi5/context/extensions/launchurl"
EXT_MOVE_ON: Final = "https://w3id.org/xapi/cmi5/context/extensions/moveon"
EXT_LAUNCH_PARAMETERS: Final = "https://w3id.org/xapi/cmi5/context/extensions/launchparameters"
EXT_PROGRESS: Final = "https://w3id.org/xapi/cmi5/result/extensions/progress"
"""An integer 0..100 (§9.5.5.1), not sent on completed or once the registration is completed."""
EXT_REASON: Final = "https://w3id.org/xapi/cmi5/result/extensions/reason"

ACTIVITY_TYPE_BLOCK: Final = "https://w3id.org/xapi/cmi5/activitytype/block"
ACTIVITY_TYPE_COURSE: Final = "https://w3id.org/xapi/cmi5/activitytype/course"

MASTERY_DECIMALS: Final = 4
"""masteryScore is a decimal 0..1 with at most 4 decimal places (§13.1.4, §10.2.4)."""

AU_ID_SUFFIX: Final = "/au"
"""The AU's publisher id is the course IRI plus this (the course IRI is base_iri + course id)."""


class Verb(StrEnum):
    """The cmi5-defined verbs (§9.3)."""

    LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"
    INITIALIZED = "http://adlnet.gov/expapi/verbs/initialized"
    COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
    PASSED = "http://adlnet.gov/expapi/verbs/passed"
    FAILED = "http://adlnet.gov/expapi/verbs/failed"
    ABANDONED = "https://w3id.org/xapi/adl/verbs/abandoned"
    WAIVED = "https://w3id.org/xapi/adl/verbs/waived"
    TERMINATED = "http://adlnet.gov/expapi/verbs/terminated"
    SATISFIED = "https://w3id.org/xapi/adl/verbs/satisfied"

    @property
    def display(self) -> dict[str, str]:
        return {"en-US": self.name.lower()}


AU_VERBS: Final = frozenset({Verb.INITIALIZED, Verb.COMPLETED, Verb.PASSED, Verb.FAILED, Verb.TERMINATED})
"""Verbs an AU sends; the others are the LMS's own (launched, abandoned, waived, satisfied)."""

JUDGED_VERBS: Final = frozenset({Verb.COMPLETED, Verb.PASSED, Verb.FAILED})
"""Completion-related verbs, allowed in Normal launch mode only (§10, launchMode)."""


class MoveOn(StrEnum):
    """When the LMS counts an AU as satisfied (§13.1.4); the course structure's default is NotApplicable."""

    PASSED = "Passed"
    COMPLETED = "Completed"
    COMPLETED_AND_PASSED = "CompletedAndPassed"
    COMPLETED_OR_PASSED = "CompletedOrPassed"
    NOT_APPLICABLE = "NotApplicable"


class LaunchMethod(StrEnum):
    """AnyWindow: the LMS picks the window (frame, new window, redirect); OwnWindow: a window of its own or a
    redirect of the current one (§13.1.4)."""

    ANY_WINDOW = "AnyWindow"
    OWN_WINDOW = "OwnWindow"


class LaunchMode(StrEnum):
    """Browse and Review forbid completion-related statements (§10, launchMode)."""

    NORMAL = "Normal"
    BROWSE = "Browse"
    REVIEW = "Review"


class WaiveReason(StrEnum):
    """The reason extension's value space for ``waived`` (§9.5.5.2)."""

    TESTED_OUT = "Tested Out"
    EQUIVALENT_AU = "Equivalent AU"
    EQUIVALENT_OUTSIDE_ACTIVITY = "Equivalent Outside Activity"
    ADMINISTRATIVE = "Administrative"


class AudioPreference(StrEnum):
    ON = "on"
    OFF = "off"


def mastery_score(percent: float) -> Decimal:
    """A passing percent (0..100) as a cmi5 masteryScore: scaled 0..1, at most 4 decimals (half up)."""
    scaled = (Decimal(str(percent)) / 100).quantize(Decimal(1).scaleb(-MASTERY_DECIMALS), rounding=ROUND_HALF_UP)
    return min(max(scaled, Decimal(0)), Decimal(1))
