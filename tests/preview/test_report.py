"""The preview report: one self-contained HTML page, JUnit XML for CI and the evidence folder.

The report is fed a realistic PreviewReport (the CMI calls a pass, a fail and a resume make, a run that
broke, an accessibility finding) with hostile strings where a vendor package could put them. The HTML is
parsed back with lxml and opened in the session's Chromium, which must see no script run, no console
error and no request; axe-core (npm) judges the page's own accessibility. The JUnit XML is validated
against a minimal schema of the Ant/Jenkins junit-10.xsd shape written here.

``PYTHONPATH=. .venv/bin/python tests/preview/test_report.py [REPORT.html]`` redraws the README's picture,
docs/images/preview-report.png: from a report a real run wrote, or from a sample report around real
screenshots of the built data-privacy package.
"""

from __future__ import annotations

import re
import struct
import zlib
from functools import cache
from pathlib import Path

import pytest
from lxml import etree, html
from playwright.sync_api import Browser

from courseforge.model.package import PackageFormat
from courseforge.model.preview import (
    ApiEvent,
    Finding,
    FindingSeverity,
    PreviewReport,
    PreviewRun,
    Screenshot,
    Timing,
    Verdict,
)
from courseforge.stages.preview.evidence import JUNIT_XML, REPORT_HTML, EvidenceError, evidence_files, write_evidence
from courseforge.stages.preview.harness.plugins.scorm12 import Scorm12Plugin, read_record
from courseforge.stages.preview.report_html import render_report
from courseforge.stages.preview.report_junit import render_junit
from courseforge.stages.preview.report_views import (
    SuspendDataError,
    decode_suspend_data,
    describe_suspend_data,
    launch_interactions,
)
from courseforge.stages.preview.scenarios import no_plugin_run, run_timeline
from tests.chromium import missing

ROOT = Path(__file__).parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
README_IMAGE = ROOT / "docs" / "images" / "preview-report.png"
PACKAGE = "build/workplace-safety/en/scorm12.zip"
HOSTILE_TITLE = "<script>window.__pwned = 'title'</script>Fire safety"
HOSTILE_VALUE = '"><img src=x onerror="window.__pwned=\'value\'">'
HOSTILE_HELP = "javascript:window.__pwned='help'"
CONTROL_AND_BIDI = "exit \x01 \u202egnp.exe"
SUSPEND_AFTER_RESUME = "1~_B~1.2s.H,2.3fg.D~D~B"
"""7 of 7 screens, quiz 1: 1 attempt, 100 %, questions 1-3 right; quiz 2: 2 attempts, 44.44 %, 1-2 right."""


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real, valid PNG of one colour (zlib and CRCs as the PNG spec says), so no image library is needed."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(
        b"IEND", b"")


def setv(at_ms: float, element: str, value: str, result: str = "true", error: str = "0") -> ApiEvent:
    return ApiEvent(at_ms, "LMSSetValue", (element, value), result, error)


def getv(at_ms: float, element: str, result: str) -> ApiEvent:
    return ApiEvent(at_ms, "LMSGetValue", (element,), result)


def call(at_ms: float, method: str) -> ApiEvent:
    return ApiEvent(at_ms, method, ("",), "true")


def choice_interaction(at_ms: float, index: int, qid: str, response: str, correct: tuple[str, ...],
                       result: str) -> tuple[ApiEvent, ...]:
    prefix = f"cmi.interactions.{index}."
    patterns = tuple(setv(at_ms, f"{prefix}correct_responses.{n}.pattern", p) for n, p in enumerate(correct))
    return (setv(at_ms, prefix + "id", qid), setv(at_ms, prefix + "type", "choice"), *patterns,
            setv(at_ms, prefix + "student_response", response), setv(at_ms, prefix + "result", result),
            setv(at_ms, prefix + "weighting", "1"), setv(at_ms, prefix + "latency", "0000:00:04.20"))


