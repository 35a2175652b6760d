"""SCORM 2004 4th edition facts (STANDARDS.md section 2; ADL CAM/RTE/SN books as the ADL test suite checks them).

Only data lives here: namespaces and vocabularies the packager writes and the verifier expects, the data
model limits the runtime adapter (``runtime/scorm2004.js``) mirrors, and the format profile lint and render
read. The runtime cannot import Python: where ``scorm2004.js`` repeats a number it names the constant here.
"""

from __future__ import annotations

from courseforge.model.package import PackageFormat
from courseforge.standards import FormatProfile

# --- namespaces (CAM 4th edition, the ADL XSD set in data/schemas/scorm2004_4th) ---------------------------
IMSCP = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
LOM = "http://ltsc.ieee.org/xsd/LOM"
SCHEMA_FILES = {
    IMSCP: "imscp_v1p1.xsd",
    ADLCP: "adlcp_v1p3.xsd",
    ADLSEQ: "adlseq_v1p3.xsd",
    ADLNAV: "adlnav_v1p3.xsd",
    IMSSS: "imsss_v1p0.xsd",
    LOM: "lom.xsd",
}
"""xsi:schemaLocation pairs a 4th edition manifest names (the file at the package root for each namespace)."""
IMSSS_PARTS = ("imsss_v1p0auxresource.xsd", "imsss_v1p0control.xsd", "imsss_v1p0delivery.xsd", "imsss_v1p0limit.xsd",
               "imsss_v1p0objective.xsd", "imsss_v1p0random.xsd", "imsss_v1p0rollup.xsd", "imsss_v1p0seqrule.xsd",
               "imsss_v1p0util.xsd")
SCHEMA_IMPORTS = (("imscp_v1p1.xsd", "xml.xsd"), *(("imsss_v1p0.xsd", part) for part in IMSSS_PARTS))
"""(schema, a file it imports or includes): a package naming the first in xsi:schemaLocation ships both."""

SCHEMA = "ADL SCORM"
SCHEMA_VERSION = "2004 4th Edition"
OLDER_SCHEMA_VERSIONS = ("2004 3rd Edition", "CAM 1.3")
"""Accepted by ADL's validator with a warning (3rd edition, and 2nd edition's ``CAM 1.3``)."""

SCORM_TYPES = ("sco", "asset")
"""adlcp:scormType, camelCase in 2004 (1.2 writes adlcp:scormtype); every resource carries exactly one."""

# --- run-time data model limits (RTE 4th edition, SPM: smallest permitted maximum) ---------------------------
SUSPEND_DATA_LIMIT = 64000
LOCATION_LIMIT = 1000
FILL_IN_LIMIT = 250
"""A fill-in learner_response / correct_responses pattern: up to 10 localized strings of 250 characters."""
LONG_FILL_IN_LIMIT = 4000
"""A long-fill-in response: one localized string of 4,000 characters (survey free text, long answers)."""
DESCRIPTION_LIMIT = 250
"""cmi.interactions.n.description: a localized string of 250 characters."""
TEXT_LIMIT = LONG_FILL_IN_LIMIT
"""The longest text answer recorded whole: long-fill-in takes what fill-in's 250 cannot."""

EXIT_VALUES = ("time-out", "suspend", "logout", "normal", "")
NAV_REQUESTS = ("continue", "previous", "exit", "exitAll", "abandon", "abandonAll", "suspendAll", "_none_")
"""adl.nav.request tokens (besides ``{target=ID}choice`` and, new in 4th edition, ``{target=ID}jump``)."""
INTERACTION_TYPES = ("true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
                     "sequencing", "likert", "numeric", "other")
INTERACTION_RESULTS = ("correct", "incorrect", "unanticipated", "neutral")

PROFILE = FormatProfile(
    format=PackageFormat.SCORM2004,
    title="SCORM 2004 4th edition",
    runtime_adapter=("runtime/scorm2004.js",),
    suspend_limit=SUSPEND_DATA_LIMIT,
    text_response_limit=TEXT_LIMIT,
    manifest="imsmanifest.xml",
)
