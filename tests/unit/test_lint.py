"""Lint: every problem of a broken course at once, as file:line:col diagnostics (golden files)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from courseforge.diagnostics import DiagnosticSink, format_all
from courseforge.pipeline import BuildOptions, validate_course
from courseforge.standards.scorm12 import SUSPEND_DATA_LIMIT as SCORM12_SUSPEND_LIMIT
from tests.factory import base_manifest, page, write_course

REPO = Path(__file__).resolve().parents[2]
ROOTS = REPO / "tests" / "roots"
GOLDEN = REPO / "tests" / "golden" / "diagnostics"
BROKEN = sorted(p.name for p in ROOTS.iterdir() if p.name.startswith("broken-"))


def lint(folder: Path, display: str) -> DiagnosticSink:
    sink = DiagnosticSink()
    validate_course(folder, display, sink, BuildOptions(base_iri="https://learning.example.com/courses/"))
    return sink


@pytest.mark.parametrize("case", BROKEN)
def test_broken_course_matches_golden_diagnostics(case: str) -> None:
    sink = lint(ROOTS / case, f"tests/roots/{case}")
    text = format_all(sink) + "\n"
    golden = GOLDEN / f"{case}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    assert sink.error_count > 0


def test_every_broken_fixture_reports_several_problems_in_one_run() -> None:
    for case in BROKEN:
        assert lint(ROOTS / case, case).error_count >= 3, case


def test_minimal_course_is_clean() -> None:
    sink = lint(ROOTS / "minimal", "tests/roots/minimal")
    assert list(sink) == []


def checklist_course(tmp_path: Path, items: int) -> Path:
    lines = "".join(f"  - {{id: i{n}, text: Item {n}}}\n" for n in range(items))
    checklist = f"kind: checklist\nid: big\ntitle: Big checklist\nitems:\n{lines}"
    manifest = base_manifest("budget", ["pages/p.md", "checklists/big.yaml"])
    return write_course(tmp_path, manifest, {"pages/p.md": page("p", "Page"), "checklists/big.yaml": checklist})


def test_course_whose_saved_state_cannot_fit_suspend_data_is_an_error(tmp_path: Path) -> None:
    items = 6 * SCORM12_SUSPEND_LIMIT
    sink = lint(checklist_course(tmp_path, items), "budget")
    codes = [d.code for d in sink]
    assert "course.suspend-budget" in codes


def test_course_within_suspend_budget_passes(tmp_path: Path) -> None:
    sink = lint(checklist_course(tmp_path, 600), "budget")
    assert [d.code for d in sink] == []


def test_unknown_key_suggests_the_likely_intended_key() -> None:
    sink = lint(ROOTS / "broken-schema", "broken-schema")
    unknown = [d for d in sink if d.code == "schema.unknown-key"]
    assert {d.hint for d in unknown} >= {"did you mean 'description'?", "did you mean 'accepted'?"}