def pass_events() -> tuple[ApiEvent, ...]:
    return (call(12.4, "LMSInitialize"), getv(13.0, "cmi.core.entry", "ab-initio"),
            getv(13.4, "cmi.suspend_data", ""), getv(13.9, "cmi.student_data.mastery_score", "80"),
            setv(15.2, "cmi.core.lesson_status", "incomplete"), setv(16.0, "cmi.core.lesson_location", "welcome"),
            setv(16.4, "cmi.suspend_data", "1~B~0..~~"), call(17.1, "LMSCommit"),
            *choice_interaction(2310.5, 0, "final-q1", "b", ("b",), "correct"),
            *choice_interaction(2311.0, 1, "final-q2", HOSTILE_VALUE, ("a,c", "c,a"), "wrong"),
            setv(2312.2, "cmi.core.score.raw", "85"), setv(2312.4, "cmi.core.score.min", "0"),
            setv(2312.6, "cmi.core.score.max", "100"), setv(2312.9, "cmi.core.lesson_status", "passed"),
            setv(2313.3, "cmi.suspend_data", SUSPEND_AFTER_RESUME), call(2314.0, "LMSCommit"),
            setv(2950.0, "cmi.core.lesson_mode", "review", "false", "403"),
            setv(2950.1, "cmi.core.session_time", "0000:00:02.94"), setv(2950.4, "cmi.core.exit", ""),
            call(2951.0, "LMSFinish"))


def record(status: str, score: str, suspend: str = SUSPEND_AFTER_RESUME) -> dict[str, str]:
    return {"cmi.core.lesson_status": status, "cmi.core.score.raw": score,
            "cmi.core.lesson_location": "summary", "cmi.core.exit": "",
            "cmi.core.session_time": "0000:00:02.94", "cmi.suspend_data": suspend,
            "cmi.core.total_time": "0000:00:02.94", "cmi.interactions.10.id": "final-q11",
            "cmi.interactions.2.id": "final-q3", "cmi.interactions.2.result": "correct",
            "cmi.objectives.10.id": "o-11", "cmi.objectives.2.id": "o-3"}


def written(events: tuple[ApiEvent, ...]) -> dict[str, str]:
    """What scorm-again keeps of a launch's writes."""
    return {e.arguments[0]: e.arguments[1] for e in events if e.method == "LMSSetValue" and e.result == "true"}


def scorm12_run(launches: tuple[tuple[ApiEvent, ...], ...], held: dict[str, str], **fields: object) -> PreviewRun:
    """A SCORM 1.2 run as the runner assembles it: each launch's record read by the plug-in, the timeline
    described by it."""
    records = tuple(read_record(events, held) for events in launches)
    return PreviewRun(format=PackageFormat.SCORM12, events=tuple(e for events in launches for e in events),
                      final_record=tuple(sorted(held.items())), launches=records,
                      timeline=run_timeline(Scorm12Plugin(), list(zip(launches, records, strict=True))),
                      **fields)  # type: ignore[arg-type]


def shots(title: str) -> tuple[Screenshot, ...]:
    return (Screenshot(f"screen 1 '{title}'", 1280, 800, png(1280, 800, (32, 96, 160))),
            Screenshot("quiz 'final' submitted", 1280, 800, png(1280, 800, (40, 140, 80))),
            Screenshot("quiz 'final' submitted (375x812)", 375, 812, png(375, 812, (140, 60, 40))))


STEPS = ("launch (entry ab-initio)", "open screen 1 'welcome'", "tick checklist 'ppe' (3 items)",
         "answer 'final-q1' with 'Raise the alarm'", "answer 'final-q2' with 'a, c'", "submit quiz 'final'",
         "open screen 7 'summary'", "close the window")


def run(scenario: str, verdict: Verdict, *, package: str = PACKAGE, locale: str = "en", profile: str = "default",
        findings: tuple[Finding, ...] = (), screenshots: tuple[Screenshot, ...] = (), duration_s: float = 3.17
        ) -> PreviewRun:
    status = "passed" if verdict is Verdict.PASSED else "failed"
    launches = (pass_events()[:8], pass_events()) if scenario == "resume" else (pass_events(),)
    return scorm12_run(launches, {**written(pass_events()), **record(status, "85")}, package=package, locale=locale,
                       profile=profile, scenario=scenario, verdict=verdict, findings=findings, steps=STEPS,
                       screenshots=screenshots,
                       timings=(Timing("launch", 0.412), Timing("robot", 2.15), Timing("axe-core", 0.61)),
                       duration_s=duration_s)


