"""The preview matrix, covered in the suite: for every format with a preview plug-in, every LMS profile that
applies to it, every locale of the sample course and every derived scenario at least once (so every pair of
a format with a profile, a locale or a scenario runs), with the one shared browser and test LMS. The full
matrix (every combination) is what ``courseforge preview`` runs; this covering set keeps the suite fast.

A format whose plug-in has not landed yet is skipped with the reason; so is one whose packager is missing.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.model.preview import PreviewRun, Verdict
from courseforge.pipeline import BuildOptions, CourseBuild, build_course
from courseforge.stages.package import default_packagers
from courseforge.stages.preview.harness import PROFILES, PreviewServer, default_plugins
from courseforge.stages.preview.scenarios import DERIVED_SCENARIOS, applicable_profiles, run_scenarios

REPO = Path(__file__).resolve().parents[2]
COURSE = "workplace-safety"
BASE_IRI = "https://courseforge.example/courses/"
PREVIEWED = (PackageFormat.SCORM12, PackageFormat.SCORM2004, PackageFormat.XAPI, PackageFormat.CMI5)
"""The formats the preview plays (a web package has no LMS to record anything)."""


def packaged(formats: Sequence[PackageFormat]) -> tuple[PackageFormat, ...]:
    registered = default_packagers()
    return tuple(f for f in formats if f in registered)


@pytest.fixture(scope="module")
def safety() -> CourseBuild:
    sink = DiagnosticSink()
    built = build_course(REPO / "courses" / COURSE, f"courses/{COURSE}",
                         BuildOptions(formats=packaged(PREVIEWED), locales=("all",), locales_dir=REPO / "locales",
                                      source_date_epoch=0, base_iri=BASE_IRI), sink)
    assert built is not None, [d.format() for d in sink]
    return built


def covering_rows(locales: Sequence[str], profiles: Sequence[str],
                  scenarios: Sequence[str] = DERIVED_SCENARIOS) -> list[tuple[str, str, str]]:
    """(locale, profile, scenario) rows in which every value of each dimension occurs at least once."""
    width = max(len(profiles), len(locales), len(scenarios))
    cycle = [itertools.islice(itertools.cycle(values), width) for values in (locales, profiles, scenarios)]
    return list(zip(*cycle, strict=True))


def test_the_rows_cover_every_value() -> None:
    rows = covering_rows(["en", "de", "fr", "ar"], list(PROFILES))
    for index, values in enumerate((["en", "de", "fr", "ar"], list(PROFILES), list(DERIVED_SCENARIOS))):
        assert {row[index] for row in rows} == set(values)
    assert len(rows) == len(PROFILES), "as many rows as the widest dimension, no more"


@pytest.mark.browser
@pytest.mark.parametrize("package_format", PREVIEWED, ids=[f.value for f in PREVIEWED])
def test_every_profile_locale_and_scenario_passes_once_per_format(
        package_format: PackageFormat, safety: CourseBuild, chromium: Browser, preview_server: PreviewServer) -> None:
    if package_format not in default_plugins():
        pytest.skip(f"no preview plug-in for {package_format.value} yet "
                    f"(courseforge/stages/preview/harness/plugins/{package_format.value}.py lands with its helper)")
    packages = {built.package.locale: built.package for built in safety.packages
                if built.package.format is package_format}
    if not packages:
        pytest.skip(f"no {package_format.value} packager yet: nothing to preview")
    profiles, left_out = applicable_profiles(preview_server, package_format, list(PROFILES))
    assert profiles, left_out
    runs: list[PreviewRun] = []
    for locale, profile, scenario in covering_rows(sorted(packages, key=lambda x: x != "en"), profiles):
        package = packages[locale]
        runs.extend(run_scenarios(safety.course, package.data, locale, [profile], [scenario], chromium,
                                  preview_server, name=f"matrix-{package_format.value}-{locale}-{profile}-{scenario}",
                                  package_format=package_format))
    failed = [f"{run.name}: " + "; ".join(f"{f.rule} {f.message} ({f.step})" for f in run.findings)
              for run in runs if run.verdict is not Verdict.PASSED]
    assert not failed, "\n".join(failed)
    assert {run.profile for run in runs} == set(profiles)
    assert {run.format for run in runs} == {package_format}
