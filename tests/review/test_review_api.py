"""The review LMS's HTTP API as ``courseforge publish`` uses it, over real HTTP on 127.0.0.1 (uvicorn, httpx),
against a real SQLite file and package store, with packages built from the sample course."""

from __future__ import annotations

import hashlib
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.review.review_lms import RunningLms, running_lms, wait_for, with_page_text


def stored_rows(lms: RunningLms) -> list[tuple[str, int]]:
    with sqlite3.connect(lms.paths.database) as db:
        return db.execute("SELECT sha256, version FROM review_packages ORDER BY version").fetchall()


def store_files(lms: RunningLms) -> list[str]:
    root = lms.paths.packages
    return sorted(str(p.relative_to(root)) for p in (root / "zips").iterdir()) + sorted(
        str(p.relative_to(root)) for p in (root / "www" / "packages").iterdir()) + sorted(
        str(p.relative_to(root)) for p in (root / "tmp").iterdir())


def test_health_answers_without_a_token(lms: RunningLms) -> None:
    with lms.api() as client:
        answer = client.get("/api/v1/health")
    assert answer.status_code == 200 and answer.json() == {"ok": True}


def test_an_upload_is_stored_once_and_a_changed_package_becomes_the_next_version(
        lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    original = sample_packages["scorm12"]
    first = lms.upload(original)
    assert first.status_code == 201
    body = first.json()
    assert body["created"] is True
    assert (body["course"], body["locale"], body["format"], body["version"]) == ("workplace-safety", "en", "scorm12", 1)
    assert body["sha256"] == hashlib.sha256(original).hexdigest() and body["size"] == len(original)
    assert urlsplit(body["url"]).netloc == urlsplit(lms.url).netloc
    with lms.api(lms.reviewer_token) as client:
        assert client.get(body["url"].removeprefix(lms.url)).status_code == 303  # a page: the API token is no login

    again = lms.upload(original)
    assert again.status_code == 200
    assert again.json() == {**body, "created": False}

    changed = with_page_text(original, "One more sentence.")
    second = lms.upload(changed)
    assert second.status_code == 201 and second.json()["version"] == 2
    assert second.json()["course"] == "workplace-safety"
    assert [version for _, version in stored_rows(lms)] == [1, 2]

    with lms.api(lms.reviewer_token) as client:
        listed = client.get("/api/v1/packages").json()["packages"]
        by_sha = client.get("/api/v1/packages", params={"sha256": body["sha256"]}).json()["packages"]
        unknown = client.get("/api/v1/packages", params={"sha256": "0" * 64}).json()
    assert sorted(p["version"] for p in listed) == [1, 2]
    assert [p["version"] for p in by_sha] == [1] and by_sha[0]["sha256"] == body["sha256"]
    assert unknown == {"packages": []}
    assert (lms.paths.packages / "zips" / f"{body['sha256']}.zip").read_bytes() == original


def test_each_format_and_locale_counts_its_own_versions(lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    scorm = lms.upload(sample_packages["scorm12"]).json()
    cmi5 = lms.upload(sample_packages["cmi5"]).json()
    assert (scorm["format"], scorm["version"]) == ("scorm12", 1)
    assert (cmi5["format"], cmi5["version"], cmi5["locale"]) == ("cmi5", 1, "en")
    assert cmi5["course"] == "https://learning.example.com/courses/workplace-safety"


def test_without_a_valid_token_an_upload_gets_401_and_a_reviewer_403(
        lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    data = sample_packages["scorm12"]
    with lms.api() as client:
        anonymous = client.post("/api/v1/packages", files={"package": ("p.zip", data)})
        listing = client.get("/api/v1/packages")
    assert anonymous.status_code == 401 and "token" in anonymous.json()["error"]
    assert listing.status_code == 401
    bad = lms.upload(data, token="cfr_not-a-token")
    assert bad.status_code == 401
    reviewer = lms.upload(data, token=lms.reviewer_token)
    assert reviewer.status_code == 403 and "reviewer" in reviewer.json()["error"]
    assert stored_rows(lms) == [] and store_files(lms) == []


def test_a_package_that_fails_verification_gets_422_with_the_verifiers_diagnostics_and_leaves_nothing(
        lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    from tests.review.review_lms import rewrite_zip

    broken = rewrite_zip(sample_packages["scorm12"], lambda name, content: content.replace(
        b'href="index.html"', b'href="missing.html"') if name == "imsmanifest.xml" else content)
    answer = lms.upload(broken, name="vendor.zip")
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"].startswith("vendor.zip failed verification")
    assert all(d["path"].startswith("vendor.zip") for d in body["diagnostics"])
    assert body["diagnostics"] and all(d["severity"] in ("error", "warning") for d in body["diagnostics"])
    assert any("missing.html" in d["message"] for d in body["diagnostics"])
    assert stored_rows(lms) == [] and store_files(lms) == []


def test_not_a_form_gets_400(lms: RunningLms) -> None:
    with lms.api(lms.admin_token) as client:
        raw = client.post("/api/v1/packages", content=b"PK\x03\x04", headers={"Content-Type": "application/zip"})
        other_field = client.post("/api/v1/packages", files={"file": ("p.zip", b"PK")})
    assert raw.status_code == 400 and "multipart/form-data" in raw.json()["error"]
    assert other_field.status_code == 400 and "'package'" in other_field.json()["error"]


def test_above_the_size_limit_an_upload_gets_413_and_leaves_nothing(
        tmp_path: Path, sample_packages: dict[str, bytes]) -> None:
    data = sample_packages["scorm12"]
    for small in running_lms(tmp_path / "small", max_upload_bytes=len(data) - 1):
        answer = small.upload(data)
        assert answer.status_code == 413 and "MiB" in answer.json()["error"]
        assert stored_rows(small) == [] and store_files(small) == []
        assert small.upload(data[: len(data) // 2] + b"").status_code == 422  # under the limit: judged


def test_a_streamed_upload_without_a_length_stops_at_the_limit_with_413(
        tmp_path: Path, sample_packages: dict[str, bytes]) -> None:
    data = sample_packages["scorm12"]
    boundary = "review-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"package\"; filename=\"p.zip\"\r\n"
            "Content-Type: application/zip\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked, the size is known only as it arrives
        for start in range(0, len(body), 4096):
            yield body[start:start + 4096]

    for small in running_lms(tmp_path / "small", max_upload_bytes=len(data) // 2):
        with small.api(small.admin_token) as client:
            answer = client.post("/api/v1/packages", content=chunks(),
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert answer.status_code == 413
        assert stored_rows(small) == [] and store_files(small) == []


def test_an_upload_cut_off_mid_body_leaves_no_row_and_no_file(lms: RunningLms,
                                                              sample_packages: dict[str, bytes]) -> None:
    data = sample_packages["scorm12"]
    request = httpx.Request("POST", f"{lms.url}/api/v1/packages", files={"package": ("p.zip", data)},
                            headers={"Authorization": f"Bearer {lms.admin_token}"})
    body = request.read()
    split = urlsplit(lms.url)
    head = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
    uploads = lms.paths.packages / "tmp"
    with socket.create_connection((str(split.hostname), int(split.port or 80))) as connection:
        connection.sendall(f"POST /api/v1/packages HTTP/1.1\r\n{head}\r\n".encode() + body[: len(body) // 2])
        wait_for(lambda: any(uploads.iterdir()), "the upload is being received")
    wait_for(lambda: not any(uploads.iterdir()), "the cut-off upload is removed")
    assert stored_rows(lms) == [] and store_files(lms) == []
    assert lms.upload(data).status_code == 201  # and the LMS goes on


def test_an_admin_deletes_one_version_and_the_others_stay(lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    first = lms.published(sample_packages["scorm12"])
    second = lms.published(with_page_text(sample_packages["scorm12"], "Changed."))
    for sha256 in (first["sha256"], second["sha256"]):
        stored = lms.server.lms.database.package(str(sha256))
        assert stored is not None
        lms.server.lms.launches.launch(stored, "Ann")
    with lms.api(lms.reviewer_token) as client:
        assert client.delete(f"/api/v1/packages/{first['sha256']}").status_code == 403
    with lms.api(lms.admin_token) as client:
        assert client.delete(f"/api/v1/packages/{first['sha256']}").json() == {"deleted": first["sha256"]}
        assert client.delete(f"/api/v1/packages/{first['sha256']}").status_code == 404
        left = client.get("/api/v1/packages").json()["packages"]
    assert [p["sha256"] for p in left] == [second["sha256"]]
    assert store_files(lms) == [f"zips/{second['sha256']}.zip", f"www/packages/{second['sha256']}"]
    with sqlite3.connect(lms.paths.database) as db:
        launched = db.execute("SELECT package FROM launches UNION ALL SELECT package FROM review_attempts").fetchall()
    assert launched == [(second["sha256"],), (second["sha256"],)]


@pytest.mark.parametrize("path", ["/", "/versions/" + "0" * 64])
def test_pages_need_a_login(lms: RunningLms, path: str) -> None:
    with lms.api(lms.admin_token) as client:
        answer = client.get(path)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