SCORE_AFTER_STATUS = Finding("lms.status-before-score", "cmi.core.lesson_status 'failed' was set before "
                             "cmi.core.score.raw: LMS reports (Cornerstone) keep the status without the score",
                             "submit quiz 'final'", help_url="https://example.org/rules#lms.status-before-score")
CONTRAST = Finding("a11y.color-contrast", "Elements must meet minimum color contrast ratio thresholds (2.9:1 on "
                   "'.feedback')", "quiz 'final' feedback", help_url="https://dequeuniversity.com/rules/axe/4.10/"
                   "color-contrast")


@cache
def sample_report() -> PreviewReport:
    """A report as a real preview of one course might give: 2 locales x 2 profiles, one failing, one broken."""
    hostile = Finding("page.console-error", f"Uncaught TypeError in {HOSTILE_TITLE} {CONTROL_AND_BIDI} \udc80",
                      f"open screen 2 {HOSTILE_VALUE}", help_url=HOSTILE_HELP)
    runs = (
        run("pass", Verdict.PASSED, screenshots=shots("Welcome")),
        run("fail", Verdict.PASSED),
        run("resume", Verdict.PASSED),
        run("pass", Verdict.FAILED, profile="mastery-override", findings=(SCORE_AFTER_STATUS, CONTRAST)),
        run("fail", Verdict.PASSED, profile="mastery-override"),
        run("pass", Verdict.PASSED, locale="ar", package="build/workplace-safety/ar/scorm12.zip",
            screenshots=shots("مرحبا")),
        run("keyboard", Verdict.ERROR, package=HOSTILE_TITLE, screenshots=shots(HOSTILE_TITLE),
            findings=(hostile, Finding("scenario.no-launch", "the package never called LMSInitialize within 5 s",
                                       "launch", FindingSeverity.ERROR))),
    )
    return PreviewReport(runs=runs, browser="Chromium 131.0.6778.204 (headless)", duration_s=24.6)


def page_of(report: PreviewReport) -> html.HtmlElement:
    return html.document_fromstring(render_report(report))


def cells(table: html.HtmlElement) -> list[list[str]]:
    """The data cells of each body row (a launch's header row has none)."""
    rows = ([td.text_content() for td in row.xpath("td")] for row in table.xpath("tbody/tr"))
    return [row for row in rows if row]


def test_hostile_strings_are_text_never_markup() -> None:
    page = page_of(sample_report())
    assert page.xpath("//script") == []
    assert [el.tag for el in page.iter() if any(name.startswith("on") for name in el.attrib)] == []
    assert [img.get("src")[:22] for img in page.xpath("//img")] == ["data:image/png;base64,"] * 9
    text = page.text_content()
    assert HOSTILE_TITLE in text and HOSTILE_VALUE in text
    assert not page.xpath("//a[starts-with(normalize-space(@href), 'javascript')]")
    assert HOSTILE_HELP in text, "an unsafe help link is shown as text"
    assert "exit \\x01 \\u202egnp.exe" in text, "control and bidi-override characters shown as escapes"
    assert "\x01" not in text and "\u202e" not in text
    assert "\\udc80" in text, "a lone surrogate (from a broken JS string) is shown, not a UnicodeEncodeError"
    assert page.get("lang") == "en"
    policy = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert policy and "default-src 'none'" in policy[0]


