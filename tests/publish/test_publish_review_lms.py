"""courseforge publish against the real review LMS (courseforge.lms.review's ReviewServer: uvicorn on 127.0.0.1,
a real SQLite file and package store, packages verified on upload): the second publish uploads nothing, a changed
course becomes version 2 with version 1 kept, a reviewer's token is refused, and a local LMS is reached with the
admin token file its first start wrote."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from courseforge.lms.review.database import Role
from courseforge.lms.review.server import ReviewServer
from courseforge.lms.review.service import ReviewPaths, ensure_admin
from courseforge.stages.preview.harness.runtime import find_runtime
from tests.publish.harness import edit_page, invoke, make_project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path / "project")
    monkeypatch.chdir(root)
    monkeypatch.delenv("COURSEFORGE_REVIEW_TOKEN", raising=False)
    return root


@pytest.fixture
def lms(project: Path) -> Iterator[ReviewServer]:
    """The project's own review LMS, as `courseforge serve` lays it out (build/review/, admin.token beside the
    database), answering on a free port that the project's review target names."""
    paths = ReviewPaths.under(project / "build" / "review")
    with ReviewServer(paths, find_runtime()) as server:
        assert ensure_admin(server.lms.database, paths.admin_token_file)
        (project / "courseforge.yaml").write_text((project / "courseforge.yaml").read_text(encoding="utf-8")
                                                  + f"publish:\n  targets:\n    review: {{url: '{server.url}'}}\n",
                                                  encoding="utf-8")
        yield server


def stored_versions(server: ReviewServer, token: str) -> dict[str, list[int]]:
    answer = httpx.get(f"{server.url}/api/v1/packages", headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()
    versions: dict[str, list[int]] = {}
    for package in answer.json()["packages"]:
        versions.setdefault(package["course"], []).append(int(package["version"]))
    return {course: sorted(numbers) for course, numbers in sorted(versions.items())}


def test_publishing_to_the_review_lms_twice_and_after_a_change(capsys: pytest.CaptureFixture[str], project: Path,
                                                               lms: ReviewServer) -> None:
    token = (project / "build" / "review" / "admin.token").read_text(encoding="utf-8").strip()
    code, out, err = invoke(capsys, "publish", "--json")
    assert code == 0, err
    first = json.loads(out)["results"]
    assert [(r["course"], r["action"], r["version"]) for r in first] == [("alpha", "uploaded", "1"),
                                                                          ("beta", "uploaded", "1")]
    assert all(str(r["url"]).startswith(lms.url) for r in first) and token not in out + err

    code, out, _ = invoke(capsys, "publish", "--json")
    assert code == 0 and [r["action"] for r in json.loads(out)["results"]] == ["present", "present"]
    assert stored_versions(lms, token) == {"alpha": [1], "beta": [1]}

    edit_page(project, "alpha", "Alpha, version 2.")
    code, out, err = invoke(capsys, "publish")
    assert code == 0, err
    assert "alpha/en/scorm12" in out and "uploaded  version 2" in out
    assert stored_versions(lms, token) == {"alpha": [1, 2], "beta": [1]}


def test_a_reviewers_token_cannot_publish(capsys: pytest.CaptureFixture[str], project: Path, lms: ReviewServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _, reviewer_token = lms.lms.database.add_user("reviewer", Role.REVIEWER, "a reviewer's long passphrase")
    monkeypatch.setenv("COURSEFORGE_REVIEW_TOKEN", reviewer_token)
    code, _, err = invoke(capsys, "publish", "alpha")
    assert code == 1 and "HTTP 403" in err and "only admins upload" in err and reviewer_token not in err
