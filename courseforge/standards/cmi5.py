"""cmi5 (Quartz) package facts (STANDARDS.md section 4); statements and state travel over xAPI."""

from __future__ import annotations

from courseforge.model.package import PackageFormat
from courseforge.standards import FormatProfile
from courseforge.standards.xapi import STATE_BUDGET, TEXT_LIMIT

PROFILE = FormatProfile(
    format=PackageFormat.CMI5,
    title="cmi5",
    runtime_adapter=("runtime/xapi-client.js", "runtime/cmi5.js"),
    suspend_limit=STATE_BUDGET,
    text_response_limit=TEXT_LIMIT,
    manifest="cmi5.xml",
    needs_base_iri=True,
)
