"""``courseforge preview`` on the command line: usage errors before any browser starts, and a real run's
evidence and JSON document (the full matrix is covered by test_matrix.py and the parts' own tests)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from courseforge.cli import EXIT_OK, EXIT_USAGE, run

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "tests" / "roots" / "minimal", tmp_path / "courses" / "minimal")
    (tmp_path / "courseforge.yaml").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("args", [["--profile", "moodle-ish"], ["missing.zip"], ["no-such-course"]])
def test_usage_errors_exit_2(project: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert run(["preview", *args]) == EXIT_USAGE
    assert capsys.readouterr().out == ""
    assert not (project / "build").exists()


@pytest.mark.browser
def test_a_course_preview_writes_its_evidence_and_one_json_document(project: Path) -> None:
    """In a process of its own, as a user runs it (the session's shared browser owns this one's event loop)."""
    result = subprocess.run([sys.executable, "-m", "courseforge", "preview", "--profile", "default,lrs-outage",
                             "--scenario", "pass", "--format", "scorm12,web", "--lms-runtime",
                             str(REPO / "node_modules"), "--json"], cwd=project, capture_output=True, text=True,
                            timeout=300, check=False)
    document = json.loads(result.stdout)
    assert result.returncode == EXIT_OK, (document, result.stderr)
    runs = [(r["format"], r["profile"], r["scenario"], r["verdict"]) for r in document["runs"]]
    assert runs == [("scorm12", "default", "pass", "passed"), ("web", "default,lrs-outage", "-", "skipped")]
    assert document["runs"][1]["findings"][0]["rule"] == "preview.no-plugin", "a format without a plug-in says so"
    assert document["notes"] == ["profile 'lrs-outage' does not apply to SCORM 1.2: the LRS is unreachable for the "
                                 "first 3 writes of each launch (503), then comes back"]
    assert document["runs"][0]["launches"][0]["status"] == "passed"
    files = {Path(f).name for f in document["files"]}
    assert {"report.html", "junit.xml"} <= files
    assert (project / "build" / "preview" / "report.html").read_bytes().startswith(b"<!DOCTYPE html>")
