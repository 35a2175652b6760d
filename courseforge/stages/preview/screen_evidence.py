"""The evidence a scenario run collects on each screen it reaches: screenshots, axe-core, layout, Tab walks.

A run with evidence, on the first arrival at each screen: a screenshot at the run's 1280x800, one at a
phone's 375x812 (the viewport put back afterwards), axe-core on what is shown, and the small-screen layout
check (``layout.py``). Quizzes are audited again in each state the learner puts them in (answered,
submitted with its feedback, the unanswered-questions dialog); the keyboard Tab walk runs on the first
screen and on the first quiz. Findings name the screen and state as their step; serious and critical axe
violations and layout problems are errors, moderate and minor axe ones warnings (``a11y.py``).

Looking changes nothing a learner did: screenshots and audits read the page, the Tab walk gives focus back.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Frame, Page, ViewportSize

from courseforge.model.preview import Finding, Screenshot, Timing
from courseforge.stages.preview import a11y
from courseforge.stages.preview.layout import PHONE, check_layout, resize

DESKTOP = ViewportSize(width=1280, height=800)
"""The viewport every scenario's browser context opens with (``scenarios.run_one``)."""


DESKTOP_SHOT = "desktop screenshot"
AXE = "axe-core"
SMALL_SCREENS = "small screens (layout check, phone screenshot)"
TAB_WALK = "Tab walk"
LOOKS = (DESKTOP_SHOT, AXE, SMALL_SCREENS, TAB_WALK)
LOOK_PREFIX = "look: "


def where(number: int, screen_id: str, state: str = "") -> str:
    """The step a look is reported at: ``screen 5 'safety-quiz': answered``."""
    return f"screen {number} '{screen_id}'" + (f": {state}" if state else "")


@dataclass
class ScreenEvidence:
    """One run's screenshots, accessibility and layout findings, and the seconds spent looking at each screen."""

    axe: a11y.AxeScript
    findings: list[Finding] = field(default_factory=list)
    screenshots: list[Screenshot] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    """``screen N`` -> seconds of looking at it, in the order the screens were reached."""
    spent: dict[str, float] = field(default_factory=dict)
    """Seconds of looking by kind (:data:`LOOKS`), for the benchmark's breakdown of the cost per page."""
    done: set[str] = field(default_factory=set)
    """The looks a run takes once and took already (a screen's arrival, the Tab walk of a quiz ...)."""

    def first_time(self, what: str) -> bool:
        """True the first time a run asks about ``what``: for the looks taken once per run."""
        if what in self.done:
            return False
        self.done.add(what)
        return True

    def arrival(self, page: Page, frame: Frame, number: int, screen_id: str, state: str = "") -> None:
        """The first arrival at a screen: both screenshots, axe-core and the layout check (and the Tab walk
        on the first screen). ``state`` names what a quiz shows then (``unanswered``)."""
        if not self.first_time(f"arrival at {screen_id}"):
            return
        started = time.monotonic()
        step = where(number, screen_id, state)
        with self._timed(DESKTOP_SHOT):
            self._shoot(page, where(number, screen_id), DESKTOP)
        with self._timed(AXE):
            self.findings.extend(a11y.audit(frame, step, self.axe))
        with self._timed(SMALL_SCREENS):
            self.findings.extend(check_layout(page, frame, step))
            resize(page, frame, PHONE)
            try:
                self._shoot(page, where(number, screen_id), ViewportSize(width=PHONE.width, height=PHONE.height))
            finally:
                page.set_viewport_size(DESKTOP)
        if number == 1:
            with self._timed(TAB_WALK):
                self.findings.extend(a11y.tab_walk(page, frame, f"{step}: Tab walk"))
        self._add_time(number, started)

    def state(self, frame: Frame, number: int, screen_id: str, state: str) -> None:
        """axe-core on a state the learner put the screen in (a quiz answered, submitted, asking)."""
        started = time.monotonic()
        with self._timed(AXE):
            self.findings.extend(a11y.audit(frame, where(number, screen_id, state), self.axe))
        self._add_time(number, started)

    def tab_walk(self, page: Page, frame: Frame, number: int, screen_id: str, state: str = "") -> None:
        """The keyboard Tab walk through the screen as it is now (focus is given back afterwards)."""
        started = time.monotonic()
        with self._timed(TAB_WALK):
            self.findings.extend(a11y.tab_walk(page, frame, f"{where(number, screen_id, state)}: Tab walk"))
        self._add_time(number, started)

    def timings(self) -> tuple[Timing, ...]:
        """Seconds per screen in the order reached, then per kind of look (``look: axe-core`` ...)."""
        per_screen = (Timing(label, seconds) for label, seconds in self.seconds.items())
        per_kind = (Timing(f"{LOOK_PREFIX}{kind}", self.spent[kind]) for kind in LOOKS if kind in self.spent)
        return (*per_screen, *per_kind)

    @contextlib.contextmanager
    def _timed(self, kind: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.spent[kind] = self.spent.get(kind, 0.0) + time.monotonic() - started

    def _shoot(self, page: Page, name: str, size: ViewportSize) -> None:
        self.screenshots.append(Screenshot(f"{name} at {size['width']}x{size['height']}", size["width"],
                                           size["height"], page.screenshot()))

    def _add_time(self, number: int, started: float) -> None:
        label = f"screen {number}"
        self.seconds[label] = self.seconds.get(label, 0.0) + time.monotonic() - started


def screen_evidence(axe_path: Path) -> ScreenEvidence:
    """A fresh record for one run, with axe-core read (once per process) from the harness's copy."""
    return ScreenEvidence(a11y.load_axe(axe_path))
