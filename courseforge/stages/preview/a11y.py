"""Accessibility audits of a launched package: axe-core in the content frame, and a keyboard Tab walk.

axe-core (npm, pinned by the harness) judges what it can see in the DOM against WCAG 2.0/2.1/2.2 A and AA
(:data:`AXE_TAGS`): serious and critical violations are errors, moderate and minor ones warnings, each
finding named ``a11y.<axe rule id>`` with axe's help page and the selectors of the offending nodes.

What axe cannot see needs a keyboard: :func:`tab_walk` presses Tab through the frame as a learner would
and proves that every interactive control is reached (``a11y.keyboard-unreachable``: a button taken out
of the tab order, a ``<div>`` with only a click handler), that each one shows a visible focus indicator
(``a11y.focus-not-visible``: its computed outline, box shadow, border, background or colour, or those of
its label and parents, change when it takes focus) and that focus moves on and leaves the content again
(``a11y.keyboard-trap``; cycling inside an open modal dialog is what a dialog must do, so it is not one).
Click-only elements are found from the listeners Chromium reports (DevTools' ``getEventListeners``) and
from their pointer cursor; delegated listeners on containers holding real controls are not controls.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page

from courseforge.model.preview import Finding, FindingSeverity

AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21aa", "wcag22aa")
ERROR_IMPACTS = frozenset({"serious", "critical"})
MAX_TARGETS = 5
"""Selectors named per finding; the rest are counted."""
FRAME_WAIT_MS = 5000
"""How long axe waits for a nested frame's answer (its default, 60 s, would stall a run on a dead frame)."""

UNREACHABLE = "a11y.keyboard-unreachable"
FOCUS_NOT_VISIBLE = "a11y.focus-not-visible"
KEYBOARD_TRAP = "a11y.keyboard-trap"
UNDERSTANDING = "https://www.w3.org/WAI/WCAG22/Understanding/"
HELP = {
    UNREACHABLE: UNDERSTANDING + "keyboard.html",
    FOCUS_NOT_VISIBLE: UNDERSTANDING + "focus-visible.html",
    KEYBOARD_TRAP: UNDERSTANDING + "no-keyboard-trap.html",
}
EXTRA_TAB_PRESSES = 25
"""Tab presses per further batch, when focus has not left after one press per control: for stops that are
not controls (scroll regions, nested frames)."""


# ------------------------------------------------------------------------------------ axe-core

@dataclass(frozen=True)
class AxeScript:
    """axe-core's browser bundle (``axe.min.js``), read once and injected into each document audited."""

    source: str
    origin: str


@functools.cache
def load_axe(path: Path) -> AxeScript:
    return AxeScript(path.read_text(encoding="utf-8"), str(path))


def default_axe() -> AxeScript:
    """axe-core as the harness finds it (project, checkout or user cache; see ``harness/runtime.py``)."""
    from courseforge.stages.preview.harness.runtime import find_runtime

    return load_axe(find_runtime().axe_core.path)


RUN_AXE = """async ({tags, frameWaitTime}) => {
  const result = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"], frameWaitTime,
  });
  const selector = (target) => (Array.isArray(target) ? target.join(" >>> ") : String(target));
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.map((node) => node.target.map(selector).join(" >>> ")),
  }));
}"""


def _inject_axe(frame: Frame, axe: AxeScript) -> None:
    """axe into the frame and every frame below it (axe audits nested frames through their own copy).

    Evaluated through the DevTools protocol rather than added as a ``<script>``: a package's Content
    Security Policy may forbid inline scripts, and must not hide its pages from the audit."""
    for each in _frame_tree(frame):
        with contextlib.suppress(PlaywrightError):  # a nested frame may detach or not load: axe skips it
            if not each.evaluate("() => typeof window.axe === 'object'"):
                each.evaluate(axe.source + "\n;0")


def _frame_tree(frame: Frame) -> Iterable[Frame]:
    yield frame
    for child in frame.child_frames:
        yield from _frame_tree(child)


def audit(frame: Frame, where: str, axe: AxeScript | None = None) -> list[Finding]:
    """axe-core's WCAG 2.x A/AA violations in ``frame`` as it is now, as findings at step ``where``."""
    _inject_axe(frame, axe or default_axe())
    violations = frame.evaluate(RUN_AXE, {"tags": list(AXE_TAGS), "frameWaitTime": FRAME_WAIT_MS})
    return axe_findings(violations, where)


def axe_findings(violations: Sequence[Mapping[str, Any]], where: str) -> list[Finding]:
    """Findings from axe's violations (``id``, ``impact``, ``help``, ``helpUrl``, ``targets``)."""
    return [_axe_finding(violation, where) for violation in violations]