def test_a_huge_value_is_cut_and_says_how_much_is_left_out() -> None:
    huge = scorm12_run(((setv(1.0, "cmi.suspend_data", "1~" + "A" * 30_000 + "~~~"),),), {}, package="p",
                       locale="en", profile="default", scenario="pass", verdict=Verdict.FAILED,
                       findings=(Finding("page.console-error", "x" * 50_000, "launch"),))
    report = PreviewReport(runs=(huge,), browser="x", duration_s=1.0)
    page = page_of(report)
    assert "x" * 10_000 + " … (40,000 more characters)" in page.text_content()
    assert "30005 of 4096 characters (over the limit)" in page.text_content(), "decoded from the whole value"
    assert len(render_report(report)) < 40_000
    flood = scorm12_run((tuple(setv(n, "cmi.core.lesson_location", "x") for n in range(3_000)),), {}, package="p",
                        locale="en", profile="default", scenario="pass", verdict=Verdict.FAILED)
    page = page_of(PreviewReport(runs=(flood,), browser="x", duration_s=1.0))
    assert page.xpath("//summary/h3[starts-with(., 'Timeline')]")[0].text_content() == (
        "Timeline (3000 events, the first 2000 shown)")
    assert len(page.xpath("//table[caption[starts-with(., 'What the content sent')]]/tbody/tr[td]")) == 2_000
    failure = etree.fromstring(render_junit(report)).find(".//failure")
    assert failure is not None and failure.text is not None and failure.text.endswith("(40,044 more characters)")


def test_the_same_report_renders_to_the_same_bytes_whatever_the_run_order() -> None:
    report = sample_report()
    shuffled = PreviewReport(runs=tuple(reversed(report.runs)), browser=report.browser, duration_s=report.duration_s)
    first = render_report(report)
    assert render_report(report) == first
    assert render_report(shuffled) == first
    assert render_junit(shuffled) == render_junit(report)
    titles = [h.text_content() for h in page_of(report).xpath("//section/h2/span[@dir]")]
    assert titles == sorted(titles, key=lambda t: (t.split(" [")[0], t))


def test_suspend_data_v1_is_decoded() -> None:
    state = decode_suspend_data(SUSPEND_AFTER_RESUME)
    assert state.visited == (1, 2, 3, 4, 5, 6, 7)
    assert [(q.attempts, q.best, q.correct) for q in state.quizzes] == [(1, 100, (1, 2, 3)), (2, 44.44, (1, 2))]
    assert state.checked == (1, 2) and state.submitted == (1,)
    assert decode_suspend_data("1~~~~").quizzes == ()
    assert decode_suspend_data("1~B~0..~~").quizzes[0].best is None
    for broken in ("", "2~B~~~", "1~B~~~~", "1~*~~~", "1~B~1.2t.~~", "1~B~1.2s~~", "1~B~1.2s.*~~", "1~B~1.abcd.~~"):
        with pytest.raises(SuspendDataError):
            decode_suspend_data(broken)
    vendor = describe_suspend_data("<xml>vendor state</xml>", 4096)
    assert vendor.error and vendor.lines == () and vendor.length == 23


