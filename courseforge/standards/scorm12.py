"""SCORM 1.2 facts (STANDARDS.md section 1): CMIString255 answers, CMIString4096 suspend_data."""

from __future__ import annotations

from courseforge.model.package import PackageFormat
from courseforge.standards import FormatProfile

SUSPEND_DATA_LIMIT = 4096
TEXT_LIMIT = 255
"""cmi.interactions.n.student_response and correct_responses patterns are CMIString255 / CMIFeedback."""

PROFILE = FormatProfile(
    format=PackageFormat.SCORM12,
    title="SCORM 1.2",
    runtime_adapter=("runtime/scorm12.js",),
    suspend_limit=SUSPEND_DATA_LIMIT,
    text_response_limit=TEXT_LIMIT,
    manifest="imsmanifest.xml",
)
