"""The manual upload steps a folder target's CHECKLIST.md gives, per LMS kind: for LMSs that have no package
upload API (FIELD_NOTES.md, "What real LMSs accept for upload"), someone uploads each zip by hand."""

from __future__ import annotations

from courseforge.model.publish import LmsKind

COMMON_LAST = ("Launch the new version once as a learner and check that completion and score are recorded.",
               "Tick the package off in this list; keep manifest.json with the release (sha256 of every zip).")

STEPS: dict[LmsKind, tuple[str, ...]] = {
    LmsKind.GENERIC: (
        "In the LMS's course administration, create a course (first version) or open the existing one.",
        "Upload the zip as a SCORM, xAPI or cmi5 package, as its format column says; keep the zip as it is "
        "(do not unpack it).",
    ),
    LmsKind.MOODLE: (
        "First version: in the course, turn editing on, Add an activity or resource, SCORM package, and upload "
        "the zip under Package file.",
        "New version: open the SCORM activity's Settings and replace the Package file (attempts are kept). "
        "Moodle has no web service that replaces a package; a 'downloaded package' activity re-fetches a zip "
        "from a stable URL instead.",
        "Check Grading (grading method, maximum grade) and Attempts management (mastery score overrides "
        "status) against the course's rules.",
    ),
    LmsKind.CANVAS: (
        "Canvas has no package upload API: reach SCORM through a SCORM Cloud dispatch (LTI 1.3) or the "
        "institution's SCORM LTI tool.",
        "With a dispatch: publish to the SCORM Cloud target, download the dispatch zip and import it into the "
        "Canvas course as the LTI tool's content.",
    ),
    LmsKind.CORNERSTONE: (
        "Cornerstone imports packages in bulk through Edge Import (Online Course Assets): prefer the sftp:// "
        "target, which drops the zips and the load file for you.",
        "By hand: upload each zip in Course Publisher as a new online course (first version) or as a new "
        "version of the existing course.",
    ),
    LmsKind.TALENTLMS: (
        "Open the course (or create it), Add, then SCORM | xAPI | cmi5, and upload the zip.",
        "A new version: delete the old unit's file only after the new unit has been checked.",
    ),
    LmsKind.DOCEBO: (
        "Open the course's Training Material, Add, Package (SCORM, xAPI or cmi5), and upload the zip.",
        "A new version: use the training material's version management so learners' progress is kept.",
    ),
}


def checklist_steps(kind: LmsKind) -> tuple[str, ...]:
    return (*STEPS[kind], *COMMON_LAST)