def test_the_report_shows_suspend_data_decoded_and_interactions_grouped() -> None:
    page = page_of(sample_report())
    section = page.xpath("//section[@id='run-1']")[0]
    assert "SCORM 1.2 (scorm12)" in section.xpath(".//dl[@class='facts']")[0].text_content()
    decoded = [dict(zip(dl.xpath("dt/text()"), (dd.text_content() for dd in dl.xpath("dd")), strict=True))
               for dl in section.xpath(".//dl[@class='decoded']")]
    assert {"Length": "23 of 4096 characters", "Screens visited": "#1, #2, #3, #4, #5, #6, #7",
            "Quiz 1": "1 attempt, best 100 %, questions right: #1, #2, #3",
            "Quiz 2": "2 attempts, best 44.44 %, questions right: #1, #2",
            "Checklist items attested": "#1, #2", "Surveys submitted": "#1"} in decoded
    assert len(decoded) == 4, "three suspend_data calls in the timeline, one in the final record"
    assert decoded[0] == {"Length": "0 of 4096 characters", "Saved state": "empty: nothing saved yet"}
    timeline = section.xpath(".//table[caption[starts-with(., 'What the content sent')]]")[0]
    assert "(SCORM 1.2)" in timeline.xpath("caption")[0].text_content()
    rows = {row[2]: row for row in cells(timeline)}
    assert rows["cmi.core.entry"][1:] == ["LMSGetValue", "cmi.core.entry", "ab-initio", "", "0", ""], "a read's value"
    assert rows["cmi.core.score.raw"][1:] == ["LMSSetValue", "cmi.core.score.raw", "85", "true", "0", "score 85"]
    assert rows["cmi.core.lesson_status"][6] == "completion completed; success passed", "the neutral reading"
    assert rows["cmi.core.lesson_mode"][4:6] == ["false", "403 Element is read only"], "a refusal, named"
    refused = timeline.xpath(".//tr[@class='refused']/td[3]")
    assert [td.text_content() for td in refused] == ["cmi.core.lesson_mode"]
    assert [row[0] for row in cells(timeline)][:2] == ["12 ms", "13 ms"]
    final = section.xpath(".//table[caption[starts-with(., 'What the LMS holds')]]")[0]
    assert [row[0] for row in cells(final)][-3:] == ["cmi.objectives.2.id", "cmi.objectives.10.id",
                                                     "cmi.suspend_data"], "indexes sort as numbers"
    assert not [row for row in cells(final) if row[0].startswith("cmi.interactions.")], "shown apart"
    held = section.xpath(".//table[caption[starts-with(., 'Interactions the LMS holds')]]")[0]
    assert [row[:5] for row in cells(held)] == [
        ["0", "final-q1", "choice", "b", "correct"], ["1", "final-q2", "choice", HOSTILE_VALUE, "wrong"],
        ["2", "final-q3", "", "", "correct"], ["3", "final-q11", "", "", ""]]
    table = section.xpath(".//table[caption[starts-with(., 'Interactions each launch')]]")[0]
    assert [row[:8] for row in cells(table)][:2] == [
        ["1", "0", "final-q1", "choice", "b", "correct", "b", "latency = 0000:00:04.20weighting = 1"],
        ["1", "1", "final-q2", "choice", HOSTILE_VALUE, "wrong", "a,cc,a", "latency = 0000:00:04.20weighting = 1"]]


def test_calls_are_grouped_by_the_launch_they_belong_to() -> None:
    report = sample_report()
    resume = next(run for run in report.runs if run.scenario == "resume")
    assert [entry.launch for entry in resume.timeline] == [1] * 8 + [2] * len(pass_events())
    interactions = launch_interactions(resume)
    assert [(i.launch, i.id) for i in interactions] == [(1, "final-q1"), (1, "final-q2"), (1, "final-q3"),
                                                        (1, "final-q11")], "a later launch adds none it held before"
    page = page_of(report)
    section = page.xpath("//section[.//h2/span[contains(., '[en, default] resume')]]")[0]
    groups = section.xpath(".//table[caption[starts-with(., 'What the content sent')]]/tbody")
    assert [g.xpath("tr/th")[0].text_content() for g in groups] == ["Launch 1 (times from its start)",
                                                                    "Launch 2 (times from its start)"]
    assert [len(g.xpath("tr[td]")) for g in groups] == [8, len(pass_events())]


def test_failed_runs_list_their_findings_and_accessibility_apart() -> None:
    page = page_of(sample_report())
    failed = page.xpath("//section[@data-verdict='failed']")
    assert len(failed) == 1
    tables = {table.xpath("caption")[0].text_content(): cells(table) for table in failed[0].xpath(".//table")}
    assert tables["Findings"] == [["lms.status-before-score", "error", SCORE_AFTER_STATUS.message,
                                           "submit quiz 'final'", "lms.status-before-score"]]
    assert tables["Accessibility findings"][0][0] == "a11y.color-contrast"
    links = failed[0].xpath(".//a[@rel='noopener noreferrer']/@href")
    assert links == [SCORE_AFTER_STATUS.help_url, CONTRAST.help_url]
    summary = page.xpath("//ul[@class='counts']/li")
    assert [li.text_content() for li in summary] == ["7 runs", "5 passed", "1 failed", "1 broke (errors)", "4 findings"]


def test_screenshots_past_the_budget_are_linked_not_embedded() -> None:
    report = sample_report()
    one_shot = len(report.runs[0].screenshots[0].png)
    page = html.document_fromstring(render_report(report, embed_budget=one_shot))
    assert len(page.xpath("//img")) == 1
    assert len(page.xpath("//figcaption/a[starts-with(@href, 'screenshots/')]")) == 9


