"""xAPI 1.0.3 / Tin Can package facts (STANDARDS.md section 3).

The State API keeps a document of any size and a statement's result.response is an unbounded string;
the budgets below are what courseforge promises itself so that one State document and one statement stay
small enough for every LRS (and the same course fits SCORM 2004's limits too).
"""

from __future__ import annotations

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
    interaction_texts=True,
)
