"""Users of the review LMS: the first start's admin, users and tokens added from the command line, scrypt
passwords, browser logins; the command run as a user runs it (a real process serving on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from lxml import html

from courseforge.lms.review.credentials import hash_password, password_matches
from courseforge.lms.review.database import Role
from courseforge.lms.review.server import ReviewServer
from courseforge.lms.review.service import ReviewPaths
from courseforge.stages.preview.harness.runtime import find_runtime
from tests.review.review_lms import REPO, REVIEWER_PASSWORD, RunningLms

COMMAND = [sys.executable, "-m", "courseforge", "serve"]


def storage(folder: Path) -> list[str]:
    return ["--db", str(folder / "review.sqlite"), "--store", str(folder / "packages")]


def test_passwords_are_scrypt_hashes_with_a_salt_of_their_own() -> None:
    first, second = hash_password("same password"), hash_password("same password")
    assert first.salt != second.salt and first.key != second.key
    assert password_matches("same password", first) and not password_matches("other password", first)


def test_the_first_start_creates_the_admin_and_says_where_its_token_is(tmp_path: Path) -> None:
    server = subprocess.Popen([*COMMAND, *storage(tmp_path), "--port", "0"], cwd=tmp_path, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        token_file = tmp_path / "admin.token"
        token = token_file.read_text(encoding="utf-8").strip()
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
            assert client.get("/api/v1/health").json() == {"ok": True}
            assert client.get("/api/v1/packages").json() == {"packages": []}
    finally:
        server.send_signal(signal.SIGINT)
        _, errors = server.communicate(timeout=15)
    assert "its API token is in admin.token" in errors and token not in errors
    with sqlite3.connect(tmp_path / "review.sqlite") as db:
        digests = [row[0] for row in db.execute("SELECT digest FROM review_tokens")]
        names = [row[0] for row in db.execute("SELECT name || ':' || role FROM review_users")]
    assert names == ["admin:admin"] and token not in digests and len(digests) == 1


def test_users_and_tokens_are_added_from_the_command_line(tmp_path: Path) -> None:
    added = subprocess.run([*COMMAND, *storage(tmp_path), "--add-user", "alice", "--role", "reviewer",
                            "--password-stdin", "--json"], input="alice's passphrase\n", text=True,
                           capture_output=True, check=True)
    document = json.loads(added.stdout)
    assert (document["user"], document["role"], document["ok"]) == ("alice", "reviewer", True)
    again = subprocess.run([*COMMAND, *storage(tmp_path), "--add-user", "alice"], text=True, capture_output=True)
    assert again.returncode == 1 and "already exists" in again.stderr and "--add-token alice" in again.stderr
    token = subprocess.run([*COMMAND, *storage(tmp_path), "--add-token", "alice", "-q"], text=True,
                           capture_output=True, check=True).stdout.strip()
    unknown = subprocess.run([*COMMAND, *storage(tmp_path), "--add-token", "bob"], text=True, capture_output=True)
    assert unknown.returncode == 1 and "no user named 'bob'" in unknown.stderr
    with sqlite3.connect(tmp_path / "review.sqlite") as db:
        stored = {row[0] for row in db.execute("SELECT digest FROM review_tokens")}
        salt, key = db.execute("SELECT salt, key FROM review_users WHERE name = 'alice'").fetchone()
    assert document["token"] not in stored and token not in stored and len(stored) == 2
    assert b"passphrase" not in key and len(salt) == 16


def test_outside_a_project_the_storage_must_be_named(tmp_path: Path) -> None:
    outside = subprocess.run(COMMAND, cwd=tmp_path, text=True, capture_output=True,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    assert outside.returncode == 2 and "--db FILE --store FOLDER" in outside.stderr
    half = subprocess.run([*COMMAND, "--db", str(tmp_path / "r.sqlite")], cwd=tmp_path, text=True, capture_output=True)
    assert half.returncode == 2 and "--db and --store go together" in half.stderr


def test_a_browser_login_needs_the_right_password(lms: RunningLms) -> None:
    with httpx.Client(base_url=lms.url) as client:
        wrong = client.post("/login", data={"name": "reviewer", "password": "wrong", "next": "/"})
        assert wrong.status_code == 401 and "do not match" in wrong.text
        assert client.get("/").status_code == 303
        right = client.post("/login", data={"name": "reviewer", "password": REVIEWER_PASSWORD, "next": "/"})
        assert right.status_code == 303 and "httponly" in right.headers["set-cookie"].lower()
        assert client.get("/").status_code == 200
        assert client.post("/logout").status_code == 303
        assert client.get("/").status_code == 303
    with httpx.Client(base_url=lms.url) as client:  # the admin has no password: API tokens only
        assert client.post("/login", data={"name": "admin", "password": "", "next": "/"}).status_code == 401


def test_in_a_project_the_storage_is_under_its_build_folder_or_where_courseforge_yaml_says(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "courses" / "some-course").mkdir(parents=True)
    (project / "courseforge.yaml").write_text("output: out\n", encoding="utf-8")
    deep = project / "courses" / "some-course"
    subprocess.run([*COMMAND, "--add-user", "ann", "--json"], cwd=deep, check=True, capture_output=True)
    assert (project / "out" / "review" / "review.sqlite").is_file()
    (project / "courseforge.yaml").write_text("review:\n  database: data/lms.sqlite\n  packages: data/store\n",
                                              encoding="utf-8")
    added = subprocess.run([*COMMAND, "--add-user", "ann", "--json"], cwd=deep, check=True, capture_output=True,
                           text=True)
    assert json.loads(added.stdout)["database"] == str(project / "data" / "lms.sqlite")
    assert (project / "data" / "lms.sqlite").is_file()
    (project / "courseforge.yaml").write_text("review:\n  database: ../elsewhere.sqlite\n", encoding="utf-8")
    invalid = subprocess.run([*COMMAND, "--add-user", "ann"], cwd=deep, capture_output=True, text=True)
    assert invalid.returncode == 1 and "courseforge.yaml:2" in invalid.stderr


def test_a_browser_session_ends_after_a_working_day(lms: RunningLms) -> None:
    with lms.browser_login() as client:
        assert client.get("/").status_code == 200
        with sqlite3.connect(lms.paths.database) as db:
            db.execute("UPDATE review_tokens SET created = created - 13 * 3600 WHERE kind = 'session'")
        assert client.get("/").status_code == 303
    with lms.api(lms.reviewer_token) as client:  # API tokens do not expire
        assert client.get("/api/v1/packages").status_code == 200


def test_launch_urls_start_with_the_public_url(tmp_path: Path, sample_packages: dict[str, bytes]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    public = f"http://localhost:{port}"
    paths = ReviewPaths.under(tmp_path / "review")
    with ReviewServer(paths, find_runtime(), port=port, public_url=public + "/") as server:
        assert server.url == public
        server.lms.database.add_user("reviewer", Role.REVIEWER, REVIEWER_PASSWORD)
        sha = server.lms.library.publish_bytes(sample_packages["cmi5"], "test").package.sha256
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            client.post("/login", data={"name": "reviewer", "password": REVIEWER_PASSWORD, "next": "/"})
            player = client.get(client.post(f"/versions/{sha}/launch", data={"learner": "Ann"}).headers["location"])
            frames = html.fromstring(player.text).xpath("//iframe[@id='lms']/@src")
            assert isinstance(frames, list) and frames
            host_page = str(frames[0])
            config = client.get("/__lms/launches/" + parse_qs(urlsplit(host_page).query)["launch"][0]).json()
    assert config["launchUrl"].startswith(f"{public}/packages/{sha}/")
    assert parse_qs(urlsplit(config["launchUrl"]).query)["endpoint"][0].startswith(f"{public}/__lms/cmi5/")