JUNIT_SCHEMA = b"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:simpleType name="seconds"><xs:restriction base="xs:decimal"><xs:minInclusive value="0"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="count"><xs:restriction base="xs:nonNegativeInteger"/></xs:simpleType>
  <xs:complexType name="outcome" mixed="true">
    <xs:attribute name="message" type="xs:string"/><xs:attribute name="type" type="xs:string"/>
  </xs:complexType>
  <xs:element name="testsuites"><xs:complexType>
    <xs:sequence><xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
    <xs:attribute name="name" type="xs:string"/><xs:attribute name="time" type="seconds"/>
    <xs:attribute name="tests" type="count"/><xs:attribute name="failures" type="count"/>
    <xs:attribute name="errors" type="count"/>
  </xs:complexType></xs:element>
  <xs:element name="testsuite"><xs:complexType>
    <xs:sequence>
      <xs:element name="properties" minOccurs="0"><xs:complexType><xs:sequence>
        <xs:element name="property" minOccurs="0" maxOccurs="unbounded"><xs:complexType>
          <xs:attribute name="name" type="xs:string" use="required"/>
          <xs:attribute name="value" type="xs:string" use="required"/>
        </xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="testcase" minOccurs="0" maxOccurs="unbounded"><xs:complexType>
        <xs:choice minOccurs="0" maxOccurs="unbounded">
          <xs:element name="failure" type="outcome"/><xs:element name="error" type="outcome"/>
          <xs:element name="skipped" type="outcome"/>
          <xs:element name="system-out" type="xs:string"/><xs:element name="system-err" type="xs:string"/>
        </xs:choice>
        <xs:attribute name="name" type="xs:string" use="required"/>
        <xs:attribute name="classname" type="xs:string"/><xs:attribute name="time" type="seconds"/>
      </xs:complexType></xs:element>
    </xs:sequence>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="tests" type="count" use="required"/>
    <xs:attribute name="failures" type="count" use="required"/>
    <xs:attribute name="errors" type="count" use="required"/>
    <xs:attribute name="skipped" type="count"/><xs:attribute name="time" type="seconds"/>
  </xs:complexType></xs:element>
