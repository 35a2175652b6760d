"""The preview matrix, covered in the suite with the one shared browser and test LMS: every format with a
preview plug-in runs every derived scenario and every locale of the sample course once (every pair of a
format with a scenario or a locale), and every LMS profile runs at least once, under a format it applies
to (the profiles only a few formats take are placed first). The full matrix (every combination) is what
``courseforge preview`` runs; this covering set keeps the suite fast (four runs per format).

A format whose plug-in has not landed yet is skipped with the reason; so is one whose packager is missing.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.model.preview import PreviewRun, Verdict
from courseforge.pipeline import BuildOptions, CourseBuild, build_course
from courseforge.stages.package import default_packagers
from courseforge.stages.preview.harness import PROFILES, PreviewServer, default_plugins
from courseforge.stages.preview.scenarios import DERIVED_SCENARIOS, run_scenarios

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


def profile_plan(applicable: Mapping[PackageFormat, Sequence[str]], slots: int) -> dict[PackageFormat, list[str]]:
    """Each format's profiles for its ``slots`` rows: every profile placed at least once, the ones fewest formats
    take first (each on the format with the fewest placed so far), the rest of a format's rows cycling through
    what applies to it."""
    plan: dict[PackageFormat, list[str]] = {f: [] for f in applicable}
    every = sorted({name for names in applicable.values() for name in names},
                   key=lambda name: (sum(name in names for names in applicable.values()), list(PROFILES).index(name)))
    for name in every:
        takers = [f for f, names in applicable.items() if name in names]
        plan[min(takers, key=lambda f: (len(plan[f]), list(applicable).index(f)))].append(name)
    for package_format, names in applicable.items():
        unused = [name for name in names if name not in plan[package_format]]
        fill = itertools.chain(unused, itertools.cycle(names))
        while len(plan[package_format]) < slots:
            plan[package_format].append(next(fill))
    return plan


def matrix_plan() -> dict[PackageFormat, list[str]]:
    """The profile of each row, per previewed format that has a plug-in."""
    plugins = default_plugins()
    applicable = {f: [name for name, profile in PROFILES.items() if plugins[f].profile_meaning(profile) is not None]
                  for f in PREVIEWED if f in plugins}
    return profile_plan(applicable, len(DERIVED_SCENARIOS))


def test_the_rows_cover_every_value() -> None:
    rows = covering_rows(["en", "de", "fr", "ar"], list(PROFILES))
    for index, values in enumerate((["en", "de", "fr", "ar"], list(PROFILES), list(DERIVED_SCENARIOS))):
        assert {row[index] for row in rows} == set(values)
    assert len(rows) == len(PROFILES), "as many rows as the widest dimension, no more"
    scorm, lrs = ["default", "strict", "slow"], ["default", "slow", "lrs-outage"]
    plan = profile_plan({PackageFormat.SCORM12: scorm, PackageFormat.XAPI: lrs}, 4)
    assert plan == {PackageFormat.SCORM12: ["strict", "default", "slow", "default"],
                    PackageFormat.XAPI: ["lrs-outage", "slow", "default", "default"]}
    placed = matrix_plan()
    assert {name for names in placed.values() for name in names} == set(PROFILES), "every profile runs somewhere"


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
    profiles = matrix_plan()[package_format]
    locales = sorted(packages, key=lambda x: x != "en")
    rows = [(locales[i % len(locales)], profile, DERIVED_SCENARIOS[i % len(DERIVED_SCENARIOS)])
            for i, profile in enumerate(profiles)]
    runs: list[PreviewRun] = []
    for locale, profile, scenario in rows:
        package = packages[locale]
        runs.extend(run_scenarios(safety.course, package.data, locale, [profile], [scenario], chromium,
                                  preview_server, name=f"matrix-{package_format.value}-{locale}-{profile}-{scenario}",
                                  package_format=package_format))
    failed = [f"{run.name}: " + "; ".join(f"{f.rule} {f.message} ({f.step})" for f in run.findings)
              for run in runs if run.verdict is not Verdict.PASSED]
    assert not failed, "\n".join(failed)
    assert [(run.profile, run.scenario) for run in runs] == [(row[1], row[2]) for row in rows], "none left out"
    assert {run.format for run in runs} == {package_format}
