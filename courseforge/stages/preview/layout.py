"""Small-screen layout checks of the screen a launched package shows now.

WCAG 2.1 reflow (1.4.10): at 320 CSS px wide nothing may need horizontal scrolling, so the document must
not be wider than its viewport and no element may stick out of it (on either side: right-to-left pages
overflow to the left). An element inside a scroll container that itself fits (a wide table in an
``overflow-x: auto`` box) is allowed: that is how reflow's exception for tables is met.
At a phone's 375x812 the screen's heading must be inside the first viewport, as loaded: a contents list
that pushes the content below the fold makes every screen start with scrolling.

:func:`check_layout` sizes the page to each viewport in turn and puts the original size back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Frame, Page, ViewportSize

from courseforge.model.preview import Finding, FindingSeverity
from courseforge.stages.preview.a11y import DESCRIBE_JS, MAX_TARGETS

OVERFLOW = "page.horizontal-overflow"
HEADING_BELOW_FOLD = "page.heading-below-fold"
HELP = {
    OVERFLOW: "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
    HEADING_BELOW_FOLD: "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
}
TOLERANCE_PX = 1
"""Sub-pixel rounding: a box 0.5 px past the edge makes no scroll bar."""


@dataclass(frozen=True)
class Viewport:
    width: int
    height: int

    @property
    def label(self) -> str:
        return f"{self.width}x{self.height}"


NARROW = Viewport(320, 640)
"""WCAG 2.1 reflow's 320 CSS px (a 1280 px window zoomed to 400 %)."""
PHONE = Viewport(375, 812)

SETTLE = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"

MEASURE_OVERFLOW = "(tolerance) => {\n" + DESCRIBE_JS + """
  const root = document.documentElement;
  const width = root.clientWidth;
  const outside = (rect) => rect.right > width + tolerance || rect.left < -tolerance;
  const clips = (el) => getComputedStyle(el).overflowX !== "visible";
  const contained = (el) => {
    for (let up = el.parentElement; up && up !== document.body && up !== root; up = up.parentElement) {
      if (clips(up)) return !outside(up.getBoundingClientRect());
    }
    return false;
  };
  const wide = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || !outside(rect) || !el.checkVisibility({visibilityProperty: true})) continue;
    if (!contained(el)) wide.add(el);
  }
  const outermost = [...wide].filter((el) => {
    for (let up = el.parentElement; up; up = up.parentElement) if (wide.has(up)) return false;
    return true;
  });
  return {scrollWidth: root.scrollWidth, clientWidth: width,
          elements: outermost.map((el) => {
            const rect = el.getBoundingClientRect();
            return describe(el) + " (" + Math.round(rect.left) + " to " + Math.round(rect.right) + " px)";
          })};
}"""

MEASURE_HEADING = "() => {\n" + DESCRIBE_JS + """
  window.scrollTo(0, 0);
  const visible = (el) => el.checkVisibility({visibilityProperty: true}) && el.getClientRects().length > 0;
  const heading = [...document.querySelectorAll("h1")].find(visible)
    || [...document.querySelectorAll("h2, [role=heading]")].find(visible);
  if (!heading) return null;
  const rect = heading.getBoundingClientRect();
  return {name: describe(heading), top: rect.top, bottom: rect.bottom, height: window.innerHeight};
}"""


def overflow_findings(frame: Frame, where: str, viewport: Viewport) -> list[Finding]:
    """Horizontal overflow of the frame's document as laid out now (at ``viewport``)."""
    measured = frame.evaluate(MEASURE_OVERFLOW, TOLERANCE_PX)
    return judge_overflow(measured, where, viewport)


def judge_overflow(measured: Mapping[str, Any], where: str, viewport: Viewport) -> list[Finding]:
    scroll_width, client_width = int(measured["scrollWidth"]), int(measured["clientWidth"])
    elements = [str(element) for element in measured["elements"]]
    if scroll_width <= client_width + TOLERANCE_PX and not elements:
        return []
    named = ", ".join(elements[:MAX_TARGETS]) + (f" and {len(elements) - MAX_TARGETS} more"
                                                 if len(elements) > MAX_TARGETS else "")
    message = (f"at {viewport.width} px wide the page scrolls sideways: the document is {scroll_width} px wide "
               f"in a {client_width} px viewport" + (f"; wider than the viewport: {named}" if named else ""))
    return [_finding(OVERFLOW, message, where)]


def heading_findings(frame: Frame, where: str, viewport: Viewport) -> list[Finding]:
    """Whether the screen's heading (its visible h1) is inside the first viewport, scrolled to the top."""
    measured = frame.evaluate(MEASURE_HEADING)
    return judge_heading(measured, where, viewport)


def judge_heading(measured: Mapping[str, Any] | None, where: str, viewport: Viewport) -> list[Finding]:
    if measured is None:
        return [_finding(HEADING_BELOW_FOLD, f"at {viewport.label} the screen shows no heading (h1) to look for",
                         where, FindingSeverity.WARNING)]
    top, bottom, height = float(measured["top"]), float(measured["bottom"]), float(measured["height"])
    if top >= -TOLERANCE_PX and bottom <= height + TOLERANCE_PX:
        return []
    return [_finding(HEADING_BELOW_FOLD, f"at {viewport.label} the screen's heading {measured['name']} spans "
                     f"{round(top)} to {round(bottom)} px, outside the first {round(height)} px: what comes "
                     "before it pushes it down", where)]


def check_layout(page: Page, frame: Frame, where: str) -> list[Finding]:
    """No sideways scrolling at 320 px and at 375x812, and the heading in the first viewport at 375x812."""
    original: ViewportSize | None = page.viewport_size
    findings: list[Finding] = []
    try:
        for viewport in (NARROW, PHONE):
            resize(page, frame, viewport)
            findings.extend(overflow_findings(frame, where, viewport))
        findings.extend(heading_findings(frame, where, PHONE))
    finally:
        if original is not None:
            page.set_viewport_size(original)
            frame.evaluate(SETTLE)
    return findings


def resize(page: Page, frame: Frame, viewport: Viewport) -> None:
    """The page's viewport to ``viewport``, then two animation frames so layout and resize handlers ran."""
    page.set_viewport_size({"width": viewport.width, "height": viewport.height})
    frame.evaluate(SETTLE)


def _finding(rule: str, message: str, where: str, severity: FindingSeverity = FindingSeverity.ERROR) -> Finding:
    return Finding(rule=rule, message=message, step=where, severity=severity, help_url=HELP[rule])
