"""The preview matrix, covered in the suite: every LMS profile, every locale of the sample course and every
derived scenario at least once, with the one shared browser and test LMS. The full matrix (every
combination) is what ``courseforge preview`` runs; this covering set keeps the suite fast."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.preview import PreviewRun, Verdict
from courseforge.pipeline import BuildOptions, CourseBuild, build_course
from courseforge.stages.preview.harness import PROFILES, PreviewServer
from courseforge.stages.preview.scenarios import DERIVED_SCENARIOS, run_scenarios

REPO = Path(__file__).resolve().parents[2]
COURSE = "workplace-safety"


@pytest.fixture(scope="module")
def safety() -> CourseBuild:
    sink = DiagnosticSink()
    built = build_course(REPO / "courses" / COURSE, f"courses/{COURSE}",
                         BuildOptions(locales=("all",), locales_dir=REPO / "locales", source_date_epoch=0), sink)
    assert built is not None, [d.format() for d in sink]
    return built


def covering_rows(locales: list[str]) -> list[tuple[str, str, str]]:
    """(locale, profile, scenario) rows in which every value of each dimension occurs at least once."""
    profiles, scenarios = list(PROFILES), list(DERIVED_SCENARIOS)
    width = max(len(profiles), len(locales), len(scenarios))
    cycle = [itertools.islice(itertools.cycle(values), width) for values in (locales, profiles, scenarios)]
    return list(zip(*cycle, strict=True))


def test_the_rows_cover_every_value() -> None:
    rows = covering_rows(["en", "de", "fr", "ar"])
    for index, values in enumerate((["en", "de", "fr", "ar"], list(PROFILES), list(DERIVED_SCENARIOS))):
        assert {row[index] for row in rows} == set(values)


@pytest.mark.browser
def test_every_profile_locale_and_scenario_passes_once(safety: CourseBuild, chromium: Browser,
                                                       preview_server: PreviewServer) -> None:
    packages = {built.package.locale: built.package for built in safety.packages}
    runs: list[PreviewRun] = []
    for locale, profile, scenario in covering_rows(sorted(packages, key=lambda x: x != "en")):
        package = packages[locale]
        runs.extend(run_scenarios(safety.course, package.data, locale, [profile], [scenario], chromium,
                                  preview_server, name=f"matrix-{locale}-{profile}-{scenario}"))
    failed = [f"{run.name}: " + "; ".join(f"{f.rule} {f.message} ({f.step})" for f in run.findings)
              for run in runs if run.verdict is not Verdict.PASSED]
    assert not failed, "\n".join(failed)
    assert {run.profile for run in runs} == set(PROFILES)
