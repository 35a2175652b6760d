"""The preview report as JUnit XML, the format every CI server reads (the Ant/Jenkins ``junit-10.xsd`` shape).

One ``testsuite`` per package x locale x LMS profile, one ``testcase`` per scenario. A failed run carries
one ``failure`` whose message names the first rule broken and the step, and whose text lists every
finding; a run that broke carries an ``error`` instead. The robot's steps go to ``system-out``, so a CI
log shows what was done. Package texts pass through :func:`printable`: XML 1.0 cannot hold every character.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import groupby

from lxml import etree

from courseforge.model.preview import Finding, FindingSeverity, PreviewReport, PreviewRun, Verdict
from courseforge.stages.preview.report_views import ordered_runs, printable

SUITES_NAME = "courseforge preview"


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
    return f"{run.package} [{run.locale}, {run.profile}]"


def _counts(element: etree._Element, runs: Sequence[PreviewRun], seconds: float) -> None:
    verdicts = [run.verdict for run in runs]
    element.set("tests", str(len(runs)))
    element.set("failures", str(verdicts.count(Verdict.FAILED)))
    element.set("errors", str(verdicts.count(Verdict.ERROR)))
    element.set("time", _time(seconds))


def _suite(runs: Sequence[PreviewRun], browser: str) -> etree._Element:
    first = runs[0]
    suite = etree.Element("testsuite", name=_text(suite_name(first)))
    _counts(suite, runs, sum(run.duration_s for run in runs))
    suite.set("skipped", "0")
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
    if run.verdict is not Verdict.PASSED:
        problems = [f for f in run.findings if f.severity is FindingSeverity.ERROR] or list(run.findings)
        tag = "error" if run.verdict is Verdict.ERROR else "failure"
        outcome = etree.SubElement(case, tag, message=_text(_headline(run, problems)),
                                   type=_text(problems[0].rule if problems else run.verdict.value))
        outcome.text = _text("\n".join(_finding_line(f) for f in run.findings))
    out = [f"{number}. {step}" for number, step in enumerate(run.steps, start=1)]
    out += [f"warning: {_finding_line(f)}" for f in run.findings
            if run.verdict is Verdict.PASSED and f.severity is FindingSeverity.WARNING]
    if out:
        etree.SubElement(case, "system-out").text = _text("\n".join(out))
    return case


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
