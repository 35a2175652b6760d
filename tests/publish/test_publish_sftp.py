"""courseforge publish to an SFTP drop, against a real OpenSSH server started by the test on a loopback port:
the Edge Import layout (zips in LMS/OnlineCourse, a load file per run, the ledger), idempotence, host key
checking, and a connection dropped in the middle of an upload, which leaves no partial file under a final name,
and, through the run's journal, no complete file of the failed run either."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from courseforge.model.publish import PackageFile, PublishAction, PublishTarget
from courseforge.stages.publish.context import PublishContext
from courseforge.stages.publish.errors import PublishError, Redactor
from courseforge.stages.publish.retry import RetryPolicy
from courseforge.stages.publish.sftp import SftpPublisher
from tests.publish.harness import edit_page, invoke, make_project
from tests.publish.sshd import SSH_KEYGEN, SSHD, SshServer, ssh_server

pytestmark = pytest.mark.skipif(not SSHD.exists(), reason="openssh-server is not installed (scripts/setup.sh)")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with ssh_server(tmp_path_factory.mktemp("sshd")) as server:
        yield server


def target_yaml(server: SshServer, drop: Path, known_hosts: Path | None = None) -> str:
    return ("publish:\n  default: edge\n  targets:\n    edge:\n"
            f"      url: '{server.url(drop)}'\n      key_file: '{server.client_key}'\n"
            f"      known_hosts: '{known_hosts or server.known_hosts}'\n      retries: 0\n      timeout_s: 10\n")


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    return folder


def load_files(drop: Path) -> list[list[dict[str, str]]]:
    return [list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
            for path in sorted(drop.glob("online_course_assets_*.csv"))]


def test_the_drop_gets_the_zips_a_load_file_and_a_ledger_and_a_second_run_sends_nothing(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, sshd: SshServer, drop: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "project", target_yaml(sshd, drop))
    monkeypatch.chdir(project)
    code, out, err = invoke(capsys, "publish", "--json")
    assert code == 0, err
    assets = drop / "LMS" / "OnlineCourse"
    assert sorted(p.name for p in assets.iterdir()) == ["alpha-en-scorm12-v1.zip", "beta-en-scorm12-v1.zip"]
    assert (assets / "alpha-en-scorm12-v1.zip").read_bytes() == (project / "build/alpha/en/scorm12.zip").read_bytes()
    [rows] = load_files(drop)
    assert [(r["Online Course ID"], r["Filename"], r["Language"]) for r in rows] == [
        ("alpha-en-scorm12-v1", "alpha-en-scorm12-v1.zip", "en"),
        ("beta-en-scorm12-v1", "beta-en-scorm12-v1.zip", "en")]
    assert list(rows[0]) == ["Online Course ID", "Title", "Description", "Language", "Duration", "Filename"]
    ledger = json.loads((drop / "courseforge-published.json").read_bytes())["packages"]
    assert [e["sha256"] for e in ledger] == [r["sha256"] for r in json.loads(out)["results"]]
    assert not list(drop.rglob("*.partial"))

    code, out, _ = invoke(capsys, "publish", "--json")
    assert code == 0 and [r["action"] for r in json.loads(out)["results"]] == ["present", "present"]
    assert len(load_files(drop)) == 1

    edit_page(project, "alpha", "The second version of alpha.")
    code, out, err = invoke(capsys, "publish")
    assert code == 0, err
    assert sorted(p.name for p in assets.iterdir()) == ["alpha-en-scorm12-v1.zip", "alpha-en-scorm12-v2.zip",
                                                        "beta-en-scorm12-v1.zip"]
    assert [[r["Online Course ID"] for r in rows] for rows in load_files(drop)][-1] == ["alpha-en-scorm12-v2"]


def test_an_unknown_host_key_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path, sshd: SshServer,
                                        drop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    project = make_project(tmp_path / "project", target_yaml(sshd, drop, empty))
    monkeypatch.chdir(project)
    code, _, err = invoke(capsys, "publish", "alpha")
    assert code == 1 and "127.0.0.1 is not in" in err and "ssh-keyscan" in err
    assert not list(drop.iterdir())


def test_a_key_the_server_does_not_know_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                   sshd: SshServer, drop: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    stranger = sshd.known_hosts.parent / "host_ed25519"  # a valid key, but not in authorized_keys
    project = make_project(tmp_path / "project",
                           target_yaml(sshd, drop).replace(str(sshd.client_key), str(stranger)))
    monkeypatch.chdir(project)
    code, _, err = invoke(capsys, "publish", "alpha")
    assert code == 1 and f"refused the login of '{sshd.user}'" in err
    assert not list(drop.iterdir())


def test_an_encrypted_key_is_opened_with_the_passphrase_from_the_environment_and_a_wrong_one_never_shown(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, sshd: SshServer, drop: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "locked_ed25519"
    subprocess.run([str(SSH_KEYGEN), "-q", "-t", "ed25519", "-N", "the-right-passphrase", "-f", str(key)], check=True)
    authorized = sshd.known_hosts.parent / "authorized_keys"
    authorized.write_bytes(authorized.read_bytes() + key.with_suffix(".pub").read_bytes())
    config = target_yaml(sshd, drop).replace(str(sshd.client_key), str(key)) + "      password_env: EDGE_KEY_PASS\n"
    project = make_project(tmp_path / "project", config)
    monkeypatch.chdir(project)
    code, _, err = invoke(capsys, "publish", "alpha")
    assert code == 1 and "needs a password in the environment variable EDGE_KEY_PASS" in err
    wrong = "a-wrong-passphrase-5150"
    monkeypatch.setenv("EDGE_KEY_PASS", wrong)
    for flags in ((), ("--json",), ("-v",)):
        code, out, err = invoke(capsys, "publish", "alpha", *flags)
        assert code == 1 and "wrong passphrase" in out + err and wrong not in out + err
    monkeypatch.setenv("EDGE_KEY_PASS", "the-right-passphrase")
    code, out, err = invoke(capsys, "publish", "alpha")
    assert code == 0, err
    assert (drop / "LMS" / "OnlineCourse" / "alpha-en-scorm12-v1.zip").is_file()
    assert "the-right-passphrase" not in out + err


def big_package(tmp_path: Path, megabytes: int, course: str = "big") -> PackageFile:
    path = tmp_path / f"{course}.zip"
    data = hashlib.sha256(course.encode()).digest() * (megabytes * 32768)
    path.write_bytes(data)
    return PackageFile(course, "1.0.0", "en", "scorm12", str(path), hashlib.sha256(data).hexdigest(), len(data))


def sftp_context(server: SshServer, drop: Path, retries: int, delays: list[float]) -> PublishContext:
    target = PublishTarget(url=server.url(drop), key_file=str(server.client_key),
                           known_hosts=str(server.known_hosts), timeout_s=10)
    return PublishContext("edge", target, drop, drop / "absent.token", {}, Redactor(),
                          RetryPolicy(retries=retries, sleep=delays.append))


def drop_during_upload(server: SshServer, drop: Path, pattern: str = "*.zip.partial") -> threading.Thread:
    """Kills the SSH connection as soon as a partial upload (named as ``pattern``) has some bytes."""
    def watch() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            partials = list(drop.rglob(pattern))
            if partials and partials[0].stat().st_size > 0 and server.drop_connections():
                return
            time.sleep(0.001)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_connection_dropped_mid_upload_leaves_no_partial_file_under_the_final_name(
        tmp_path: Path, sshd: SshServer, drop: Path) -> None:
    package = big_package(tmp_path, 48)
    final = drop / "LMS" / "OnlineCourse" / "big-en-scorm12-v1.zip"
    watcher = drop_during_upload(sshd, drop)
    with pytest.raises(PublishError, match="the SFTP connection failed"):
        SftpPublisher().publish([package], sftp_context(sshd, drop, 0, []))
    watcher.join()
    assert not final.exists() and not (drop / "courseforge-published.json").exists()
    assert not list(drop.glob("online_course_assets_*.csv"))

    [done] = SftpPublisher().publish([package], sftp_context(sshd, drop, 0, []))
    assert done.action is PublishAction.UPLOADED
    assert hashlib.sha256(final.read_bytes()).hexdigest() == package.sha256
    assert not list(drop.rglob("*.partial"))


def test_a_dropped_connection_is_retried_with_backoff(tmp_path: Path, sshd: SshServer, drop: Path) -> None:
    package = big_package(tmp_path, 48)
    delays: list[float] = []
    watcher = drop_during_upload(sshd, drop)
    [done] = SftpPublisher().publish([package], sftp_context(sshd, drop, 2, delays))
    watcher.join()
    assert done.action is PublishAction.UPLOADED and delays == [0.5]
    final = drop / "LMS" / "OnlineCourse" / "big-en-scorm12-v1.zip"
    assert hashlib.sha256(final.read_bytes()).hexdigest() == package.sha256
    assert not list(drop.rglob("*.partial"))


def test_a_run_whose_connection_dies_after_a_complete_zip_leaves_the_drop_as_it_was(
        tmp_path: Path, sshd: SshServer, drop: Path) -> None:
    """The first zip is complete under its final name when the connection drops during the second and the
    tries are spent: the undo it could not do then is done on a new connection, from the run's journal."""
    small, big = big_package(tmp_path, 1, "small"), big_package(tmp_path, 48, "large")
    watcher = drop_during_upload(sshd, drop, "large-*.zip.partial")
    logged: list[str] = []
    context = dataclasses.replace(sftp_context(sshd, drop, 0, []), log=logged.append)
    with pytest.raises(PublishError, match="the SFTP connection failed"):
        SftpPublisher().publish([small, big], context)
    watcher.join()
    assert sorted(str(path.relative_to(drop)) for path in drop.rglob("*") if path.is_file()) == []
    assert any("removed what the failed run sent: LMS/OnlineCourse/small-en-scorm12-v1.zip" in line
               for line in logged), logged

    results = SftpPublisher().publish([small, big], sftp_context(sshd, drop, 0, []))
    assert [r.action for r in results] == [PublishAction.UPLOADED, PublishAction.UPLOADED]
    assert [[row["Filename"] for row in rows] for rows in load_files(drop)] == [
        ["small-en-scorm12-v1.zip", "large-en-scorm12-v1.zip"]]
    assert not (drop / "courseforge-pending.json").exists()


