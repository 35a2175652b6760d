"""What the preview report shows, derived from the result model: shared by the HTML, JUnit and evidence writers.

Everything here is a pure function of a :class:`PreviewReport`: the run order, the CMI timeline as rows,
suspend_data decoded with the runtime's format v1 (``courseforge/model/suspend.py``), interactions grouped
by index, and the file name each screenshot gets beside the report. Texts come from packages that may be
hostile or broken, so :func:`printable` makes any of them safe to put in XML or HTML (after escaping).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from courseforge.model.preview import ApiEvent, PreviewReport, PreviewRun
from courseforge.model.suspend import BITSET_ALPHABET, FORMAT_VERSION
from courseforge.standards.scorm12 import SUSPEND_DATA_LIMIT as SCORM12_SUSPEND_LIMIT

SUSPEND_ELEMENT = "cmi.suspend_data"
INTERACTION = re.compile(r"cmi\.interactions\.(\d+)\.(.+)")
CORRECT_PATTERN = re.compile(r"correct_responses\.(\d+)\.pattern")
INTERACTION_FIELDS = ("id", "type", "student_response", "result", "weighting", "latency", "time")
SCORM12_ERRORS = {
    "101": "General exception", "201": "Invalid argument error", "202": "Element cannot have children",
    "203": "Element not an array, cannot have count", "301": "Not initialized", "401": "Not implemented error",
    "402": "Invalid set value, element is a keyword", "403": "Element is read only", "404": "Element is write only",
    "405": "Incorrect data type",
}
"""SCORM 1.2 RTE error codes (LMSGetLastError), named as LMSGetErrorString names them."""
SCREENSHOTS_FOLDER = "screenshots"
SLUG_LENGTH = 60
TEXT_LIMIT = 10_000
"""Characters of one text the report shows: more than twice SCORM 1.2's suspend_data limit."""
TIMELINE_LIMIT = 2_000
"""Calls of one run the timeline shows (a real scenario makes a few hundred; a runaway loop, millions)."""
"""Characters of one text the report shows: more than twice SCORM 1.2's suspend_data limit."""
BASE36 = re.compile(r"[0-9a-z]{1,2}")
HUNDREDTHS = re.compile(r"[0-9a-z]{3}")
# Characters XML 1.0 cannot carry, C1 controls and the bidi overrides that could make a line read
# differently than it is stored ("Trojan source"): shown as visible escapes instead.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def printable(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` with every character that XML cannot hold or that hides what a line says as ``\\xNN``/``\\uNNNN``,
    cut at ``limit`` characters (a hostile package could write megabytes on every call)."""
    if len(text) > limit:
        text = f"{text[:limit]} … ({len(text) - limit:,} more characters)"
    return UNPRINTABLE.sub(lambda match: _escape_char(match.group()), text)


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def ordered_runs(report: PreviewReport) -> tuple[PreviewRun, ...]:
    """Runs by package, locale, profile and scenario: the same report reads the same however it was gathered."""
    indexed = sorted(enumerate(report.runs), key=lambda pair: (_run_key(pair[1]), pair[0]))
    return tuple(run for _, run in indexed)


def _run_key(run: PreviewRun) -> tuple[str, str, str, str]:
    return (run.package, run.locale, run.profile, run.scenario)


def element_order(element: str) -> tuple[tuple[int, str], ...]:
    """Sort key for data model elements with their indexes as numbers: interactions.2 before interactions.10."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in element.split("."))


# --- suspend_data, format v1 -------------------------------------------------------------------------


class SuspendDataError(ValueError):
    """The text is not what the courseforge runtime writes (a vendor package, or a broken save)."""


@dataclass(frozen=True)
class QuizState:
    attempts: int
    best: float | None
    """Best score in percent (whole, or to hundredths), None before the first submission."""
    correct: tuple[int, ...]
    """1-based positions of the quiz's questions answered correctly in the best attempt."""


@dataclass(frozen=True)
class SuspendState:
    """Positions (1-based, in course order) of what the saved state marks as done."""

    visited: tuple[int, ...]
    quizzes: tuple[QuizState, ...]
    checked: tuple[int, ...]
    submitted: tuple[int, ...]


def decode_bits(text: str) -> tuple[int, ...]:
    """1-based positions of the bits set; 6 bits a character, least significant first."""
    positions: list[int] = []
    for index, char in enumerate(text):
        value = BITSET_ALPHABET.find(char)
        if value < 0:
            raise SuspendDataError(f"{char!r} is not a bit set character")
        positions.extend(index * 6 + bit + 1 for bit in range(6) if value & (1 << bit))
    return tuple(positions)


