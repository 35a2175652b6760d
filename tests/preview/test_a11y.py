"""Accessibility and small-screen layout of the sample courses, in the preview LMS, in a left-to-right and a
right-to-left locale; and purpose-built pages that each break one rule, so every check is seen failing.

The sample packages are built in-test by the real pipeline, served by the session's preview LMS (scorm-again on
the LMS side) and judged by axe-core (npm, the harness's pinned copy) and by real Tab key presses. A small
learner in this file walks every screen and puts each question in each state: unanswered, partly answered
(the confirm dialog or the inline alert), answered, submitted with feedback; then relaunches to see the
resume dialog.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Frame, Page, expect

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.model.preview import Finding, FindingSeverity
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.a11y import (
    FOCUS_NOT_VISIBLE,
    KEYBOARD_TRAP,
    UNREACHABLE,
    AxeScript,
    TabStop,
    TabWalk,
    audit,
    axe_findings,
    follow,
    load_axe,
    tab_walk,
    walk_findings,
)
from courseforge.stages.preview.harness import LmsSession, PreviewServer
from courseforge.stages.preview.layout import (
    HEADING_BELOW_FOLD,
    NARROW,
    OVERFLOW,
    PHONE,
    check_layout,
    heading_findings,
    judge_heading,
    judge_overflow,
    resize,
)

REPO = Path(__file__).parents[2]
EDITIONS = [("workplace-safety", "en"), ("workplace-safety", "ar"), ("data-privacy", "en")]


# ------------------------------------------------------------------------------------ pure judgements

def test_axe_impacts_map_to_severities_and_messages_name_the_targets() -> None:
    violations = [
        {"id": "label", "impact": "critical", "help": "Form elements must have labels", "helpUrl": "https://x/label",
         "targets": ["#name"]},
        {"id": "region", "impact": "moderate", "help": "All content should be in landmarks", "helpUrl": "",
         "targets": [f"p:nth-child({n})" for n in range(1, 8)]},
    ]
    label, region = axe_findings(violations, "screen 1")
    assert (label.rule, label.severity, label.step, label.help_url) == (
        "a11y.label", FindingSeverity.ERROR, "screen 1", "https://x/label")
    assert label.message == "Form elements must have labels (critical): #name"
    assert region.severity is FindingSeverity.WARNING
    assert region.message.endswith("p:nth-child(5) and 2 more")


def test_one_radio_of_a_group_reached_is_enough_and_each_missed_control_is_named_once() -> None:
    result = TabWalk(controls=("input#a1", "input#a2", "button#go", "div#fake"), keys=(0, 0, 2, 3),
                     stops=(TabStop("control", "control 1", key=0, visible=True, name="input#a2"),
                            TabStop("control", "control 2", key=2, visible=False, name="button#go")),
                     modal=False, left=True)
    found = [(f.rule, f.message.split(" ")[0]) for f in walk_findings(result, "screen 1")]
    assert found == [(UNREACHABLE, "div#fake"), (FOCUS_NOT_VISIBLE, "button#go")]
    trapped = TabWalk(("input#x",), (0,), (TabStop("control", "control 0", 0, True, "input#x"),) * 2, False, False)
    assert [f.rule for f in walk_findings(trapped, "screen 1")] == [KEYBOARD_TRAP]


def test_the_focus_log_ends_when_focus_leaves_or_comes_back_and_a_modal_may_cycle() -> None:
    outside, nested = TabStop("outside"), TabStop("nested")
    a, b = (TabStop("control", f"control {n}", n, True, name) for n, name in enumerate("ab"))
    assert follow([outside, a, nested, b, outside, a], count=2, modal=False) == ([a, b, outside], True)
    assert follow([a, b, a], count=2, modal=False) == ([a, b, a], True)  # back without leaving: a trap
    assert follow([a, outside, b, outside, a], count=2, modal=True) == ([a, b, a], True)
    assert follow([a], count=2, modal=False) == ([a], False)  # stuck: more presses, then a trap


def test_layout_judgements_name_the_wide_elements_and_where_the_heading_is() -> None:
    wide = {"scrollWidth": 439, "clientWidth": 320, "elements": ['table "Extinguisher" (16 to 439 px)']}
    (finding,) = judge_overflow(wide, "screen 3", NARROW)
    assert (finding.rule, finding.step, finding.severity) == (OVERFLOW, "screen 3", FindingSeverity.ERROR)
    assert finding.message == ('at 320 px wide the page scrolls sideways: the document is 439 px wide in a 320 px '
                               'viewport; wider than the viewport: table "Extinguisher" (16 to 439 px)')
    assert judge_overflow({"scrollWidth": 321, "clientWidth": 320, "elements": []}, "s", NARROW) == []
    heading = {"name": 'h1 "Fire safety"', "top": 900.4, "bottom": 960, "height": 812}
    assert "spans 900 to 960 px, outside the first 812 px" in judge_heading(heading, "s", PHONE)[0].message
    assert judge_heading({**heading, "top": 300, "bottom": 360}, "s", PHONE) == []
    assert judge_heading(None, "s", PHONE)[0].severity is FindingSeverity.WARNING


# ------------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def axe(preview_server: PreviewServer) -> AxeScript:
    return load_axe(preview_server.runtime.axe_core.path)


@pytest.fixture(scope="module")
def context(preview_context: BrowserContext) -> BrowserContext:
    """The module's context (tests/preview/conftest.py): each launch opens its own page in it."""
    return preview_context


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], bytes]:
    built: dict[tuple[str, str], bytes] = {}
    for course_id in sorted({course for course, _ in EDITIONS}):
        locales = tuple(locale for course, locale in EDITIONS if course == course_id)
        sink = DiagnosticSink()
        result = build_course(REPO / "courses" / course_id, f"courses/{course_id}",
                              BuildOptions(formats=(PackageFormat.SCORM12,), locales=locales,
                                           locales_dir=REPO / "locales"), sink)
        assert result is not None, [d.format() for d in sink]
        built.update({(course_id, b.package.locale): b.package.data for b in result.packages})
    return built


