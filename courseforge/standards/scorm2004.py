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
FILL_IN_PATTERNS = 5
"""correct_responses a fill-in keeps for sure (SPM; from memory of the RTE's table, unverified): each accepted
answer is a pattern of its own, the first five are sent."""
TEXT_LIMIT = LONG_FILL_IN_LIMIT
"""The longest text answer recorded whole: long-fill-in takes what fill-in's 250 cannot."""

EXIT_VALUES = ("time-out", "suspend", "logout", "normal", "")
NAV_REQUESTS = ("continue", "previous", "exit", "exitAll", "abandon", "abandonAll", "suspendAll", "_none_")
"""adl.nav.request tokens (besides ``{target=ID}choice`` and, new in 4th edition, ``{target=ID}jump``)."""
INTERACTION_TYPES = ("true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
                     "sequencing", "likert", "numeric", "other")
INTERACTION_RESULTS = ("correct", "incorrect", "unanticipated", "neutral")

# --- the run-time data model's element names and formats (what the adapter writes, the preview reads) ----
API_NAME = "API_1484_11"
COMPLETION_STATUS = "cmi.completion_status"
SUCCESS_STATUS = "cmi.success_status"
SCORE_SCALED = "cmi.score.scaled"
SCORE_RAW = "cmi.score.raw"
PROGRESS_MEASURE = "cmi.progress_measure"
EXIT = "cmi.exit"
SESSION_TIME = "cmi.session_time"
LOCATION = "cmi.location"
SUSPEND_DATA = "cmi.suspend_data"
NAV_REQUEST = "adl.nav.request"
SUSPEND = "suspend"
COMPLETION_STATUSES = ("completed", "incomplete", "not attempted", "unknown")
SUCCESS_STATUSES = ("passed", "failed", "unknown")
DURATION_PATTERN = r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$"
"""timeinterval (second,10,2): an ISO 8601 duration, at most two decimals on the seconds (PT1H2M3.45S)."""
SCALED_PATTERN = r"^-?(0(\.\d{1,7})?|1(\.0{1,7})?)$"
"""score.scaled: a real in -1..1 (courseforge writes raw / 100, at most four decimals)."""
SCORE_RAW_PATTERN = r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$"
"""score.raw as courseforge writes it: a percent 0..100, at most two decimals (the data model allows any real)."""
TIMESTAMP_PATTERN = (r"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,2}(Z|[+-]\d{2}(:\d{2})?)?)?)?)?)?)?)?$")
"""time (second,10,0): YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]], a time zone only after the fraction."""
INTERACTION_KEY = r"^cmi\.interactions\.(\d+)\.(.+)$"

ERRORS = {
    "0": "No Error", "101": "General Exception", "102": "General Initialization Failure",
    "103": "Already Initialized", "104": "Content Instance Terminated", "111": "General Termination Failure",
    "112": "Termination Before Initialization", "113": "Termination After Termination",
    "122": "Retrieve Data Before Initialization", "123": "Retrieve Data After Termination",
    "132": "Store Data Before Initialization", "133": "Store Data After Termination",
    "142": "Commit Before Initialization", "143": "Commit After Termination", "201": "General Argument Error",
    "301": "General Get Failure", "351": "General Set Failure", "391": "General Commit Failure",
    "401": "Undefined Data Model Element", "402": "Unimplemented Data Model Element",
    "403": "Data Model Element Value Not Initialized", "404": "Data Model Element Is Read Only",
    "405": "Data Model Element Is Write Only", "406": "Data Model Element Type Mismatch",
    "407": "Data Model Element Value Out Of Range", "408": "Data Model Dependency Not Established",
}
"""RTE error codes (GetLastError) as GetErrorString names them (numbers from scorm-again; STANDARDS.md)."""
GENERAL_EXCEPTION = "101"
COMMIT_FAILURE = "391"
UNDEFINED = "401"
UNIMPLEMENTED = "402"
WRITE_ONLY = "405"
OPTIONAL_READS = (r"^adl\.nav\.", r"^cmi\.interactions\._count$", r"^cmi\.objectives\.",
                  r"^cmi\.learner_preference\.")
"""What an LMS with a partial 2004 data model lacks (no navigation requests, no interaction count,
objectives or preferences): reads and writes answer 402."""

# --- Sequencing and Navigation (SN 4th edition; the imsss/adlseq/adlnav XSDs give the same defaults) --------
# What an LMS assumes when a manifest leaves an attribute out. An engine handed a manifest's sequencing
# (the preview's scorm-again) gets every value spelled out from here, never its own defaults.
CONTROL_MODE = {"choice": True, "choiceExit": True, "flow": False, "forwardOnly": False,
                "useCurrentAttemptObjectiveInfo": True, "useCurrentAttemptProgressInfo": True}