def decode_quiz(text: str) -> QuizState:
    parts = text.split(".")
    if len(parts) != 3 or not BASE36.fullmatch(parts[0]):
        raise SuspendDataError(f"quiz entry {text!r} is not <attempts>.<best>.<right>")
    best = _decode_best(parts[1])
    if best is not None and best > 100:
        raise SuspendDataError(f"quiz entry {text!r} has a best score above 100")
    return QuizState(attempts=int(parts[0], 36), best=best, correct=decode_bits(parts[2]))


def _decode_best(text: str) -> float | None:
    """Whole percent in 1-2 base-36 digits, hundredths of a percent in exactly 3, empty before a submission."""
    if not text:
        return None
    if HUNDREDTHS.fullmatch(text):
        return int(text, 36) / 100
    if BASE36.fullmatch(text):
        return int(text, 36)
    raise SuspendDataError(f"best score {text!r} is not 1-3 base-36 digits")


def decode_suspend_data(text: str) -> SuspendState:
    """The state the runtime saved: ``1~<screens>~<quizzes>~<checklist items>~<surveys>``."""
    sections = text.split("~")
    counted = all(re.fullmatch(r"[0-9a-z]{1,4}", count) for count in sections[5:])  # a 6th: interactions written
    if len(sections) not in (5, 6) or sections[0] != FORMAT_VERSION or not counted:
        raise SuspendDataError(f"not format v{FORMAT_VERSION} (five or six sections, the first {FORMAT_VERSION!r})")
    quizzes = tuple(decode_quiz(entry) for entry in sections[2].split(",")) if sections[2] else ()
    return SuspendState(visited=decode_bits(sections[1]), quizzes=quizzes, checked=decode_bits(sections[3]),
                        submitted=decode_bits(sections[4]))


@dataclass(frozen=True)
class SuspendView:
    """suspend_data as a reader wants it: labelled lines, or why it could not be decoded."""

    length: int
    limit: int
    lines: tuple[tuple[str, str], ...] = ()
    error: str = ""


def describe_suspend_data(text: str) -> SuspendView:
    if not text:
        return SuspendView(length=0, limit=SCORM12_SUSPEND_LIMIT, lines=(("Saved state", "empty: nothing saved yet"),))
    try:
        state = decode_suspend_data(text)
    except SuspendDataError as problem:
        return SuspendView(length=len(text), limit=SCORM12_SUSPEND_LIMIT, error=str(problem))
    lines = [("Screens visited", _positions(state.visited))]
    lines.extend((f"Quiz {number}", _quiz_line(quiz)) for number, quiz in enumerate(state.quizzes, start=1))
    lines.append(("Checklist items attested", _positions(state.checked)))
    lines.append(("Surveys submitted", _positions(state.submitted)))
    return SuspendView(length=len(text), limit=SCORM12_SUSPEND_LIMIT, lines=tuple(lines))


def _positions(positions: Sequence[int]) -> str:
    return ", ".join(f"#{position}" for position in positions) if positions else "none"


def _quiz_line(quiz: QuizState) -> str:
    attempts = f"{quiz.attempts} attempt" + ("" if quiz.attempts == 1 else "s")
    best = "not submitted" if quiz.best is None else f"best {quiz.best:g} %"
    return f"{attempts}, {best}, questions right: {_positions(quiz.correct)}"


# --- the CMI timeline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    at_ms: float
    method: str
    element: str
    value: str
    result: str
    error: str
    failed: bool
    """The call returned "false" or left an error code: the LMS refused it."""
    suspend: SuspendView | None = None

    @property
    def error_name(self) -> str:
        """What a non-zero SCORM 1.2 error code means, empty when unknown (another standard's code)."""
        return SCORM12_ERRORS.get(self.error, "")


def launch_numbers(events: Sequence[ApiEvent]) -> tuple[int, ...]:
    """The launch (1, 2 ...) each call belongs to. A run's events are its launches one after another and
    times restart with each launch, so a new launch begins where time goes back, or at an initialize
    call after a finish (content that initializes twice in one launch stays in that launch)."""
    numbers: list[int] = []
    launch, previous_ms, finished = 1, -math.inf, False
    for event in events:
        if numbers and (event.at_ms < previous_ms or (finished and event.method.endswith("Initialize"))):
            launch, finished = launch + 1, False
        finished = finished or event.method.endswith(("Finish", "Terminate"))
        previous_ms = event.at_ms
        numbers.append(launch)
    return tuple(numbers)


LaunchRows = tuple[tuple[int, tuple[TimelineRow, ...]], ...]
"""Timeline rows by launch: (launch number, rows)."""


