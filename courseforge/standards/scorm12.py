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
    runtime_adapter=("runtime/scorm-api.js", "runtime/scorm12.js"),
    suspend_limit=SUSPEND_DATA_LIMIT,
    text_response_limit=TEXT_LIMIT,
    manifest="imsmanifest.xml",
)

# --- the run-time data model (STANDARDS.md section 1) ------------------------------------------------

API_NAME = "API"
LESSON_STATUS = "cmi.core.lesson_status"
SCORE_RAW = "cmi.core.score.raw"
EXIT = "cmi.core.exit"
SESSION_TIME = "cmi.core.session_time"
LESSON_LOCATION = "cmi.core.lesson_location"
SUSPEND_DATA = "cmi.suspend_data"
LESSON_STATUSES = ("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
RESULT_STATUSES = frozenset({"passed", "failed", "completed"})
"""lesson_status values that state a result; "incomplete" and "browsed" say nothing a score could contradict."""
SUSPEND = "suspend"
INTERACTION_TYPES = ("true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric")
INTERACTION_RESULTS = ("correct", "wrong", "unanticipated", "neutral")
TIMESPAN_PATTERN = r"^\d{2,4}:[0-5]\d:[0-5]\d(\.\d{1,2})?$"
"""CMITimespan HHHH:MM:SS.SS (two to four hour digits, up to two decimals of seconds)."""
SCORE_PATTERN = r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$"
"""score.raw as courseforge writes it: 0..100 with at most two decimals, no exponent, no sign (CMIDecimal)."""

ERRORS = {
    "0": "No error", "101": "General exception", "201": "Invalid argument error",
    "202": "Element cannot have children", "203": "Element not an array, cannot have count",
    "301": "Not initialized", "401": "Not implemented error", "402": "Invalid set value, element is a keyword",
    "403": "Element is read only", "404": "Element is write only", "405": "Incorrect data type",
}
"""RTE error codes (LMSGetLastError), named as LMSGetErrorString names them."""
GENERAL_EXCEPTION = "101"
NOT_IMPLEMENTED = "401"
WRITE_ONLY = "404"
COMMIT_FAILURE = "391"
"""Not a SCORM 1.2 code: scorm-again's general commit failure, which Cornerstone answers with its null commit
during unload."""
OPTIONAL_READS = (r"^cmi\.interactions\._count$", r"^cmi\.objectives\.", r"^cmi\.student_data\.",
                  r"^cmi\.core\.lesson_mode$")
"""Optional elements an LMS with the mandatory core only does not implement."""