def _axe_finding(violation: Mapping[str, Any], where: str) -> Finding:
    impact = str(violation.get("impact") or "minor")
    severity = FindingSeverity.ERROR if impact in ERROR_IMPACTS else FindingSeverity.WARNING
    targets = [str(target) for target in violation.get("targets", ())]
    message = f"{violation.get('help', violation['id'])} ({impact}): {_named(targets)}"
    return Finding(rule=f"a11y.{violation['id']}", message=message, step=where, severity=severity,
                   help_url=str(violation.get("helpUrl", "")))


def _named(targets: Sequence[str]) -> str:
    shown = ", ".join(targets[:MAX_TARGETS])
    more = len(targets) - MAX_TARGETS
    return f"{shown} and {more} more" if more > 0 else shown


# ------------------------------------------------------------------------------------ keyboard

DESCRIBE_JS = """const describe = (el) => {
  const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
  const raw = el.getAttribute("aria-label") || label || el.innerText || el.textContent || el.value
    || el.getAttribute("title") || "";
  const name = raw.replace(/\\s+/g, " ").trim().slice(0, 60);
  let selector = el.tagName.toLowerCase();
  if (el.id) selector += "#" + CSS.escape(el.id);
  else if (el.classList.length) selector += "." + [...el.classList].map((c) => CSS.escape(c)).join(".");
  return name ? selector + ' "' + name + '"' : selector;
};
"""
"""A JavaScript ``describe(element)``: its selector and accessible-ish name, for messages."""

MARK_LISTENERS = """(() => {
  const kinds = ["click", "mousedown", "mouseup", "pointerdown", "pointerup", "touchstart", "touchend"];
  const marked = new Set();
  for (const el of document.querySelectorAll("body *")) {
    const listeners = getEventListeners(el);
    if (kinds.some((kind) => listeners[kind] && listeners[kind].length)) marked.add(el);
  }
  window.__courseforgeClickListeners = marked;
  return marked.size;
})()"""
"""Runs through CDP with DevTools' command line API, in the frame's own JavaScript context."""

SETUP_WALK = "() => {\n" + DESCRIBE_JS + """
  const NATIVE = "a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, iframe, "
    + "[contenteditable]:not([contenteditable=false]), audio[controls], video[controls]";
  const ROLES = new Set(["button", "link", "checkbox", "radio", "switch", "tab", "menuitem", "menuitemcheckbox",
    "menuitemradio", "option", "slider", "spinbutton", "textbox", "combobox", "searchbox", "treeitem"]);
  const rendered = (el) => !el.closest("[inert]") && el.checkVisibility({visibilityProperty: true})
    && el.getClientRects().length > 0;
  const listened = window.__courseforgeClickListeners || new Set();
  const pointer = (el) => getComputedStyle(el).cursor === "pointer"
    && !(el.parentElement && getComputedStyle(el.parentElement).cursor === "pointer");
  const clickOnly = (el) => (listened.has(el) || el.hasAttribute("onclick") || pointer(el))
    && !el.closest("label") && !el.closest(NATIVE) && !el.querySelector(NATIVE + ", [tabindex]");
  const control = (el) => el.matches(NATIVE) || ROLES.has(el.getAttribute("role"))
    || (el.hasAttribute("tabindex") && el.tabIndex >= 0) || clickOnly(el);
  const modal = document.querySelector("dialog:modal")
    || [...document.querySelectorAll("[aria-modal=true]")].find((el) => rendered(el));
  const controls = [...(modal || document.body).querySelectorAll("*")]
    .filter((el) => rendered(el) && !el.matches(":disabled") && control(el));
  const groupOf = (el) => (el.type === "radio" && el.name ? "radio:" + el.name : null);
  const firstOfGroup = new Map();
  const keys = controls.map((el, index) => {
    const group = groupOf(el);
    if (group === null) return index;
    if (!firstOfGroup.has(group)) firstOfGroup.set(group, index);
    return firstOfGroup.get(group);
  });
  const look = (el) => {
    const related = [el, ...(el.labels || []), el.parentElement, el.parentElement && el.parentElement.parentElement];
    return related.filter(Boolean).map((node) => {
      const s = getComputedStyle(node);
      const outline = s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0 ? "none"
        : [s.outlineStyle, s.outlineWidth, s.outlineColor].join(" ");
      const borders = ["Top", "Right", "Bottom", "Left"].map((side) =>
        s["border" + side + "Style"] + s["border" + side + "Width"] + s["border" + side + "Color"]);
      return [outline, s.boxShadow, borders.join(","), s.backgroundColor, s.color, s.textDecorationLine].join("|");
    }).join(";");
  };
  const root = document.documentElement;
  const state = {controls, keys, look, describe, others: [], log: [], root: root.getAttribute("tabindex"),
    scroll: [window.scrollX, window.scrollY], modal: Boolean(modal), focused: document.activeElement};
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  if (!modal) {  // Tab from the top of the document: the start point follows the focused <html>
    root.setAttribute("tabindex", "-1");
    root.focus({preventScroll: true});
  }
  state.baseline = controls.map(look);
  window.__courseforgeTabWalk = state;
  return {count: controls.length, modal: Boolean(modal), names: controls.map(describe), keys};
}"""

