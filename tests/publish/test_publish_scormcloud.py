"""courseforge publish to SCORM Cloud through Prism, a contract server that validates every request we send (and
every answer) against fixtures/scormcloud-v2.yaml, forwarding to a stateful stand-in of the API: import jobs
polled until COMPLETE, a new version for a changed course, idempotence by tag, errors, rollback and secrets."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.publish.harness import edit_page, invoke, make_project, serve_app
from tests.publish.prism import PRISM, validated
from tests.publish.scormcloud_standin import APP_ID, SECRET, CloudStandIn

pytestmark = pytest.mark.skipif(not PRISM.exists(), reason="npm ci has not installed @stoplight/prism-cli")
SPEC = Path(__file__).parent / "fixtures" / "scormcloud-v2.yaml"
TAG = "courseforge-sha256-"


@pytest.fixture(scope="module")
def cloud_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CloudStandIn, str]]:
    standin = CloudStandIn()
    with serve_app(standin.app()) as upstream, \
            validated(SPEC, upstream, tmp_path_factory.mktemp("prism") / "prism.log") as proxy:
        yield standin, proxy


@pytest.fixture
def cloud(cloud_server: tuple[CloudStandIn, str]) -> CloudStandIn:
    cloud_server[0].reset()
    cloud_server[0].running_polls = 1
    return cloud_server[0]


@pytest.fixture
def project(tmp_path: Path, cloud_server: tuple[CloudStandIn, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    url = cloud_server[1].replace("http://", "scormcloud+http://")
    root = make_project(tmp_path / "project", "publish:\n  default: cloud\n  targets:\n    cloud:\n"
                                              f"      url: '{url}'\n      app_id_env: SCORM_CLOUD_APP_ID\n"
                                              "      secret_env: SCORM_CLOUD_SECRET\n      retries: 0\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("SCORM_CLOUD_APP_ID", APP_ID)
    monkeypatch.setenv("SCORM_CLOUD_SECRET", SECRET)
    return root


def results(out: str) -> list[dict[str, object]]:
    found = json.loads(out)["results"]
    assert isinstance(found, list)
    return found


def test_the_contract_server_refuses_what_the_description_does_not_allow(cloud_server: tuple[CloudStandIn, str],
                                                                         cloud: CloudStandIn) -> None:
    """What makes the tests below mean something: a request outside fixtures/scormcloud-v2.yaml never reaches the
    stand-in (here the official client's Python-style boolean, and a missing courseId)."""
    proxy = cloud_server[1]
    files = {"file": ("x.zip", b"PK\x05\x06" + bytes(18), "application/zip")}
    for params in ({"courseId": "alpha", "mayCreateNewVersion": "True"}, {"mayCreateNewVersion": "true"}):
        answer = httpx.post(f"{proxy}/courses/importJobs/upload", params=params, files=files, auth=(APP_ID, SECRET))
        assert answer.status_code == 422, answer.text
    assert cloud.uploads == 0 and not cloud.requests


def test_publishing_twice_imports_nothing_the_second_time_and_a_change_is_a_new_version(
        capsys: pytest.CaptureFixture[str], project: Path, cloud: CloudStandIn) -> None:
    code, out, err = invoke(capsys, "publish", "--json")
    assert code == 0, err
    assert [(r["remote_id"], r["action"], r["version"]) for r in results(out)] == [
        ("alpha-en-scorm12", "uploaded", "0"), ("beta-en-scorm12", "uploaded", "0")]
    assert cloud.uploads == 2 and cloud.polls == 4  # each job answered RUNNING once, then COMPLETE
    first_tags = cloud.courses["alpha-en-scorm12"]["tags"]
    assert first_tags == [TAG + str(results(out)[0]["sha256"])]

    cloud.courses["alpha-en-scorm12"]["tags"] = ["reviewed", *first_tags]  # somebody's own tag is kept
    code, out, _ = invoke(capsys, "publish", "--json")
    assert code == 0 and [(r["action"], r["version"]) for r in results(out)] == [("present", "0"), ("present", "0")]
    assert cloud.uploads == 2

    edit_page(project, "alpha", "Alpha's second version.")
    code, out, err = invoke(capsys, "publish", "--json")
    assert code == 0, err
    alpha = results(out)[0]
    assert (alpha["action"], alpha["version"]) == ("uploaded", "1")
    assert cloud.versions("alpha-en-scorm12") == [0, 1] and cloud.versions("beta-en-scorm12") == [0]
    assert cloud.courses["alpha-en-scorm12"]["tags"] == ["reviewed", TAG + str(alpha["sha256"])]
    upload = next(r for r in cloud.requests if r.startswith("POST /courses/importJobs/upload"))
    assert "mayCreateNewVersion=true" in upload and "courseId=alpha-en-scorm12" in upload


def test_dry_run_asks_and_imports_nothing(capsys: pytest.CaptureFixture[str], project: Path,
                                          cloud: CloudStandIn) -> None:
    code, out, err = invoke(capsys, "publish", "--dry-run")
    assert code == 0, err
    assert out.count("would upload") == 2 and cloud.uploads == 0 and not cloud.courses


def test_a_wrong_secret_stops_with_the_servers_message_and_is_never_shown(
        capsys: pytest.CaptureFixture[str], project: Path, cloud: CloudStandIn,
        monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "wrong-cloud-secret-31337"
    monkeypatch.setenv("SCORM_CLOUD_SECRET", wrong)
    for flags in ((), ("--json",), ("-v",)):
        code, out, err = invoke(capsys, "publish", *flags)
        assert code == 1
        assert "HTTP 401" in out + err and "are not valid" in out + err
        assert wrong not in out + err
    assert cloud.requests and not cloud.courses


def test_missing_credentials_name_the_variable(capsys: pytest.CaptureFixture[str], project: Path,
                                               cloud: CloudStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCORM_CLOUD_SECRET")
    code, _, err = invoke(capsys, "publish", "alpha")
    assert code == 1 and "needs a SCORM Cloud secret key in the environment variable SCORM_CLOUD_SECRET" in err
    assert not cloud.requests


def test_an_import_error_stops_with_its_message_and_removes_what_the_run_imported(
        capsys: pytest.CaptureFixture[str], project: Path, cloud: CloudStandIn) -> None:
    code, out, _ = invoke(capsys, "publish", "alpha", "--format", "scorm12,web", "--json")
    assert code == 1
    error = json.loads(out)["error"]
    assert "could not import alpha-en-web: ERROR: No manifest" in error
    assert cloud.uploads == 2 and not cloud.courses  # the SCORM 1.2 course imported first was deleted again


def test_a_failed_new_version_removes_only_that_version(capsys: pytest.CaptureFixture[str], project: Path,
                                                        cloud: CloudStandIn) -> None:
    assert invoke(capsys, "publish", "alpha")[0] == 0
    tags = list(cloud.courses["alpha-en-scorm12"]["tags"])
    edit_page(project, "alpha", "A change that gets imported, then undone.")
    code, _, err = invoke(capsys, "publish", "alpha", "--format", "scorm12,web")
    assert code == 1 and "No manifest" in err
    assert cloud.versions("alpha-en-scorm12") == [0] and cloud.courses["alpha-en-scorm12"]["tags"] == tags


def test_a_dispatch_zip_is_downloaded_for_each_course_when_the_target_asks(
        capsys: pytest.CaptureFixture[str], project: Path, cloud: CloudStandIn) -> None:
    config = project / "courseforge.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "      dispatch: true\n", encoding="utf-8")
    code, out, err = invoke(capsys, "publish", "alpha", "--json")
    assert code == 0, err
    [result] = results(out)
    path = project / "build" / "publish" / "cloud" / "alpha-en-scorm12-dispatch.zip"
    assert result["message"] == f"dispatch zip {path}"
    with zipfile.ZipFile(path) as package:
        assert package.read("dispatch.html") == bytes(range(256))
        assert b'identifier="alpha-en-scorm12-courseforge"' in package.read("imsmanifest.xml")
    assert cloud.destinations == {"courseforge": "courseforge publish"}
    assert cloud.dispatches["alpha-en-scorm12-courseforge"]["courseId"] == "alpha-en-scorm12"
    code, out, _ = invoke(capsys, "publish", "alpha", "--json")
    assert code == 0 and results(out)[0]["action"] == "present" and path.is_file()
    assert len(cloud.dispatches) == 1
