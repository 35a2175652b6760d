"""The commands end to end on real courses: exit codes, nothing written on failure, reproducible builds."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from courseforge.cli import cli
from courseforge.schemas import schema_dir

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p.parent.name for p in (REPO / "courses").glob("*/course.yaml"))
BROKEN = REPO / "tests" / "roots" / "broken-quiz"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    code, stdout, stderr = run("build", *(str(REPO / "courses" / c) for c in SAMPLES), "--out", str(out),
                               "--format", "scorm12", "--locale", "all")
    assert code == 0, stderr
    assert "built 7 package(s) from 2 course(s)" in stderr
    assert len(stdout.splitlines()) == 7
    return out


def packages(out: Path) -> list[Path]:
    return sorted(out.glob("*/*/scorm12.zip"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_samples_lint_clean() -> None:
    code, _, stderr = run("lint", *(str(REPO / "courses" / c) for c in SAMPLES), "--strict")
    assert code == 0, stderr


def test_build_writes_one_scorm12_zip_per_course_and_a_report(built: Path) -> None:
    assert [p.relative_to(built).as_posix() for p in packages(built)] == [
        f"{course}/{locale}/scorm12.zip" for course, locale in [
            ("data-privacy", "de"), ("data-privacy", "en"), ("data-privacy", "fr"), ("workplace-safety", "ar"),
            ("workplace-safety", "de"), ("workplace-safety", "en"), ("workplace-safety", "fr")]]
    report = json.loads((built / "reports" / "build.json").read_text())
    assert len(report["packages"]) == 7
    assert all(p["verified"] for p in report["packages"])


def test_built_manifests_validate_against_official_schemas(built: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(schema_dir("scorm12") / "courseforge_manifest_driver.xsd")))
    for package in packages(built):
        with zipfile.ZipFile(package) as archive:
            manifest = etree.parse(io.BytesIO(archive.read("imsmanifest.xml")))
        assert schema.validate(manifest), schema.error_log


def test_rebuild_is_byte_identical(built: Path, tmp_path: Path) -> None:
    code, _, stderr = run("build", *(str(REPO / "courses" / c) for c in SAMPLES), "--out", str(tmp_path),
                          "--locale", "all")
    assert code == 0, stderr
    assert [sha(p) for p in packages(tmp_path)] == [sha(p) for p in packages(built)]


def test_check_accepts_built_packages(built: Path) -> None:
    code, stdout, _ = run("check", *(str(p) for p in packages(built)), "--strict")
    assert code == 0, stdout


def test_lint_reports_every_error_with_location_and_exits_1() -> None:
    code, stdout, stderr = run("lint", str(BROKEN))
    assert code == 1
    assert stdout == ""
    lines = [line for line in stderr.splitlines() if ": error: " in line]
    assert len(lines) >= 10
    assert all(line.split(":")[1].isdigit() and line.split(":")[2].isdigit() for line in lines)
    assert "quizzes/final.yaml:" in stderr and "[quiz.no-correct]" in stderr


def test_lint_json_output_for_ci() -> None:
    code, stdout, _ = run("lint", str(BROKEN), "--json")
    assert code == 1
    document = json.loads(stdout)
    assert document["ok"] is False and document["errors"] >= 10
    assert {"severity", "code", "message", "path", "line", "col", "hint"} <= set(document["diagnostics"][0])


def test_failed_build_writes_nothing_and_keeps_previous_outputs(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built, out)
    before = {p: sha(p) for p in out.rglob("*") if p.is_file()}
    code, _, stderr = run("build", str(REPO / "courses" / SAMPLES[0]), str(BROKEN), "--out", str(out))
    assert code == 1
    assert "nothing was written" in stderr
    assert {p: sha(p) for p in out.rglob("*") if p.is_file()} == before
    assert not (out / "broken-quiz").exists()


def test_lint_never_modifies_sources(tmp_path: Path) -> None:
    copy = tmp_path / "broken-quiz"
    shutil.copytree(BROKEN, copy)
    before = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    run("lint", str(copy))
    assert {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before
