"""What a SCORM 2004 LMS's sequencing engine is given, and what it concluded: the preview's LMS side runs the
package's sequencing and rollup in scorm-again's engine (``Scorm2004API`` with ``settings.sequencing``) instead
of only seeding cmi.

:func:`plan_for` reads imsmanifest.xml (verify's safe parser) into scorm-again's ``SequencingSettings`` JSON: the
default organization as the root activity and its items as the activity tree (identifiers, titles,
``isvisible``), each activity's controlMode, sequencing rules, limit conditions, objectives (primary and others,
``satisfiedByMeasure``, ``minNormalizedMeasure``, imsss and adlseq ``mapInfo``), rollup rules and controls,
rollup considerations, constrained choice, randomization, deliveryControls, ``adlcp:completionThreshold``,
``hideLMSUI``, auxiliary resources and shared data maps. A ``sequencingCollection`` member named by ``IDRef`` is
resolved here, as verify's ``effective_objectives`` does: an element the item defines itself replaces the
member's element of that kind. Every value is spelled out with the SN defaults of ``standards/scorm2004.py``
(scorm-again's own defaults differ: its flow defaults to true). Objective identifiers are compared as ADL
compares them (``objective_key``).

What scorm-again cannot take as written is reported as a warning naming the element and its line, never
dropped silently (:attr:`SequencingPlan.notes`): limit conditions it has no field for, rollup conditions it does
not evaluate, foreign elements. Two things are adapted, and also reported: a primary objective without
``objectiveID`` gets one (scorm-again keeps objectives by identifier and drops one without), and a rollup rule's
``minimumPercent`` (0..1 in the manifest) is given as the percent scorm-again counts in (0..100).

After a session the engine's activity states (:class:`ActivityState`, posted by the host page) are read against
the plan: :func:`explain` says which manifest elements decided the root activity's completion and satisfaction,
so a rollup that disagrees with the course names the element at fault.

This module is the one place the plug-in and its rules import: the plan (``scorm2004_sequencing_plan``), reading
the manifest into it (``_manifest``), the engine's activity states and their explanation (``_states``) and the
launch's events as record values (``_events``) live beside it.
"""

from __future__ import annotations

from courseforge.stages.preview.harness.plugins.scorm2004_sequencing_events import (
    COMPLETION_BECAUSE,
    DELIVER,
    DELIVERED,
    ENGINE_ERRORS,
    ENGINE_NOTES,
    ERROR,
    EVENT_PREFIX,
    NOT_DELIVERED,
    REFUSED,
    REQUEST,
    ROLLUP,
    ROOT_ACTIVITY,
    ROOT_COMPLETION,
    ROOT_MEASURE,
    ROOT_SATISFIED,
    SATISFACTION_BECAUSE,
    SCO_ACTIVITY,
    SCO_COMPLETION,
    SCO_MEASURE,
    SCO_SATISFIED,
    SESSION_END,
    UNSUPPORTED_NOTES,
    VALUE_PREFIX,
    Rollup,
    describe,
    note_values,
    promised_trees,
    rollup_of,
    rollup_values,
)
from courseforge.stages.preview.harness.plugins.scorm2004_sequencing_manifest import (
    GENERATED_PRIMARY_ID,
    build_plan,
    plan_for,
    read_plan,
)
from courseforge.stages.preview.harness.plugins.scorm2004_sequencing_plan import (
    ADAPTED,
    UNSUPPORTED,
    SequencingManifestError,
    SequencingPlan,
)
from courseforge.stages.preview.harness.plugins.scorm2004_sequencing_states import (
    NOT_SATISFIED,
    SATISFIED,
    UNKNOWN,
    ActivityState,
    explain,
    states_from_json,
)

__all__ = [
    "ADAPTED",
    "COMPLETION_BECAUSE",
    "DELIVER",
    "DELIVERED",
    "ENGINE_ERRORS",
    "ENGINE_NOTES",
    "ERROR",
    "EVENT_PREFIX",
    "GENERATED_PRIMARY_ID",
    "NOT_DELIVERED",
    "NOT_SATISFIED",
    "REFUSED",
    "REQUEST",
    "ROLLUP",
    "ROOT_ACTIVITY",
    "ROOT_COMPLETION",
    "ROOT_MEASURE",
    "ROOT_SATISFIED",
    "SATISFACTION_BECAUSE",
    "SATISFIED",
    "SCO_ACTIVITY",
    "SCO_COMPLETION",
    "SCO_MEASURE",
    "SCO_SATISFIED",
    "SESSION_END",
    "UNKNOWN",
    "UNSUPPORTED",
    "UNSUPPORTED_NOTES",
    "VALUE_PREFIX",
    "ActivityState",
    "Rollup",
    "SequencingManifestError",
    "SequencingPlan",
    "build_plan",
    "describe",
    "explain",
    "note_values",
    "plan_for",
    "promised_trees",
    "read_plan",
    "rollup_of",
    "rollup_values",
    "states_from_json",
]