# ------------------------------------------------------------------------------------ a learner

@dataclass
class Audit:
    """Every check at every state of one package: the findings, and the states seen."""

    page: Page
    frame: Frame
    axe: AxeScript
    findings: list[Finding] = field(default_factory=list)
    states: list[str] = field(default_factory=list)

    def check(self, where: str, *, keyboard: bool = True, layout: bool = False) -> None:
        self.states.append(where)
        self.findings += audit(self.frame, where, self.axe)
        if keyboard:
            self.findings += tab_walk(self.page, self.frame, where)
        if layout:
            self.findings += check_layout(self.page, self.frame, where)

    def errors(self) -> list[str]:
        return [f"{f.step}: {f.rule}: {f.message}" for f in self.findings if f.severity is FindingSeverity.ERROR]


ANSWER = """([screen, firstOnly]) => {
  const section = document.querySelector(screen);
  const click = (input) => { if (input && !input.checked) input.click(); };
  const type = (field, text) => {
    field.value = text;
    field.dispatchEvent(new Event("input", {bubbles: true}));
    field.dispatchEvent(new Event("change", {bubbles: true}));
  };
  const questions = [...section.querySelectorAll("fieldset.cf-question, fieldset.cf-likert")]
    .filter((box) => box.checkVisibility());
  for (const box of firstOnly ? questions.slice(0, 1) : questions) {
    click(box.querySelector("input[type=radio], input[type=checkbox]"));
    box.querySelectorAll("select").forEach((select) => type(select, select.options[1].value));
    box.querySelectorAll("input.cf-text").forEach((field) => type(field, "1"));
  }
  section.querySelectorAll(".cf-checklist-items input[type=checkbox]").forEach(click);
  section.querySelectorAll("textarea").forEach((field) => type(field, "Clear and short."));
}"""
"""Answers what is on screen with real clicks and input events: the first option of each question (right or
wrong does not matter here), every checklist item, a short text in each text box."""


def answer(run: Audit, screen: str, first_only: bool = False) -> None:
    run.frame.evaluate(ANSWER, [screen, first_only])


def take_quiz(run: Audit, screen: str, name: str) -> None:
    section = run.frame.locator(screen)
    run.check(f"{name}: unanswered", layout=True)
    answer(run, screen, first_only=True)
    section.locator("[data-role=submit]").click()
    dialog = section.locator("dialog[open]")
    if dialog.count():
        run.check(f"{name}: confirm dialog")
        dialog.locator("[data-role=keep]").click()
    else:
        expect(section.locator("[data-role=unanswered]")).to_be_visible()
        run.check(f"{name}: unanswered alert", keyboard=False)
    answer(run, screen)
    run.check(f"{name}: answered", keyboard=False)
    section.locator("[data-role=submit]").click()
    expect(section.locator("[data-role=feedback]:visible").first).to_be_visible()
    run.check(f"{name}: submitted with feedback", layout=True)


