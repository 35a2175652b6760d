"""What the preview report shows, derived from the result model: shared by the HTML, JUnit and evidence writers.

Everything here is a pure function of a :class:`PreviewReport`, whatever the standard: the run order, the
timeline (each format's plug-in described its events as :class:`TimelineEntry` rows: SCORM calls, xAPI
statement and state writes), saved state decoded with the runtime's format v1 (``courseforge/model/
suspend.py``; SCORM suspend_data and the xAPI/cmi5 state document carry the same text), the interactions
of each launch's neutral record, and the file name each screenshot gets beside the report. Texts come
from packages that may be hostile or broken, so :func:`printable` makes any of them safe to put in XML
or HTML (after escaping).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from courseforge.model.preview import LaunchRecord, PreviewReport, PreviewRun, RecordedInteraction, TimelineEntry
from courseforge.model.suspend import BITSET_ALPHABET, FORMAT_VERSION
from courseforge.standards import profile_for

SCREENSHOTS_FOLDER = "screenshots"
SLUG_LENGTH = 60
TEXT_LIMIT = 10_000
"""Characters of one text the report shows (a hostile package could write megabytes on every call)."""
TIMELINE_LIMIT = 2_000
"""Rows of one run the timeline shows (a real scenario makes a few hundred; a runaway loop, millions)."""
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
    """Runs by package, locale, format, profile and scenario: the same report reads the same however it was
    gathered."""
    indexed = sorted(enumerate(report.runs), key=lambda pair: (_run_key(pair[1]), pair[0]))
    return tuple(run for _, run in indexed)


def _run_key(run: PreviewRun) -> tuple[str, str, str, str, str]:
    return (run.package, run.locale, run.format.value, run.profile, run.scenario)


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


def describe_suspend_data(text: str, limit: int) -> SuspendView:
    """``text`` decoded, against the ``limit`` of the standard that keeps it (``FormatProfile.suspend_limit``)."""
    if not text:
        return SuspendView(length=0, limit=limit, lines=(("Saved state", "empty: nothing saved yet"),))
    try:
        state = decode_suspend_data(text)
    except SuspendDataError as problem:
        return SuspendView(length=len(text), limit=limit, error=str(problem))
    lines = [("Screens visited", _positions(state.visited))]
    lines.extend((f"Quiz {number}", _quiz_line(quiz)) for number, quiz in enumerate(state.quizzes, start=1))
    lines.append(("Checklist items attested", _positions(state.checked)))
    lines.append(("Surveys submitted", _positions(state.submitted)))
    return SuspendView(length=len(text), limit=limit, lines=tuple(lines))


def _positions(positions: Sequence[int]) -> str:
    return ", ".join(f"#{position}" for position in positions) if positions else "none"


def _quiz_line(quiz: QuizState) -> str:
    attempts = f"{quiz.attempts} attempt" + ("" if quiz.attempts == 1 else "s")
    best = "not submitted" if quiz.best is None else f"best {quiz.best:g} %"
    return f"{attempts}, {best}, questions right: {_positions(quiz.correct)}"


# --- the timeline -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    at_ms: float
    method: str
    element: str
    value: str
    result: str
    error: str
    failed: bool
    """The LMS refused it: returned "false", an error code, an HTTP error."""
    error_name: str = ""
    means: str = ""
    """What it meant in neutral terms (``score 85; success passed``)."""
    suspend: SuspendView | None = None


LaunchRows = tuple[tuple[int, tuple[TimelineRow, ...]], ...]
"""Timeline rows by launch: (launch number, rows)."""


def timeline(run: PreviewRun, limit: int = TIMELINE_LIMIT) -> LaunchRows:
    """The run's first ``limit`` timeline rows, grouped by launch: (launch number, rows)."""
    state_limit = profile_for(run.format).suspend_limit
    rows = [(entry.launch, _timeline_row(entry, state_limit)) for entry in run.timeline[:limit]]
    return tuple((launch, tuple(row for _, row in group)) for launch, group in groupby(rows, key=lambda r: r[0]))


def _timeline_row(entry: TimelineEntry, state_limit: int) -> TimelineRow:
    return TimelineRow(at_ms=entry.at_ms, method=entry.call, element=entry.element, value=entry.value,
                       result=entry.result, error=entry.error, failed=entry.failed, error_name=entry.error_name,
                       means=entry.means,
                       suspend=describe_suspend_data(entry.value, state_limit) if entry.state else None)


# --- interactions and the final record -----------------------------------------------------------------


@dataclass(frozen=True)
class InteractionView:
    launch: int
    index: int
    id: str
    type: str
    response: str
    result: str
    correct_patterns: tuple[str, ...]
    other: tuple[tuple[str, str], ...]
    """Everything else the LMS holds for it, by the standard's names (weighting, latency ...), sorted."""


def _interaction(launch: int, index: int, held: RecordedInteraction, shown: frozenset[str]) -> InteractionView:
    other = tuple(sorted((name, value) for name, value in held.values if name not in shown
                         and not (name.startswith("correct_responses.") and name.endswith(".pattern"))))
    return InteractionView(launch=launch, index=index, id=held.id, type=held.type, response=held.response,
                           result=held.result, correct_patterns=held.patterns, other=other)


SHOWN = frozenset({"id", "type", "student_response", "learner_response", "response", "result"})
"""Element names the interaction columns already show."""


def launch_interactions(run: PreviewRun) -> tuple[InteractionView, ...]:
    """The interactions each launch added to what the LMS held before it (by id), launch by launch."""
    views: list[InteractionView] = []
    before: set[str] = set()
    for launch, record in enumerate(run.launches, start=1):
        for index, held in enumerate(record.interactions):
            if held.id not in before:
                views.append(_interaction(launch, index, held, SHOWN))
        before = {held.id for held in record.interactions}
    return tuple(views)


def held_interactions(run: PreviewRun) -> tuple[InteractionView, ...]:
    """What the LMS holds at the end."""
    if not run.launches:
        return ()
    return tuple(_interaction(0, index, held, SHOWN) for index, held in enumerate(run.launches[-1].interactions))


def final_record(run: PreviewRun) -> LaunchRecord | None:
    return run.launches[-1] if run.launches else None


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