</xs:schema>
"""


def test_junit_xml_has_one_suite_per_package_locale_profile_and_a_failure_per_failed_scenario() -> None:
    document = etree.fromstring(render_junit(sample_report()))
    etree.XMLSchema(etree.fromstring(JUNIT_SCHEMA)).assertValid(document)
    assert (document.get("tests"), document.get("failures"), document.get("errors"), document.get("time")) == (
        "7", "1", "1", "24.600")
    suites = {suite.get("name"): [case.get("name") for case in suite.iter("testcase")] for suite in document}
    assert suites == {f"{PACKAGE} [en, default, scorm12]": ["fail", "pass", "resume"],
                      f"{PACKAGE} [en, mastery-override, scorm12]": ["fail", "pass"],
                      "build/workplace-safety/ar/scorm12.zip [ar, default, scorm12]": ["pass"],
                      f"{HOSTILE_TITLE} [en, default, scorm12]": ["keyboard"]}
    for suite in document:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(len(case.findall("failure")) for case in cases)
        assert int(suite.get("errors")) == sum(len(case.findall("error")) for case in cases)
        assert float(suite.get("time")) == pytest.approx(3.17 * len(cases), abs=0.001)
    failure = document.find(".//failure")
    assert failure is not None
    assert failure.get("type") == "lms.status-before-score"
    assert failure.get("message", "").startswith("lms.status-before-score at step 'submit quiz 'final'': ")
    assert failure.get("message", "").endswith("(and 1 more)")
    assert failure.text is not None and "a11y.color-contrast at step 'quiz 'final' feedback'" in failure.text
    error = document.find(".//error")
    assert error is not None and error.text is not None and "\\x01 \\u202egnp.exe" in error.text
    out = document.find(".//testcase/system-out")
    assert out is not None and out.text is not None and out.text.splitlines()[0] == f"1. {STEPS[0]}"
    lines = out.text.splitlines()
    assert f"timeline (scorm12, {len(pass_events())} events):" in lines
    assert "launch 1 +2312 ms LMSSetValue cmi.core.score.raw = 85 -> true [score 85]" in lines
    assert "launch 1 +2950 ms LMSSetValue cmi.core.lesson_mode = review -> false error 403 Element is read only" \
        in lines


def test_a_run_of_a_format_without_a_plugin_is_skipped_and_says_why() -> None:
    skipped = no_plugin_run("safety-en-web", PackageFormat.WEB, "en", ["default"])
    report = PreviewReport(runs=(skipped, run("pass", Verdict.PASSED)), browser="x", duration_s=1.0,
                           notes=("profile 'lrs-outage' does not apply to SCORM 1.2: ...",))
    assert report.ok and skipped.verdict is Verdict.SKIPPED
    case = etree.fromstring(render_junit(report)).find(".//testcase[skipped]")
    assert case is not None and "has no plug-in for web" in case.find("skipped").get("message", "")
    page = page_of(report)
    assert "1 skipped" in [li.text_content() for li in page.xpath("//ul[@class='counts']/li")]
    assert page.xpath("//ul[@class='notes']/li")[0].text_content().startswith("profile 'lrs-outage'")


def hostile_names_report() -> PreviewReport:
    base = sample_report().runs[0]
    shot = Screenshot("../../../etc/passwd", 10, 10, png(2, 2, (0, 0, 0)))
    names = ("../../outside", "a/b\\c", "..", "/abs/olute", "ünïcødé \u202e", "")
    runs = tuple(PreviewRun(package=name, format=base.format, locale="en", profile="default", scenario="pass",
                            verdict=Verdict.PASSED, screenshots=(shot, shot)) for name in names)
    return PreviewReport(runs=runs, browser="x", duration_s=0.0)


def test_evidence_file_names_are_plain_names_inside_screenshots(tmp_path: Path) -> None:
    report = hostile_names_report()
    files = evidence_files(report)
    shots = sorted(name for name in files if name not in (REPORT_HTML, JUNIT_XML))
    assert len(shots) == 12 and len(set(shots)) == 12
    for name in shots:
        assert re.fullmatch(r"screenshots/[a-z0-9-]+\.png", name), name
    out = tmp_path / "out"
    written = write_evidence(report, out)
    assert written == tuple(sorted(out / name for name in files))
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(files)
    links = html.document_fromstring((out / REPORT_HTML).read_bytes()).xpath("//figcaption/a/@href")
    assert sorted(links) == shots
    assert list(tmp_path.iterdir()) == [out], "nothing written beside the output folder"


def test_evidence_replaces_an_earlier_runs_screenshots_and_never_follows_a_link(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_evidence(sample_report(), out)
    assert len(list((out / "screenshots").iterdir())) == 9
    write_evidence(hostile_names_report(), out)
    assert len(list((out / "screenshots").iterdir())) == 12, "no screenshot of the earlier report lingers"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.png").write_bytes(b"keep")
    (out / "screenshots").rename(tmp_path / "moved")
    (out / "screenshots").symlink_to(elsewhere)
    write_evidence(sample_report(), out)
    assert not (out / "screenshots").is_symlink() and len(list((out / "screenshots").iterdir())) == 9
    assert [p.name for p in elsewhere.iterdir()] == ["keep.png"]
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [], "no staging folder left"


def test_evidence_into_a_file_is_an_error_naming_the_folder(tmp_path: Path) -> None:
    blocked = tmp_path / "report"
    blocked.write_text("in the way")
    with pytest.raises(EvidenceError, match=r"cannot write the preview evidence into .*report"):
        write_evidence(sample_report(), blocked / "out")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / REPORT_HTML).mkdir()
    with pytest.raises(EvidenceError):
        write_evidence(sample_report(), tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] != [], "the folder keeps what it had"


@pytest.mark.browser
def test_the_report_opens_in_chromium_with_no_script_no_request_no_console_error(
    chromium: Browser, tmp_path: Path
) -> None:
    if not AXE.is_file():
        missing(f"axe-core not installed ({AXE} missing; npm ci)")
    write_evidence(sample_report(), tmp_path)
    url = (tmp_path / REPORT_HTML).as_uri()
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith("data:") else None)
    try:
        page.goto(url, wait_until="load")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert requests == [url] and problems == []
        assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        # A thumbnail opens to full size in place (the same image, no second copy in the file).
        thumbnail = page.locator("#run-2 .shots img").first
        small = thumbnail.bounding_box()
        thumbnail.click()
        large = thumbnail.bounding_box()
        assert small is not None and large is not None and large["width"] > 2 * small["width"]
        # The "did not pass" filter is CSS only: passed runs disappear, the failed and the broken stay.
        assert page.locator("section.run:visible").count() == 7
        page.get_by_label("Show only the runs that did not pass").check()
        assert page.locator("section.run:visible").count() == 2
        page.get_by_label("Show only the runs that did not pass").uncheck()
        # Every part of two runs open (the broken one and one with screenshots), the others as they render.
        page.evaluate("document.querySelectorAll('#run-1 details, #run-2 details').forEach(d => d.open = true)")
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})
            .then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))""")
        assert result == []
        assert problems == [] and requests == [url]
    finally:
        context.close()


