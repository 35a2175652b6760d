"""The cmi5 facts the LMS side names, re-exported from ``courseforge.standards.cmi5`` where they live.

Section numbers refer to the cmi5 specification (AICC/CMI-5_Spec_Current, cmi5_spec.md). The packager,
the verifier and the AU runtime's tests use the same module, so an IRI is written once.
"""

from __future__ import annotations

from courseforge.standards.cmi5 import (
    ACTIVITY_TYPE_BLOCK,
    ACTIVITY_TYPE_COURSE,
    AU_VERBS,
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    COURSE_STRUCTURE_NS,
    EXT_LAUNCH_MODE,
    EXT_LAUNCH_PARAMETERS,
    EXT_LAUNCH_URL,
    EXT_MASTERY_SCORE,
    EXT_MOVE_ON,
    EXT_PROGRESS,
    EXT_REASON,
    EXT_SESSION_ID,
    JUDGED_VERBS,
    LAUNCH_DATA_STATE_ID,
    LAUNCH_PARAMETERS,
    LEARNER_PREFERENCES_PROFILE_ID,
    AudioPreference,
    LaunchMethod,
    LaunchMode,
    MoveOn,
    Verb,
    WaiveReason,
)

__all__ = [
    "ACTIVITY_TYPE_BLOCK", "ACTIVITY_TYPE_COURSE", "AU_VERBS", "CATEGORY_CMI5", "CATEGORY_MOVEON",
    "COURSE_STRUCTURE_NS", "EXT_LAUNCH_MODE", "EXT_LAUNCH_PARAMETERS", "EXT_LAUNCH_URL", "EXT_MASTERY_SCORE",
    "EXT_MOVE_ON", "EXT_PROGRESS", "EXT_REASON", "EXT_SESSION_ID", "JUDGED_VERBS", "LAUNCH_DATA_STATE_ID",
    "LAUNCH_PARAMETERS", "LEARNER_PREFERENCES_PROFILE_ID", "AudioPreference", "LaunchMethod", "LaunchMode",
    "MoveOn", "Verb", "WaiveReason",
]
