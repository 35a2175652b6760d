"""The preview report as JUnit XML, the format every CI server reads (the Ant/Jenkins ``junit-10.xsd`` shape).

One ``testsuite`` per package x locale x LMS profile x format, one ``testcase`` per scenario. A failed run
carries one ``failure`` whose message names the first rule broken and the step, and whose text lists every
finding; a run that broke carries an ``error`` instead, a skipped run (no preview plug-in for its format)
a ``skipped``. The robot's steps and the run's timeline (what the content sent, launch by launch, and what
it meant) go to ``system-out``, so a CI log shows what was done and what the LMS saw. Package texts pass
through :func:`printable`: XML 1.0 cannot hold every character.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import groupby

from lxml import etree

from courseforge.model.preview import Finding, FindingSeverity, PreviewReport, PreviewRun, Verdict
from courseforge.stages.preview.report_views import TIMELINE_LIMIT, ordered_runs, printable

SUITES_NAME = "courseforge preview"
VALUE_LIMIT = 200
"""Characters of one value a timeline line shows (the HTML report shows more)."""


def render_junit(report: PreviewReport) -> bytes:
    """``<testsuites>`` with every run of the report, UTF-8 with an XML declaration."""
    runs = ordered_runs(report)
    root = etree.Element("testsuites")
    _counts(root, runs, report.duration_s)
    root.set("name", SUITES_NAME)
    for _, suite_runs in groupby(runs, key=suite_name):
        root.append(_suite(tuple(suite_runs), report.browser))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def suite_name(run: PreviewRun) -> str:
    return f"{run.package} [{run.locale}, {run.profile}, {run.format.value}]"


def _counts(element: etree._Element, runs: Sequence[PreviewRun], seconds: float) -> None:
    verdicts = [run.verdict for run in runs]
    element.set("tests", str(len(runs)))
    element.set("failures", str(verdicts.count(Verdict.FAILED)))
    element.set("errors", str(verdicts.count(Verdict.ERROR)))
    if element.tag == "testsuite":  # junit-10.xsd counts skipped cases per suite only
        element.set("skipped", str(verdicts.count(Verdict.SKIPPED)))
    element.set("time", _time(seconds))


def _suite(runs: Sequence[PreviewRun], browser: str) -> etree._Element:
    first = runs[0]
    suite = etree.Element("testsuite", name=_text(suite_name(first)))
    _counts(suite, runs, sum(run.duration_s for run in runs))
    properties = etree.SubElement(suite, "properties")
    for name, value in (("package", first.package), ("format", first.format.value), ("locale", first.locale),
                        ("profile", first.profile), ("browser", browser)):
        etree.SubElement(properties, "property", name=name, value=_text(value))
    for run in runs:
        suite.append(_case(run))
    return suite


def _case(run: PreviewRun) -> etree._Element:
    case = etree.Element("testcase", name=_text(run.scenario), classname=_text(suite_name(run)),
                         time=_time(run.duration_s))
    if run.verdict is Verdict.SKIPPED:
        reason = run.findings[0].message if run.findings else "not run"
        etree.SubElement(case, "skipped", message=_text(reason))
    elif run.verdict is not Verdict.PASSED:
        problems = [f for f in run.findings if f.severity is FindingSeverity.ERROR] or list(run.findings)
        tag = "error" if run.verdict is Verdict.ERROR else "failure"
        outcome = etree.SubElement(case, tag, message=_text(_headline(run, problems)),
                                   type=_text(problems[0].rule if problems else run.verdict.value))
        outcome.text = _text("\n".join(_finding_line(f) for f in run.findings))
    out = [f"{number}. {step}" for number, step in enumerate(run.steps, start=1)]
    out += [f"warning: {_finding_line(f)}" for f in run.findings
            if run.verdict is Verdict.PASSED and f.severity is FindingSeverity.WARNING]
    out += _timeline_lines(run)
    if out:
        etree.SubElement(case, "system-out").text = _text("\n".join(out))
    return case


def _timeline_lines(run: PreviewRun) -> list[str]:
    """``launch 1 +12 ms LMSSetValue cmi.core.score.raw = 85 -> true [score 85]``, at most TIMELINE_LIMIT."""
    if not run.timeline:
        return []
    lines = [f"timeline ({run.format.value}, {len(run.timeline)} events):"]
    for entry in run.timeline[:TIMELINE_LIMIT]:
        value = entry.value if len(entry.value) <= VALUE_LIMIT else \
            f"{entry.value[:VALUE_LIMIT]}… ({len(entry.value):,} characters)"
        target = f" {entry.element} = {value}" if entry.element else f" {value}" if value else ""
        refused = f" error {entry.error} {entry.error_name}".rstrip() if entry.failed else ""
        means = f" [{entry.means}]" if entry.means else ""
        lines.append(f"launch {entry.launch} +{entry.at_ms:.0f} ms {entry.call}{target} -> {entry.result}"
                     f"{refused}{means}")
    if len(run.timeline) > TIMELINE_LIMIT:
        lines.append(f"... and {len(run.timeline) - TIMELINE_LIMIT:,} more")
    return lines


def _headline(run: PreviewRun, problems: Sequence[Finding]) -> str:
    if not problems:
        return f"{run.scenario}: {run.verdict.value} without a finding"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    first = problems[0]
    return f"{first.rule} at step '{first.step}': {first.message}{more}"


def _finding_line(finding: Finding) -> str:
    line = f"{finding.severity.value}: {finding.rule} at step '{finding.step}': {finding.message}"
    return f"{line} ({finding.help_url})" if finding.help_url else line


def _time(seconds: float) -> str:
    return f"{seconds:.3f}" if math.isfinite(seconds) and seconds > 0 else "0.000"


def _text(value: str) -> str:
    return printable(value)
