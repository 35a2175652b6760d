"""courseforge publish to the review LMS's HTTP API (a stateful stand-in of its contract on 127.0.0.1):
idempotence by sha256, new versions that keep the old, --dry-run, --changed-since, errors and secrets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from courseforge.model.publish import PackageFile, PublishAction, PublishTarget
from courseforge.stages.publish.context import PublishContext
from courseforge.stages.publish.errors import PublishError, Redactor
from courseforge.stages.publish.retry import RetryPolicy
from courseforge.stages.publish.review import ReviewPublisher
from tests.publish.harness import commit_all, edit_page, git, invoke, make_project, serve_app, write_config
from tests.publish.review_standin import ADMIN_TOKEN, REVIEWER_TOKEN, ReviewStandIn


@pytest.fixture
def lms() -> Iterator[ReviewStandIn]:
    standin = ReviewStandIn()
    with serve_app(standin.app()) as url:
        standin.base_url = url
        yield standin


@pytest.fixture
def project(tmp_path: Path, lms: ReviewStandIn, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path / "project", f"publish:\n  default: review\n  targets:\n"
                                              f"    review: {{url: '{lms.base_url}', retries: 0}}\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("COURSEFORGE_REVIEW_TOKEN", ADMIN_TOKEN)
    return root


def results(out: str) -> list[dict[str, object]]:
    document = json.loads(out)
    assert isinstance(document["results"], list)
    return document["results"]


def test_publishing_twice_uploads_nothing_the_second_time_and_a_change_is_version_2(
        capsys: pytest.CaptureFixture[str], project: Path, lms: ReviewStandIn) -> None:
    code, out, err = invoke(capsys, "publish", "--json")
    assert code == 0, err
    first = results(out)
    assert [(r["course"], r["action"], r["version"]) for r in first] == [("alpha", "uploaded", "1"),
                                                                          ("beta", "uploaded", "1")]
    assert lms.uploads == 2 and all(str(r["url"]).startswith(lms.base_url) for r in first)

    code, out, _ = invoke(capsys, "publish", "--json")
    assert code == 0
    assert [r["action"] for r in results(out)] == ["present", "present"]
    assert lms.uploads == 2

    edit_page(project, "alpha", "A sentence added for version 2.")
    code, out, _ = invoke(capsys, "publish", "--json")
    assert code == 0
    third = {str(r["course"]): r for r in results(out)}
    assert (third["alpha"]["action"], third["alpha"]["version"]) == ("uploaded", "2")
    assert third["beta"]["action"] == "present"
    assert lms.versions("alpha") == [1, 2] and lms.versions("beta") == [1]
    assert third["alpha"]["sha256"] != first[0]["sha256"]


def test_dry_run_says_what_would_be_sent_and_sends_nothing(capsys: pytest.CaptureFixture[str], project: Path,
                                                          lms: ReviewStandIn) -> None:
    code, out, err = invoke(capsys, "publish", "alpha", "--dry-run")
    assert code == 0, err
    assert "alpha/en/scorm12" in out and "would upload" in out
    assert lms.uploads == 0 and not lms.packages
    assert "0 uploaded, 0 already there, 1 would be uploaded (dry run)" in err


def test_changed_since_publishes_only_the_courses_changed(capsys: pytest.CaptureFixture[str], project: Path,
                                                          lms: ReviewStandIn) -> None:
    git(project, "init", "-q")
    (project / ".gitignore").write_text("build/\n", encoding="utf-8")
    base = commit_all(project, "both courses")
    edit_page(project, "beta", "Only beta changed.")
    code, out, err = invoke(capsys, "publish", "--changed-since", base, "--json")
    assert code == 0, err
    assert [(r["course"], r["action"]) for r in results(out)] == [("beta", "uploaded")]
    assert json.loads(out)["selection"]["courses"] == ["beta"]
    commit_all(project, "beta edited")
    code, out, err = invoke(capsys, "publish", "--changed-since", "HEAD")
    assert code == 0 and "nothing to publish: no course changed since HEAD" in err
    assert lms.uploads == 1


def test_a_wrong_token_stops_with_the_servers_message_and_never_shows_the_token(
        capsys: pytest.CaptureFixture[str], project: Path, lms: ReviewStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "cf_wrong-secret-value-4242"
    monkeypatch.setenv("COURSEFORGE_REVIEW_TOKEN", wrong)
    for flags in ((), ("--json",), ("-v",)):
        code, out, err = invoke(capsys, "publish", *flags)
        assert code == 1
        assert lms.seen_authorization[-1] == f"Bearer {wrong}"  # it was sent, and echoed back in the error
        assert "HTTP 401" in out + err and "is not valid" in out + err
        assert wrong not in out + err
    assert not lms.packages


def test_a_reviewer_token_is_refused_with_exit_1(capsys: pytest.CaptureFixture[str], project: Path,
                                                 lms: ReviewStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSEFORGE_REVIEW_TOKEN", REVIEWER_TOKEN)
    code, _, err = invoke(capsys, "publish")
    assert code == 1 and "HTTP 403: only admins upload" in err and REVIEWER_TOKEN not in err


def test_a_local_review_lms_is_reached_with_the_token_file_it_wrote(capsys: pytest.CaptureFixture[str],
                                                                    project: Path, lms: ReviewStandIn,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COURSEFORGE_REVIEW_TOKEN")
    code, _, err = invoke(capsys, "publish", "alpha")
    assert code == 1 and "needs an admin API token: set COURSEFORGE_REVIEW_TOKEN" in err
    token_file = project / "build" / "review" / "admin.token"
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text(ADMIN_TOKEN + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    code, out, err = invoke(capsys, "publish", "alpha")
    assert code == 0, err
    assert "uploaded  version 1" in out and ADMIN_TOKEN not in out + err


def test_a_failed_run_removes_what_it_uploaded(capsys: pytest.CaptureFixture[str], project: Path,
                                               lms: ReviewStandIn) -> None:
    lms.refuse_upload = 2
    code, out, _ = invoke(capsys, "publish", "--json")
    assert code == 1
    document = json.loads(out)
    assert document["ok"] is False and "HTTP 422: the package fails verification" in document["error"]
    assert lms.uploads == 2 and not lms.packages  # alpha went up, then was taken down again


def test_targets_are_named_or_given_as_urls_and_a_bad_one_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                                                          project: Path, lms: ReviewStandIn) -> None:
    assert invoke(capsys, "publish", "--target", "nowhere")[0] == 2
    code, _, err = invoke(capsys, "publish", "--target", "gopher://example.org/x")
    assert code == 2 and "no publisher for targets of scheme 'gopher:'" in err
    code, _, err = invoke(capsys, "publish", "--target", "sftp://edge:hunter2@example.org/inbox")
    assert code == 2 and "must not hold a password" in err and "hunter2" not in err
    code, out, err = invoke(capsys, "publish", "beta", "--target", lms.base_url, "--json")
    assert code == 0, err
    assert json.loads(out)["target"] == lms.base_url and lms.versions("beta") == [1]


def test_the_default_target_must_be_one_of_the_targets(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    write_config(project, "publish:\n  default: cloud\n  targets:\n    review: {url: 'http://127.0.0.1:9'}\n")
    code, _, err = invoke(capsys, "publish")
    assert code == 1 and "default 'cloud' is not one of the targets (named: review)" in err


def package_of(tmp_path: Path) -> PackageFile:
    path = tmp_path / "alpha.zip"
    path.write_bytes(b"PK\x05\x06" + bytes(18))
    return PackageFile("alpha", "1.0.0", "en", "scorm12", str(path), "0" * 64, path.stat().st_size)


def direct_context(url: str, retries: int, delays: list[float]) -> PublishContext:
    return PublishContext("review", PublishTarget(url=url), Path("."), Path("absent.token"),
                          {"COURSEFORGE_REVIEW_TOKEN": ADMIN_TOKEN}, Redactor(),
                          RetryPolicy(retries=retries, sleep=delays.append))


def test_unavailable_answers_are_retried_with_backoff_then_give_up(tmp_path: Path, lms: ReviewStandIn) -> None:
    delays: list[float] = []
    lms.unavailable = 2
    done = ReviewPublisher().publish([package_of(tmp_path)], direct_context(lms.base_url, 3, delays))
    assert [r.action for r in done] == [PublishAction.UPLOADED] and delays == [0.5, 1.0]
    delays.clear()
    lms.unavailable = 100
    with pytest.raises(PublishError, match=r"failed after 3 tries: HTTP 503: starting up"):
        ReviewPublisher().publish([package_of(tmp_path)], direct_context(lms.base_url, 2, delays))
    assert delays == [0.5, 1.0]


def test_a_target_nobody_listens_on_fails_after_its_retries(tmp_path: Path) -> None:
    delays: list[float] = []
    with pytest.raises(PublishError, match=r"reaching the review LMS at http://127.0.0.1:9 failed after 2 tries"):
        ReviewPublisher().publish([package_of(tmp_path)], direct_context("http://127.0.0.1:9", 1, delays))
    assert delays == [0.5]