def test_the_next_run_removes_what_a_run_left_by_its_journal_and_nothing_else(
        tmp_path: Path, sshd: SshServer, drop: Path) -> None:
    """A run that died with no way to undo left a complete zip and a load file named in its journal; beside them,
    a file some other tool put there. The next run removes the journal's files only, then publishes."""
    assets = drop / "LMS" / "OnlineCourse"
    assets.mkdir(parents=True)
    (assets / "gone-en-scorm12-v1.zip").write_bytes(b"PK complete, named in no ledger")
    (drop / "online_course_assets_20261201T000000000000Z.csv").write_text("Online Course ID\n", encoding="utf-8")
    (assets / "vendor-course.zip").write_bytes(b"PK someone else's")
    (drop / "courseforge-pending.json").write_text(json.dumps({
        "zips": ["gone-en-scorm12-v1.zip"], "load_file": "online_course_assets_20261201T000000000000Z.csv"}))
    [done] = SftpPublisher().publish([big_package(tmp_path, 1, "fresh")], sftp_context(sshd, drop, 0, []))
    assert done.action is PublishAction.UPLOADED
    assert sorted(path.name for path in assets.iterdir()) == ["fresh-en-scorm12-v1.zip", "vendor-course.zip"]
    assert [[row["Filename"] for row in rows] for rows in load_files(drop)] == [["fresh-en-scorm12-v1.zip"]]
    assert not (drop / "courseforge-pending.json").exists()