RECORD_FOCUS = """() => {
  const state = window.__courseforgeTabWalk;
  const record = (stop) => state.log.push(stop);
  const stopAt = (el) => {
    const index = state.controls.indexOf(el);
    if (index >= 0) {
      return {where: "control", id: "control " + index, key: state.keys[index],
              visible: state.look(el) !== state.baseline[index], name: state.describe(el)};
    }
    if (!state.others.includes(el)) state.others.push(el);
    return {where: "other", id: "other " + state.others.indexOf(el), name: state.describe(el)};
  };
  state.onFocus = (event) => {
    const el = event.target;
    if (el === document.documentElement || el === document.body) record({where: "outside"});
    else if (el.tagName === "IFRAME" || el.tagName === "FRAME") record({where: "nested"});
    else record(stopAt(el));
  };
  state.onLeave = (event) => {
    if (event.type === "focusout" && event.relatedTarget) return;
    const active = document.activeElement;
    record({where: active && (active.tagName === "IFRAME" || active.tagName === "FRAME") ? "nested" : "outside"});
  };
  // Transitions off while walking: a focus ring that fades in must be judged by where it ends.
  state.still = new CSSStyleSheet();
  state.still.replaceSync("*, *::before, *::after { transition: none !important; }");
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, state.still];
  document.addEventListener("focusin", state.onFocus, true);
  document.addEventListener("focusout", state.onLeave, true);
  window.addEventListener("blur", state.onLeave);
}"""
"""Logs every focus change from now on: the stop (and whether the control looks different from its unfocused
self at that moment, :focus-visible applied) or ``outside`` when focus leaves the document."""

READ_LOG = "() => window.__courseforgeTabWalk.log"

END_WALK = """() => {
  const state = window.__courseforgeTabWalk;
  const root = document.documentElement;
  if (state.root === null) root.removeAttribute("tabindex"); else root.setAttribute("tabindex", state.root);
  if (state.focused && state.focused !== document.body && state.focused.isConnected) {
    state.focused.focus({preventScroll: true});
  } else if (document.activeElement && document.activeElement !== document.body) {
    document.activeElement.blur();
  }
  window.scrollTo(state.scroll[0], state.scroll[1]);
  if (state.still) document.adoptedStyleSheets = document.adoptedStyleSheets.filter((sheet) => sheet !== state.still);
  if (state.onFocus) {
    document.removeEventListener("focusin", state.onFocus, true);
    document.removeEventListener("focusout", state.onLeave, true);
    window.removeEventListener("blur", state.onLeave);
  }
  delete window.__courseforgeTabWalk;
}"""


@dataclass(frozen=True)
class TabStop:
    """Where one Tab press left focus: a control of the walk, another element, or out of the frame."""

    where: str
    """``control``, ``other``, ``nested`` (inside a frame below) or ``outside``."""
    id: str = ""
    key: int = -1
    """The control's reachability key: its own index, or its radio group's first radio."""
    visible: bool = False
    name: str = ""

    @classmethod
    def from_js(cls, raw: Mapping[str, Any]) -> TabStop:
        return cls(str(raw["where"]), str(raw.get("id", "")), int(raw.get("key", -1)),
                   bool(raw.get("visible", False)), str(raw.get("name", "")))


@dataclass(frozen=True)
class TabWalk:
    """What a Tab walk saw: the controls it looked for, and each stop in order."""

    controls: tuple[str, ...]
    """Each control's description, by index."""
    keys: tuple[int, ...]
    """Each control's reachability key: radio buttons of one group share their first radio's (Tab reaches one
    of them, the arrow keys the rest)."""
    stops: tuple[TabStop, ...]
    modal: bool
    """A modal dialog was open: only its controls count and focus may cycle inside it."""
    left: bool
    """Focus left the frame (or cycled inside the open modal) before the presses ran out."""


def tab_walk(page: Page, frame: Frame, where: str = "keyboard") -> list[Finding]:
    """Presses Tab through ``frame`` from its top; findings for unreachable controls, invisible focus and traps.

    The element that had focus gets it back afterwards, and the frame its scroll position, so a learner
    driving the page carries on where it was."""
    return walk_findings(walk(page, frame), where)