def timeline(events: Sequence[ApiEvent], limit: int = TIMELINE_LIMIT) -> LaunchRows:
    """The first ``limit`` calls as rows, grouped by launch: (launch number, rows)."""
    numbered = zip(launch_numbers(events), events[:limit], strict=False)
    rows = [(launch, _timeline_row(event)) for launch, event in numbered]
    return tuple((launch, tuple(row for _, row in group)) for launch, group in groupby(rows, key=lambda r: r[0]))


def _timeline_row(event: ApiEvent) -> TimelineRow:
    """Element and value for the data-model calls: the value written, or for a read the value returned."""
    is_read = event.method.endswith("GetValue")
    is_value_call = is_read or event.method.endswith("SetValue")
    element = event.arguments[0] if is_value_call and event.arguments else ""
    if is_read:
        value, result = event.result, ""
    elif is_value_call:
        value, result = (event.arguments[1] if len(event.arguments) > 1 else ""), event.result
    else:
        value, result = " ".join(event.arguments), event.result
    return TimelineRow(at_ms=event.at_ms, method=event.method, element=element, value=value, result=result,
                       error=event.error, failed=event.result == "false" or event.error not in ("0", ""),
                       suspend=describe_suspend_data(value) if element == SUSPEND_ELEMENT else None)


# --- interactions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InteractionView:
    launch: int
    index: int
    fields: tuple[tuple[str, str], ...]
    """The INTERACTION_FIELDS in that order (empty when never written)."""
    correct_patterns: tuple[str, ...]
    other: tuple[tuple[str, str], ...]
    """Any other element written (objectives.n.id ...), sorted."""

    def field(self, name: str) -> str:
        return dict(self.fields).get(name, "")


def interactions_written(events: Sequence[ApiEvent]) -> tuple[InteractionView, ...]:
    """The interactions the content recorded, from its LMSSetValue calls (SCORM 1.2 makes them write-only),
    per launch: a new attempt may write its interactions at the same indexes again."""
    writes = ((launch, event.arguments[0], event.arguments[1])
              for launch, event in zip(launch_numbers(events), events, strict=True)
              if event.method.endswith("SetValue") and len(event.arguments) > 1)
    return group_interactions(writes)


def group_interactions(writes: Iterable[tuple[int, str, str]]) -> tuple[InteractionView, ...]:
    """(launch, element, value) in the order written, grouped by launch and interaction index; a later write wins."""
    grouped: dict[tuple[int, int], dict[str, str]] = {}
    for launch, element, value in writes:
        match = INTERACTION.fullmatch(element)
        if match:
            grouped.setdefault((launch, int(match.group(1))), {})[match.group(2)] = value
    return tuple(_interaction(key, grouped[key]) for key in sorted(grouped))


def _interaction(key: tuple[int, int], written: dict[str, str]) -> InteractionView:
    patterns = sorted((int(m.group(1)), value) for name, value in written.items()
                      if (m := CORRECT_PATTERN.fullmatch(name)))
    known = set(INTERACTION_FIELDS)
    other = sorted((name, value) for name, value in written.items()
                   if name not in known and not CORRECT_PATTERN.fullmatch(name))
    fields = tuple((name, written.get(name, "")) for name in INTERACTION_FIELDS)
    return InteractionView(launch=key[0], index=key[1], fields=fields,
                           correct_patterns=tuple(value for _, value in patterns), other=tuple(other))


# --- screenshot files ---------------------------------------------------------------------------------


def slug(text: str, fallback: str) -> str:
    """Lower-case ASCII letters, digits and single hyphens: never a dot, slash or anything a shell treats."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    return "-".join(words)[:SLUG_LENGTH].strip("-") or fallback


def screenshot_paths(runs: Sequence[PreviewRun]) -> dict[tuple[int, int], str]:
    """(run index, screenshot index) -> ``screenshots/<run>--<shot>-<digest>.png`` relative to the report.

    The digest (of the full names) tells apart runs whose slugs agree; a counter settles exact duplicates.
    """
    paths: dict[tuple[int, int], str] = {}
    taken: set[str] = set()
    for run_index, run in enumerate(runs):
        for shot_index, shot in enumerate(run.screenshots):
            digest = hashlib.sha256(f"{run.name}\0{shot.name}".encode("utf-8", "surrogatepass")).hexdigest()[:8]
            stem = f"{slug(run.name, 'run')}--{slug(shot.name, 'screenshot')}-{digest}"
            name, counter = stem, 1
            while name in taken:
                counter += 1
                name = f"{stem}-{counter}"
            taken.add(name)
            paths[(run_index, shot_index)] = f"{SCREENSHOTS_FOLDER}/{name}.png"
    return paths
