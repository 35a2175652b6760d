"""The facts of cmi5 (Quartz) the LMS side needs: IRIs, vocabularies and launch parameter names.

Section numbers refer to the cmi5 specification (AICC/CMI-5_Spec_Current, cmi5_spec.md). Everything
else in this package names these constants instead of writing an IRI twice.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

COURSE_STRUCTURE_NS: Final = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"

LAUNCH_PARAMETERS: Final = ("endpoint", "fetch", "actor", "registration", "activityId")
"""Query names the LMS appends to an AU's URL (§8.1); an AU's own query string must not use them."""

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
EXT_REASON: Final = "https://w3id.org/xapi/cmi5/result/extensions/reason"

ACTIVITY_TYPE_BLOCK: Final = "https://w3id.org/xapi/cmi5/activitytype/block"
ACTIVITY_TYPE_COURSE: Final = "https://w3id.org/xapi/cmi5/activitytype/course"


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