def fill_activity(run: Audit, screen: str, name: str) -> None:
    """Ticks a checklist, or answers and sends a survey."""
    run.check(name, layout=True)
    answer(run, screen)
    submit = run.frame.locator(screen).locator("[data-role=submit]")
    if submit.count():
        submit.click()
    run.check(f"{name}: done", keyboard=False)


def walk_course(run: Audit) -> None:
    screens = run.frame.evaluate("() => [...document.querySelectorAll('section[data-screen]')]"
                                 ".map((s) => [s.dataset.screen, s.className])")
    for number, (screen_id, kind) in enumerate(screens, start=1):
        screen = f'section[data-screen="{screen_id}"]'
        expect(run.frame.locator(screen)).to_be_visible()
        name = f"screen {number} '{screen_id}'"
        if "cf-quiz" in kind:
            take_quiz(run, screen, name)
        elif "cf-checklist" in kind or "cf-survey" in kind:
            fill_activity(run, screen, name)
        else:
            run.check(name, layout=True)
        if number < len(screens):
            run.frame.locator("#cf-next").click()


# ------------------------------------------------------------------------------------ the samples

@pytest.mark.browser
@pytest.mark.parametrize(("course_id", "locale"), EDITIONS, ids=[f"{c}-{loc}" for c, loc in EDITIONS])
def test_sample_course_is_accessible_on_every_screen_and_state(
        preview_server: PreviewServer, context: BrowserContext, axe: AxeScript,
        packages: dict[tuple[str, str], bytes], course_id: str, locale: str) -> None:
    server = preview_server
    package = server.serve_package(f"{course_id}-{locale}", packages[(course_id, locale)])
    session = LmsSession(server, package)
    page, frame = session.launch(context)
    run = Audit(page, frame, axe)
    try:
        assert frame.evaluate("() => document.documentElement.dir") == ("rtl" if locale == "ar" else "ltr")
        walk_course(run)
        page, frame = session.relaunch(context)
        expect(frame.locator("#cf-resume")).to_be_visible()
        run.page, run.frame = page, frame
        run.check("relaunch: resume dialog")
    finally:
        session.close()
    assert run.errors() == [], "\n".join(run.errors())
    quizzes = [state for state in run.states if state.endswith("submitted with feedback")]
    assert quizzes and len(run.states) > 10, run.states


@pytest.mark.browser
def test_contents_fold_behind_a_disclosure_button_on_a_phone(
        preview_server: PreviewServer, context: BrowserContext, packages: dict[tuple[str, str], bytes]) -> None:
    server = preview_server
    package = server.serve_package("workplace-safety-en-phone", packages[("workplace-safety", "en")])
    session = LmsSession(server, package)
    page, frame = session.launch(context)
    try:
        navigation = frame.get_by_role("navigation", name="Course contents")
        toggle = navigation.get_by_role("button", name="Contents", exact=True)
        expect(toggle).to_be_hidden()  # wide screens: the list is always open
        resize(page, frame, PHONE)
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(navigation.get_by_role("link").first).to_be_hidden()
        assert heading_findings(frame, "folded", PHONE) == []

        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(navigation.get_by_role("link", name="Manual handling")).to_be_visible()
        assert [f.rule for f in heading_findings(frame, "open", PHONE)] == [HEADING_BELOW_FOLD]

        page.keyboard.press("Tab")
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(toggle).to_be_focused()
        page.keyboard.press("Enter")
        navigation.get_by_role("link", name="Manual handling").click()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(frame.get_by_role("heading", level=1, name="Manual handling")).to_be_focused()
    finally:
        session.close()


# ------------------------------------------------------------------------------------ broken pages

