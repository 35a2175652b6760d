"""SCORM 2004 4th edition facts (STANDARDS.md section 2): suspend_data 64,000, fill-in strings of 250 (SPM)."""

from __future__ import annotations

from courseforge.model.package import PackageFormat
from courseforge.standards import FormatProfile

SUSPEND_DATA_LIMIT = 64000
TEXT_LIMIT = 250
"""Fill-in learner_response / correct_responses: up to 10 localized strings of 250 characters (SPM)."""

PROFILE = FormatProfile(
    format=PackageFormat.SCORM2004,
    title="SCORM 2004 4th edition",
    runtime_adapter=("runtime/scorm2004.js",),
    suspend_limit=SUSPEND_DATA_LIMIT,
    text_response_limit=TEXT_LIMIT,
    manifest="imsmanifest.xml",
)
