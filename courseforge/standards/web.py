"""A plain web site: no LMS; the learner's place and answers are kept in the browser's localStorage."""

from __future__ import annotations

from courseforge.model.package import PackageFormat
from courseforge.standards import FormatProfile

STORAGE_BUDGET = 64000
"""Characters of saved state per course: far inside any browser's localStorage quota (5 MB an origin)."""
TEXT_LIMIT = 4000

PROFILE = FormatProfile(
    format=PackageFormat.WEB,
    title="web site",
    runtime_adapter=("runtime/web.js",),
    suspend_limit=STORAGE_BUDGET,
    text_response_limit=TEXT_LIMIT,
    manifest="",
)
