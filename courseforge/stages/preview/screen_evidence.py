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

import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Frame, Page, ViewportSize

from courseforge.model.preview import Finding, Screenshot, Timing
from courseforge.stages.preview import a11y
from courseforge.stages.preview.layout import PHONE, check_layout, resize

DESKTOP = ViewportSize(width=1280, height=800)
"""The viewport every scenario's browser context opens with (``scenarios.run_one``)."""


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
        self._shoot(page, where(number, screen_id), DESKTOP)
        self.findings.extend(a11y.audit(frame, step, self.axe))
        self.findings.extend(check_layout(page, frame, step))
        resize(page, frame, PHONE)
        try:
            self._shoot(page, where(number, screen_id), ViewportSize(width=PHONE.width, height=PHONE.height))
        finally:
            page.set_viewport_size(DESKTOP)
        if number == 1:
            self.findings.extend(a11y.tab_walk(page, frame, f"{step}: Tab walk"))
        self._add_time(number, started)

    def state(self, frame: Frame, number: int, screen_id: str, state: str) -> None:
        """axe-core on a state the learner put the screen in (a quiz answered, submitted, asking)."""
        started = time.monotonic()
        self.findings.extend(a11y.audit(frame, where(number, screen_id, state), self.axe))
        self._add_time(number, started)

    def tab_walk(self, page: Page, frame: Frame, number: int, screen_id: str, state: str = "") -> None:
        """The keyboard Tab walk through the screen as it is now (focus is given back afterwards)."""
        started = time.monotonic()
        self.findings.extend(a11y.tab_walk(page, frame, f"{where(number, screen_id, state)}: Tab walk"))
        self._add_time(number, started)

    def timings(self) -> tuple[Timing, ...]:
        return tuple(Timing(label, seconds) for label, seconds in self.seconds.items())

    def _shoot(self, page: Page, name: str, size: ViewportSize) -> None:
        self.screenshots.append(Screenshot(f"{name} at {size['width']}x{size['height']}", size["width"],
                                           size["height"], page.screenshot()))

    def _add_time(self, number: int, started: float) -> None:
        label = f"screen {number}"
        self.seconds[label] = self.seconds.get(label, 0.0) + time.monotonic() - started


def screen_evidence(axe_path: Path) -> ScreenEvidence:
    """A fresh record for one run, with axe-core read (once per process) from the harness's copy."""
    return ScreenEvidence(a11y.load_axe(axe_path))
