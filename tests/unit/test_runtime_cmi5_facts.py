"""runtime/cmi5.js carries the cmi5 facts of standards/cmi5.py (it cannot import them): held equal here."""

from __future__ import annotations

import re
from importlib import resources

from courseforge.standards import cmi5

SOURCE = (resources.files("courseforge") / "themes" / "default" / "runtime" / "cmi5.js").read_text(encoding="utf-8")
ASSIGNMENT = re.compile(r'^\s*var ([A-Z0-9_]+) = ((?:[A-Z0-9_]+ \+ )?"[^"]*");$', re.MULTILINE)


def constants() -> dict[str, str]:
    """``var NAME = "text";`` and ``var NAME = OTHER + "text";`` resolved in order."""
    found: dict[str, str] = {}
    for name, expression in ASSIGNMENT.findall(SOURCE):
        prefix, _, literal = expression.rpartition(" + ")
        found[name] = (found[prefix] if prefix else "") + literal.strip('"')
    return found


def test_the_runtime_names_the_same_iris_and_ids_as_the_standard() -> None:
    js = constants()
    assert js["CATEGORY_CMI5"] == cmi5.CATEGORY_CMI5
    assert js["CATEGORY_MOVEON"] == cmi5.CATEGORY_MOVEON
    assert js["EXT_MASTERY"] == cmi5.EXT_MASTERY_SCORE
    assert js["EXT_PROGRESS"] == cmi5.EXT_PROGRESS
    assert js["LAUNCH_DATA"] == cmi5.LAUNCH_DATA_STATE_ID
    assert js["PREFERENCES"] == cmi5.LEARNER_PREFERENCES_PROFILE_ID
    assert js["STATE_ID"] == cmi5.RESUME_STATE_ID
    for verb in ("INITIALIZED", "COMPLETED", "PASSED", "FAILED", "TERMINATED"):
        assert js["VERBS"] + verb.lower() == cmi5.Verb[verb].value


def test_the_runtime_reads_every_launch_parameter_and_launch_mode() -> None:
    launch = re.search(r"var LAUNCH = \[([^\]]*)\];", SOURCE)
    assert launch is not None
    assert tuple(re.findall(r'"([^"]+)"', launch.group(1))) == cmi5.LAUNCH_PARAMETERS
    modes = re.search(r"var MODES = \{([^}]*)\};", SOURCE)
    assert modes is not None
    assert set(re.findall(r"(\w+): \"", modes.group(1))) == {mode.value for mode in cmi5.LaunchMode}
