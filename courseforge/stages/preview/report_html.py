"""The preview report as ONE self-contained HTML file: a pure function of the :class:`PreviewReport`.

Opened from a CI artifact or an e-mail, the file must need nothing else: CSS is inline, screenshots are
data: URIs (up to a budget; the PNG files beside the report are always linked), no script runs (the
"failed only" filter is CSS) and a Content-Security-Policy forbids any request. Every text that came from
a package (titles, CMI values, console messages) may be hostile, so the template autoescapes, help links
are kept only for http(s), and :func:`printable` shows control and bidi-override characters as escapes.
The same report always renders to the same bytes: runs are sorted and no clock is read here.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from courseforge.model.preview import Finding, FindingSeverity, PreviewReport, PreviewRun, Verdict
from courseforge.stages.preview.report_views import (
    InteractionView,
    LaunchRows,
    SuspendView,
    describe_suspend_data,
    element_order,
    final_record,
    held_interactions,
    launch_interactions,
    ordered_runs,
    printable,
    screenshot_paths,
    timeline,
)
from courseforge.standards import profile_for

TEMPLATE = "report.html.j2"
A11Y_PREFIX = "a11y."
EMBED_BUDGET_BYTES = 24 * 1024 * 1024
"""Screenshots embedded past this total are only linked (a full matrix of runs would make a huge page)."""
SAFE_LINK_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class FindingView:
    rule: str
    severity: str
    message: str
    step: str
    help_url: str
    """Empty unless an http(s) URL: a ``javascript:`` link from a hostile package is shown as text only."""
    help_text: str


@dataclass(frozen=True)
class ShotView:
    caption: str
    width: int
    height: int
    file: str
    data_uri: Markup
    """Empty when the embedding budget was spent: the report links the file only."""


@dataclass(frozen=True)
class RecordRow:
    element: str
    value: str
    suspend: SuspendView | None


@dataclass(frozen=True)
class RunView:
    anchor: str
    name: str
    package: str
    format: str
    format_title: str
    locale: str
    profile: str
    profile_meaning: str
    scenario: str
    verdict: str
    duration: str
    findings: tuple[FindingView, ...]
    a11y: tuple[FindingView, ...]
    steps: tuple[str, ...]
    timeline: LaunchRows
    calls: int
    shown_calls: int
    interactions: tuple[InteractionView, ...]
    record: tuple[RecordRow, ...]
    """The final record without its interactions, which :attr:`held_interactions` groups."""
    held_interactions: tuple[InteractionView, ...]
    shots: tuple[ShotView, ...]
    timings: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SummaryView:
    packages: tuple[str, ...]
    formats: tuple[str, ...]
    locales: tuple[str, ...]
    profiles: tuple[str, ...]
    scenarios: tuple[str, ...]
    runs: int
    passed: int
    failed: int
    errors: int
    skipped: int
    findings: int
    browser: str
    duration: str
    ok: bool
    notes: tuple[str, ...]


def render_report(report: PreviewReport, *, embed_budget: int = EMBED_BUDGET_BYTES) -> bytes:
    """The report page, UTF-8."""
    runs = ordered_runs(report)
    views = run_views(runs, embed_budget)
    page = _template().render(summary=summary_view(report, runs), runs=views, a11y_prefix=A11Y_PREFIX)
    return page.encode("utf-8")


@cache
def _template() -> Template:
    return _environment().get_template(TEMPLATE)


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("courseforge.stages.preview", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                       finalize=_printable_value)


def _printable_value(value: object) -> object:
    """Every text output made printable; the template's own markup (a macro's result) passes unchanged."""
    return printable(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def summary_view(report: PreviewReport, runs: Sequence[PreviewRun]) -> SummaryView:
    def distinct(values: Sequence[str]) -> tuple[str, ...]:
        return tuple(sorted(set(values)))

    verdicts = [run.verdict for run in runs]
    return SummaryView(
        packages=distinct([run.package for run in runs]), formats=distinct([run.format.value for run in runs]),
        locales=distinct([run.locale for run in runs]),
        profiles=distinct([run.profile for run in runs]), scenarios=distinct([run.scenario for run in runs]),
        runs=len(runs), passed=verdicts.count(Verdict.PASSED), failed=verdicts.count(Verdict.FAILED),
        errors=verdicts.count(Verdict.ERROR), skipped=verdicts.count(Verdict.SKIPPED),
        findings=sum(len(run.findings) for run in runs), browser=report.browser,
        duration=seconds(report.duration_s), ok=report.ok, notes=report.notes,
    )


def run_views(runs: Sequence[PreviewRun], embed_budget: int) -> tuple[RunView, ...]:
    paths = screenshot_paths(runs)
    budget = embed_budget
    views: list[RunView] = []
    for run_index, run in enumerate(runs):
        shots: list[ShotView] = []
        for shot_index, shot in enumerate(run.screenshots):
            embed = len(shot.png) <= budget
            budget -= len(shot.png) if embed else 0
            data_uri = _data_uri(shot.png) if embed else Markup()
            shots.append(ShotView(caption=shot.name, width=shot.width, height=shot.height,
                                  file=paths[(run_index, shot_index)], data_uri=data_uri))
        views.append(_run_view(run_index, run, tuple(shots)))
    return tuple(views)


def _run_view(index: int, run: PreviewRun, shots: tuple[ShotView, ...]) -> RunView:
    ordered = sorted(run.findings, key=lambda finding: finding.severity is not FindingSeverity.ERROR)
    rows = timeline(run)
    last = final_record(run)
    state_key = last.state_key if last else ""
    folded = last.interactions_key if last else ""
    limit = profile_for(run.format).suspend_limit
    return RunView(
        anchor=f"run-{index + 1}", name=run.name, package=run.package, format=run.format.value,
        format_title=profile_for(run.format).title, locale=run.locale, profile_meaning=run.profile_meaning,
        profile=run.profile, scenario=run.scenario, verdict=run.verdict.value, duration=seconds(run.duration_s),
        findings=tuple(_finding_view(f) for f in ordered if not f.rule.startswith(A11Y_PREFIX)),
        a11y=tuple(_finding_view(f) for f in ordered if f.rule.startswith(A11Y_PREFIX)),
        steps=run.steps, timeline=rows, calls=len(run.timeline), shown_calls=sum(len(group) for _, group in rows),
        interactions=launch_interactions(run),
        record=tuple(RecordRow(element, value, describe_suspend_data(value, limit) if element == state_key else None)
                     for element, value in sorted(run.final_record, key=lambda pair: element_order(pair[0]))
                     if not (folded and element.startswith(folded))),
        held_interactions=held_interactions(run),
        shots=shots, timings=tuple((timing.label, seconds(timing.seconds, 3)) for timing in run.timings),
    )


def _finding_view(finding: Finding) -> FindingView:
    safe = _is_web_link(finding.help_url)
    return FindingView(rule=finding.rule, severity=finding.severity.value, message=finding.message,
                       step=finding.step, help_url=finding.help_url if safe else "",
                       help_text="" if safe else finding.help_url)


def _is_web_link(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in SAFE_LINK_SCHEMES and bool(parts.netloc) and url.isprintable()


def _data_uri(png: bytes) -> Markup:
    """Base64 of the bytes: safe as it is, and exempt from the text limit of :func:`printable`."""
    return Markup("data:image/png;base64," + base64.b64encode(png).decode("ascii"))


def seconds(value: float, decimals: int = 2) -> str:
    return f"{value:.{decimals}f} s"
