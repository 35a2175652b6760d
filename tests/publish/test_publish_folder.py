"""courseforge publish to a folder target: the zips under versioned names, JSON and CSV manifests and the
manual checklist; idempotent by sha256, earlier versions kept, nothing written by a dry run."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from tests.publish.harness import edit_page, invoke, make_project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path / "project", "publish:\n  default: manual\n  targets:\n"
                                              "    manual: {url: 'folder:dist/lms', lms: moodle}\n")
    monkeypatch.chdir(root)
    return root


def manifest(folder: Path) -> list[dict[str, object]]:
    entries = json.loads((folder / "manifest.json").read_bytes())["packages"]
    assert isinstance(entries, list)
    return entries


def test_a_folder_target_gets_zips_manifests_and_a_checklist(capsys: pytest.CaptureFixture[str],
                                                             project: Path) -> None:
    code, out, err = invoke(capsys, "publish", "--json")
    assert code == 0, err
    folder = project / "dist" / "lms"
    entries = manifest(folder)
    assert [(e["course"], e["version"], e["file"]) for e in entries] == [
        ("alpha", 1, "alpha/en/alpha-en-scorm12-v1.zip"), ("beta", 1, "beta/en/beta-en-scorm12-v1.zip")]
    for entry in entries:
        built = project / "build" / str(entry["course"]) / "en" / "scorm12.zip"
        assert (folder / str(entry["file"])).read_bytes() == built.read_bytes()
        assert entry["sha256"] == hashlib.sha256(built.read_bytes()).hexdigest()
    with (folder / "manifest.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["course"], r["version"], r["sha256"]) for r in rows] == [
        (e["course"], str(e["version"]), e["sha256"]) for e in entries]
    checklist = (folder / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "# Upload checklist (moodle)" in checklist and "SCORM package" in checklist
    assert "- [ ] `alpha/en/alpha-en-scorm12-v1.zip`" in checklist
    assert not list(folder.rglob("*.partial"))
    assert [r["action"] for r in json.loads(out)["results"]] == ["uploaded", "uploaded"]


def test_a_folder_target_is_idempotent_and_keeps_earlier_versions(capsys: pytest.CaptureFixture[str],
                                                                  project: Path) -> None:
    assert invoke(capsys, "publish")[0] == 0
    folder = project / "dist" / "lms"
    before = (folder / "manifest.json").read_bytes()
    code, out, _ = invoke(capsys, "publish", "--json")
    assert code == 0 and [r["action"] for r in json.loads(out)["results"]] == ["present", "present"]
    assert (folder / "manifest.json").read_bytes() == before
    edit_page(project, "beta", "Beta's second version.")
    code, out, _ = invoke(capsys, "publish")
    assert code == 0 and "beta/en/scorm12" in out and "uploaded  version 2" in out
    assert sorted(p.name for p in (folder / "beta" / "en").iterdir()) == ["beta-en-scorm12-v1.zip",
                                                                           "beta-en-scorm12-v2.zip"]
    assert [(e["course"], e["version"]) for e in manifest(folder)] == [("alpha", 1), ("beta", 1), ("beta", 2)]
    checklist = (folder / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "beta-en-scorm12-v2.zip" in checklist and "beta-en-scorm12-v1.zip" not in checklist


def test_a_dry_run_writes_nothing_to_the_folder(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    code, out, _ = invoke(capsys, "publish", "--dry-run", "--target", "folder:elsewhere")
    assert code == 0 and out.count("would upload") == 2
    assert not (project / "elsewhere").exists()


def test_a_folder_that_cannot_be_written_fails_and_keeps_what_it_had(capsys: pytest.CaptureFixture[str],
                                                                     project: Path) -> None:
    assert invoke(capsys, "publish", "alpha")[0] == 0
    folder = project / "dist" / "lms"
    before = (folder / "manifest.json").read_bytes()
    (folder / "beta").write_text("a file where beta's folder would go", encoding="utf-8")
    code, _, err = invoke(capsys, "publish")
    assert code == 1 and "publish to 'manual' failed: cannot write" in err
    assert (folder / "manifest.json").read_bytes() == before
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.zip")) == [
        "alpha/en/alpha-en-scorm12-v1.zip"]


def test_a_course_that_does_not_build_publishes_nothing(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    manifest_file = project / "courses" / "beta" / "course.yaml"
    manifest_file.write_text(manifest_file.read_text(encoding="utf-8").replace("version: 1.0.0", "version: [1]"),
                             encoding="utf-8")
    code, out, _ = invoke(capsys, "publish", "--json")
    assert code == 1
    document = json.loads(out)
    assert document["ok"] is False and document["errors"] >= 1 and document["results"] == []
    assert "the build failed" in document["error"] and "nothing was published" in document["error"]
    assert any(d["path"] == "courses/beta/course.yaml" for d in document["diagnostics"])
    assert not (project / "dist").exists()