BROKEN = {
    "unlabeled-and-click-only.html": """<main><h1>Tell us your name</h1>
<p><input type="text" id="name"></p>
<div class="fake-button" id="send">Send</div>
<p><button type="button" id="fine">A real button</button></p></main>
<script>document.getElementById("send").addEventListener("click", () => { document.title = "sent"; });</script>""",
    "unreachable.html": """<main><h1>Steps</h1>
<button type="button" id="first">First</button> <button type="button" id="hidden-from-tab" tabindex="-1">Second</button>
</main>""",
    "no-outline.html": """<style>button:focus { outline: none; }</style><main><h1>Buttons</h1>
<button type="button" id="plain">No ring</button> <a href="#top">A link keeps its ring</a></main>""",
    "trap.html": """<main><h1>Trap</h1><label>Name <input id="caught"></label><button type="button">Out</button></main>
<script>document.getElementById("caught").addEventListener("keydown", (event) => {
  if (event.key === "Tab") event.preventDefault();
});</script>""",
    "fading-ring.html": """<style>button { outline: 3px solid transparent; transition: outline-color 0.6s; }
button:focus-visible { outline-color: #c45800; }</style>
<main><h1>Fading</h1><button type="button">Ring</button></main>""",
    "strict-csp.html": """<meta http-equiv="Content-Security-Policy" content="script-src 'self'">
<main><h1>Contact</h1><p><input type="email" id="email"></p></main>""",
    "wide-table.html": """<main><h1>Prices</h1><table><tr>"""
    + "".join(f"<th>Column{n}</th>" for n in range(20)) + """</tr></table></main>""",
}


@pytest.fixture(scope="module")
def broken_pages(preview_server: PreviewServer) -> dict[str, str]:
    server = preview_server
    folder = server.root / "a11y-fixtures"
    folder.mkdir(exist_ok=True)
    urls = {}
    for name, body in BROKEN.items():
        (folder / name).write_text(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><title>Fixture</title>'
            "<style>.fake-button { display: inline-block; padding: 0.5em; background: #1d4ed8; color: #fff;"
            f" cursor: pointer; }}</style></head><body>{body}</body></html>", encoding="utf-8")
        urls[name] = server.url(f"/a11y-fixtures/{name}")
    return urls


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    tab = context.new_page()
    yield tab
    tab.close()


def rules(findings: list[Finding]) -> list[tuple[str, str]]:
    return sorted((f.rule, f.message.split(" ")[0]) for f in findings)


@pytest.mark.browser
def test_unlabeled_input_and_click_only_div_are_caught(page: Page, broken_pages: dict[str, str],
                                                       axe: AxeScript) -> None:
    page.goto(broken_pages["unlabeled-and-click-only.html"])
    axe_found = audit(page.main_frame, "page", axe)
    label = next(f for f in axe_found if f.rule == "a11y.label")
    assert label.severity is FindingSeverity.ERROR and "#name" in label.message
    assert label.help_url.startswith("https://dequeuniversity.com/rules/axe/")
    assert not [f for f in axe_found if "send" in f.message], "axe does not see a click-only div"
    assert rules(tab_walk(page, page.main_frame, "page")) == [(UNREACHABLE, "div#send")]


@pytest.mark.browser
def test_axe_audits_a_page_whose_policy_forbids_inline_scripts(page: Page, broken_pages: dict[str, str],
                                                               axe: AxeScript) -> None:
    page.goto(broken_pages["strict-csp.html"])
    assert [(f.rule, f.message.rpartition(": ")[2]) for f in audit(page.main_frame, "page", axe)
            if f.severity is FindingSeverity.ERROR] == [("a11y.label", "#email")]


@pytest.mark.browser
@pytest.mark.parametrize(("fixture", "expected"), [
    ("unreachable.html", [(UNREACHABLE, "button#hidden-from-tab")]),
    ("no-outline.html", [(FOCUS_NOT_VISIBLE, "button#plain")]),
    ("trap.html", [(KEYBOARD_TRAP, "focus"), (UNREACHABLE, "button")]),
    ("fading-ring.html", []),
])
def test_tab_walk_judges_each_purpose_built_page(page: Page, broken_pages: dict[str, str], fixture: str,
                                         expected: list[tuple[str, str]]) -> None:
    page.goto(broken_pages[fixture])
    found = tab_walk(page, page.main_frame, fixture)
    assert rules(found) == expected
    assert all(f.step == fixture and f.help_url.startswith("https://www.w3.org/WAI/WCAG22/") for f in found)


@pytest.mark.browser
def test_a_wide_table_overflows_at_320_px(page: Page, broken_pages: dict[str, str]) -> None:
    page.goto(broken_pages["wide-table.html"])
    before = page.viewport_size
    found = check_layout(page, page.main_frame, "prices")
    assert [f.rule for f in found] == [OVERFLOW, OVERFLOW]
    assert found[0].message.startswith("at 320 px wide the page scrolls sideways")
    assert "table" in found[0].message
    assert page.viewport_size == before