"""imsss:controlMode. flow defaults to false: a cluster without controlMode is navigated by choice only."""
DELIVERY_CONTROLS = {"tracked": True, "completionSetByContent": False, "objectiveSetByContent": False}
"""imsss:deliveryControls."""
ROLLUP_CONTROLS = {"rollupObjectiveSatisfied": True, "rollupProgressCompletion": True, "objectiveMeasureWeight": 1.0}
"""The attributes of imsss:rollupRules: whether the activity counts towards its parent's satisfaction,
completion and measure."""
CONSTRAINED_CHOICE = {"preventActivation": False, "constrainChoice": False}
"""adlseq:constrainedChoiceConsiderations."""
ROLLUP_CONSIDERATIONS = {"requiredForSatisfied": "always", "requiredForNotSatisfied": "always",
                         "requiredForCompleted": "always", "requiredForIncomplete": "always",
                         "measureSatisfactionIfActive": True}
"""adlseq:rollupConsiderations."""
ROLLUP_CONSIDERATION_VALUES = ("always", "ifAttempted", "ifNotSkipped", "ifNotSuspended")
RANDOMIZATION = {"randomizationTiming": "never", "reorderChildren": False, "selectionTiming": "never"}
"""imsss:randomizationControls (selectCount has no default: no selection)."""
TIMINGS = ("never", "once", "onEachNewAttempt")
MIN_NORMALIZED_MEASURE = 1.0
"""imsss:minNormalizedMeasure when a primary objective is satisfiedByMeasure without one."""
SATISFIED_BY_MEASURE = False
COMPLETION_THRESHOLD = {"completedByMeasure": False, "minProgressMeasure": 1.0, "progressWeight": 1.0}
"""adlcp:completionThreshold (4th edition attributes)."""
MAP_INFO = {"readSatisfiedStatus": True, "readNormalizedMeasure": True, "writeSatisfiedStatus": False,
            "writeNormalizedMeasure": False}
"""imsss:mapInfo: reads are on by default, writes off."""
ADL_MAP_INFO = {"readRawScore": True, "readMinScore": True, "readMaxScore": True, "readCompletionStatus": True,
                "readProgressMeasure": True, "writeRawScore": False, "writeMinScore": False, "writeMaxScore": False,
                "writeCompletionStatus": False, "writeProgressMeasure": False}
"""adlseq:mapInfo (4th edition's objective extension)."""
SHARED_DATA_MAP = {"readSharedData": True, "writeSharedData": False}
"""adlcp:map."""
RULE_CONDITION_COMBINATION = "all"
"""imsss:ruleConditions conditionCombination; imsss:rollupConditions defaults to ROLLUP_CONDITION_COMBINATION."""
ROLLUP_CONDITION_COMBINATION = "any"
CONDITION_OPERATORS = ("not", "noOp")
"""A condition's operator; noOp (the default) leaves the condition as it is."""
CHILD_ACTIVITY_SET = "all"
CHILD_ACTIVITY_SETS = ("all", "any", "none", "atLeastCount", "atLeastPercent")
RULE_CONDITIONS = ("satisfied", "objectiveStatusKnown", "objectiveMeasureKnown", "objectiveMeasureGreaterThan",
                   "objectiveMeasureLessThan", "completed", "activityProgressKnown", "attempted",
                   "attemptLimitExceeded", "timeLimitExceeded", "outsideAvailableTimeRange", "always")
PRE_CONDITION_ACTIONS = ("skip", "disabled", "hiddenFromChoice", "stopForwardTraversal")
EXIT_CONDITION_ACTIONS = ("exit",)
POST_CONDITION_ACTIONS = ("exitParent", "exitAll", "retry", "retryAll", "continue", "previous")
ROLLUP_CONDITIONS = ("satisfied", "objectiveStatusKnown", "objectiveMeasureKnown", "completed",
                     "activityProgressKnown", "attempted", "attemptLimitExceeded", "timeLimitExceeded",
                     "outsideAvailableTimeRange")
ROLLUP_ACTIONS = ("satisfied", "notSatisfied", "completed", "incomplete")
SATISFACTION_ACTIONS = ("satisfied", "notSatisfied")
COMPLETION_ACTIONS = ("completed", "incomplete")
HIDE_LMS_UI = ("continue", "previous", "exit", "exitAll", "abandon", "abandonAll", "suspendAll")
"""adlnav:hideLMSUI tokens."""
LIMIT_CONDITIONS = ("attemptLimit", "attemptAbsoluteDurationLimit", "attemptExperiencedDurationLimit",
                    "activityAbsoluteDurationLimit", "activityExperiencedDurationLimit", "beginTimeLimit",
                    "endTimeLimit")
"""imsss:limitConditions attributes; SCORM requires LMSs to honour attemptLimit and
attemptAbsoluteDurationLimit only."""

PROFILE = FormatProfile(
    format=PackageFormat.SCORM2004,
    title="SCORM 2004 4th edition",
    runtime_adapter=("runtime/scorm-api.js", "runtime/scorm2004.js"),
    suspend_limit=SUSPEND_DATA_LIMIT,
    text_response_limit=TEXT_LIMIT,
    manifest="imsmanifest.xml",
)