def walk(page: Page, frame: Frame) -> TabWalk:
    """The Tab walk itself: sets focus to the top of the frame, then presses Tab in batches (the page logs
    each focus change) until focus has left the frame, come back to a stop already seen, or the presses
    (twice one per control, plus margins) run out."""
    _mark_click_listeners(page, frame)
    setup = frame.evaluate(SETUP_WALK)
    count, modal = int(setup["count"]), bool(setup["modal"])
    budget = 2 * (count + EXTRA_TAB_PRESSES)
    try:
        frame.evaluate(RECORD_FOCUS)
        batch, pressed = count + 2, 0  # enough when each control is one stop: then focus leaves
        while True:
            for _ in range(batch):
                page.keyboard.press("Tab")
            pressed += batch
            stops, ended = follow([TabStop.from_js(entry) for entry in frame.evaluate(READ_LOG)], count, modal)
            if ended or pressed >= budget:
                break
            batch = EXTRA_TAB_PRESSES
    finally:
        with contextlib.suppress(PlaywrightError):
            frame.evaluate(END_WALK)
    left = modal or not count or (ended and stops[-1].where == "outside")
    return TabWalk(tuple(str(name) for name in setup["names"]), tuple(int(key) for key in setup["keys"]),
                   tuple(stop for stop in stops if stop.where != "outside"), modal, left)


def follow(log: Sequence[TabStop], count: int, modal: bool) -> tuple[list[TabStop], bool]:
    """The walk read from the focus log: its stops up to the end, and whether it ended (focus left the
    frame, shown by a last stop ``outside``, or came back to a stop already seen).

    Focus may be outside before the first stop (the start) and, in an open modal dialog, between rounds.
    """
    stops: list[TabStop] = []
    seen: set[str] = set()
    for stop in log:
        if stop.where == "nested":
            continue
        if stop.where == "outside":
            if (stops or not count) and not modal:
                return [*stops, stop], True
            continue
        if stop.id in seen:
            return [*stops, stop], True
        seen.add(stop.id)
        stops.append(stop)
    return stops, False


def walk_findings(result: TabWalk, where: str) -> list[Finding]:
    """Pure judgement of a walk: every control key reached, every reached control visibly focused, no trap."""
    reached = {stop.key for stop in result.stops if stop.where == "control"}
    findings = [
        _keyboard_finding(UNREACHABLE, f"{result.controls[index]} cannot be reached with the Tab key", where)
        for index, key in enumerate(result.keys) if key == index and key not in reached
    ]
    shown: set[str] = set()
    for stop in result.stops:
        if stop.where == "control" and not stop.visible and stop.id not in shown:
            shown.add(stop.id)
            findings.append(_keyboard_finding(
                FOCUS_NOT_VISIBLE, f"{stop.name} shows no visible focus indicator when it takes focus with Tab "
                "(outline, box shadow, border, background and colour unchanged)", where))
    if not result.left:
        cycle = ", ".join(stop.name for stop in result.stops[-MAX_TARGETS:])
        message = f"focus does not leave the content with Tab; it stays among: {cycle}" if cycle else \
            "focus does not move into the content with Tab"
        findings.append(_keyboard_finding(KEYBOARD_TRAP, message, where))
    return findings


def _keyboard_finding(rule: str, message: str, where: str) -> Finding:
    return Finding(rule=rule, message=message, step=where, severity=FindingSeverity.ERROR, help_url=HELP[rule])


def _mark_click_listeners(page: Page, frame: Frame) -> None:
    """Records the elements that have click/pointer listeners, in the frame's own page (best effort:
    without a CDP session for the frame, only cursors and onclick attributes find click-only elements)."""
    mark = f"courseforge-{uuid.uuid4().hex}"
    with contextlib.suppress(PlaywrightError):
        frame.evaluate("mark => { window.__courseforgeFrameMark = mark; }", mark)
        session = page.context.new_cdp_session(frame.page)
        try:
            contexts: list[int] = []
            session.on("Runtime.executionContextCreated", lambda event: _keep_default(contexts, event))
            session.send("Runtime.enable")
            for context_id in contexts:
                answer = session.send("Runtime.evaluate", {
                    "expression": f"window.__courseforgeFrameMark === {mark!r} && {MARK_LISTENERS}",
                    "contextId": context_id, "includeCommandLineAPI": True, "returnByValue": True})
                if answer.get("result", {}).get("value") is not False and "exceptionDetails" not in answer:
                    break
        finally:
            session.detach()


def _keep_default(contexts: list[int], event: Mapping[str, Any]) -> None:
    context = event.get("context", {})
    if context.get("auxData", {}).get("isDefault"):
        contexts.append(int(context["id"]))