def sample_course_screenshots(browser: Browser, package: Path) -> tuple[Screenshot, ...]:
    """Real screenshots of a built sample package (standalone mode, from file://) for the README's report."""
    import tempfile
    import zipfile

    shots: list[Screenshot] = []
    with tempfile.TemporaryDirectory() as folder:
        zipfile.ZipFile(package).extractall(folder)
        start = (Path(folder) / "index.html").as_uri()
        for width, height in ((1280, 800), (375, 812)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(start)
            for number in (1, 2) if width > 500 else (1,):
                if number > 1:
                    page.get_by_role("button", name="Next").click()
                title = page.get_by_role("heading", level=1).first.inner_text()
                shots.append(Screenshot(f"screen {number} '{title}' ({width}x{height})", width, height,
                                        page.screenshot()))
            page.close()
    return tuple(shots)


def readme_report(shots: tuple[Screenshot, ...]) -> PreviewReport:
    """What a preview of the sample courses looks like when one profile catches a tracking bug."""
    exit_lost = Finding("lms.exit-not-suspend", "cmi.core.exit was '' when the learner left unfinished after a "
                        "relaunch; the next launch may start a new attempt and drop suspend_data",
                        "close the window (launch 2)")
    privacy = "build/data-privacy/en/scorm12.zip"
    runs = [run(scenario, Verdict.PASSED, package=privacy, screenshots=shots if scenario == "fail" else (),
                duration_s=seconds) for scenario, seconds in (("fail", 3.41), ("keyboard", 5.86), ("pass", 3.02),
                                                              ("resume", 4.27))]
    runs += [run("pass", Verdict.PASSED, package=privacy, profile="mastery-override", duration_s=3.11),
             run("resume", Verdict.FAILED, package=privacy, profile="mastery-override", findings=(exit_lost,),
                 duration_s=4.39),
             run("pass", Verdict.PASSED, package="build/workplace-safety/ar/scorm12.zip", locale="ar",
                 duration_s=2.64),
             run("keyboard", Verdict.PASSED, package="build/workplace-safety/ar/scorm12.zip", locale="ar",
                 duration_s=4.93)]
    return PreviewReport(runs=tuple(runs), browser="Chromium 131.0.6778.204 (headless)", duration_s=31.4)


def draw_readme_image(report: Path | None = None, target: Path = README_IMAGE) -> None:
    """docs/images/preview-report.png: the top 1280x1000 of ``report`` (a report.html a real run wrote), or
    of :func:`readme_report` with real screenshots of the built data-privacy package."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    package = ROOT / "build" / "data-privacy" / "en" / "scorm12.zip"
    if report is None and not package.is_file():
        raise SystemExit(f"{package} is missing: run 'courseforge build --locale all' first")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        if report is None:
            write_evidence(readme_report(sample_course_screenshots(browser, package)), Path(folder))
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto((report or Path(folder) / REPORT_HTML).resolve().as_uri())
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target))
        browser.close()


if __name__ == "__main__":
    import sys

    draw_readme_image(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
