"""The review LMS's admin pages over real servers: an admin uploads (Chromium's file input, the form's multipart
body) and deletes versions from the browser, a refused upload shows the verifier's diagnostics as text, a reviewer
is refused (403 pages), and an unsafe request with the session cookie from another origin is refused."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import html
from playwright.sync_api import Browser, Page, expect

from courseforge.lms.review.database import Role
from courseforge.lms.review.server import ReviewServer
from courseforge.lms.review.service import ReviewPaths
from courseforge.stages.preview.harness.runtime import find_runtime
from courseforge.stages.verify import verify_package
from tests.review.review_lms import RunningLms, log_in, rewrite_zip, running_lms, with_page_text, with_title

SAMPLE_TITLE = "Workplace Safety Induction"
ADMIN = "editor"
ADMIN_PASSWORD = "an admin's long passphrase"
INJECTED_NAME = "<img src=x onerror=window.injected=1>.zip"
EVIL = "http://evil.example"


@pytest.fixture
def admin_lms(lms: RunningLms) -> RunningLms:
    """The test LMS with an admin who logs in with a password (the first start's admin has only a token)."""
    lms.server.lms.database.add_user(ADMIN, Role.ADMIN, ADMIN_PASSWORD)
    return lms


@pytest.fixture
def admin_page(chromium: Browser, admin_lms: RunningLms) -> Iterator[Page]:
    context = chromium.new_context(base_url=admin_lms.url)
    page = context.new_page()
    log_in(page, ADMIN, ADMIN_PASSWORD)
    yield page
    context.close()


def stored(lms: RunningLms) -> list[str]:
    """The sha256 of every version the LMS holds, from its database."""
    return sorted(package.sha256 for package in lms.server.lms.database.packages())


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def broken_manifest(data: bytes) -> bytes:
    """The package with its SCO pointing at a file it does not hold: the verifier refuses it."""
    return rewrite_zip(data, lambda name, content: content.replace(
        b'href="index.html"', b'href="missing.html"') if name == "imsmanifest.xml" else content)


def other_course(data: bytes) -> bytes:
    """The sample's SCORM 1.2 package as another course (its own manifest identifier and title)."""
    renamed = with_title(data, SAMPLE_TITLE, "Fire Drill")
    return rewrite_zip(renamed, lambda name, content: content.replace(
        b'identifier="workplace-safety-1.0.0-en"', b'identifier="fire-drill-1.0.0-en"')
        if name == "imsmanifest.xml" else content)


def upload_with_the_form(page: Page, zip_path: Path) -> None:
    page.goto("/")
    page.get_by_label("Package (zip)").set_input_files(zip_path)
    page.get_by_role("button", name="Upload").click()


@pytest.mark.browser
def test_an_admin_uploads_a_package_with_the_form_and_the_same_bytes_again_are_already_here(
        admin_page: Page, admin_lms: RunningLms, sample_packages: dict[str, bytes], tmp_path: Path) -> None:
    data = sample_packages["scorm12"]
    zip_path = tmp_path / "workplace-safety-scorm12.zip"
    zip_path.write_bytes(data)
    upload_with_the_form(admin_page, zip_path)
    expect(admin_page).to_have_url(f"{admin_lms.url}/versions/{sha(data)}?uploaded=new")
    expect(admin_page.get_by_role("status")).to_have_text(f"Uploaded: version 1 of {SAMPLE_TITLE}")
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(f"{SAMPLE_TITLE} version 1")
    assert stored(admin_lms) == [sha(data)]
    published = admin_lms.server.lms.database.package(sha(data))
    assert published is not None and published.publisher == ADMIN
    upload_with_the_form(admin_page, zip_path)
    expect(admin_page).to_have_url(f"{admin_lms.url}/versions/{sha(data)}?uploaded=already")
    expect(admin_page.get_by_role("status")).to_contain_text("Already here: version 1")
    assert stored(admin_lms) == [sha(data)]
    changed = tmp_path / "second.zip"
    changed.write_bytes(with_page_text(data, "A second version."))
    upload_with_the_form(admin_page, changed)
    expect(admin_page.get_by_role("status")).to_have_text(f"Uploaded: version 2 of {SAMPLE_TITLE}")
    assert len(stored(admin_lms)) == 2


@pytest.mark.browser
def test_a_package_that_fails_verification_gets_a_422_page_listing_its_diagnostics_as_text(
        admin_page: Page, admin_lms: RunningLms, sample_packages: dict[str, bytes], tmp_path: Path) -> None:
    broken = broken_manifest(sample_packages["scorm12"])
    zip_path = tmp_path / INJECTED_NAME
    zip_path.write_bytes(broken)
    expected = [d.format() for d in verify_package(INJECTED_NAME, broken).diagnostics]
    assert expected and all(line.startswith(INJECTED_NAME) for line in expected)
    with admin_page.expect_response(f"{admin_lms.url}/packages") as answer:
        upload_with_the_form(admin_page, zip_path)
    assert answer.value.status == 422
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Upload refused")
    expect(admin_page.get_by_role("alert")).to_have_text(f"{INJECTED_NAME} failed verification with "
                                                         f"{sum(1 for d in expected if ': error: ' in d)} error(s)")
    assert admin_page.locator("ul.diagnostics li").all_inner_texts() == expected
    assert any("missing.html" in line and "[" in line for line in expected)
    assert admin_page.locator("main img").count() == 0
    assert admin_page.evaluate("window.injected") is None
    assert "&lt;img src=x onerror=" in answer.value.text()
    assert stored(admin_lms) == []


def test_the_forms_refusals_are_pages_with_the_apis_status_codes(
        tmp_path: Path, sample_packages: dict[str, bytes]) -> None:
    data = sample_packages["scorm12"]
    for small in running_lms(tmp_path / "small", max_upload_bytes=len(data) - 1):
        small.server.lms.database.add_user(ADMIN, Role.ADMIN, ADMIN_PASSWORD)
        with small.browser_login(ADMIN, ADMIN_PASSWORD) as client:
            too_large = client.post("/packages", files={"package": ("p.zip", data, "application/zip")})
            no_file = client.post("/packages", files={"file": ("p.zip", b"PK")})
            api = small.upload(data)
        assert too_large.status_code == 413 == api.status_code
        assert no_file.status_code == 400 and "'package'" in html.fromstring(no_file.text).text_content()
        assert too_large.headers["content-type"].startswith("text/html")
        assert api.json()["error"] in html.fromstring(too_large.text).text_content()
        assert stored(small) == []


def test_a_reviewer_sees_no_upload_form_nor_delete_button_and_gets_403_pages(
        admin_lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    version = str(admin_lms.published(sample_packages["scorm12"])["sha256"])
    before = stored(admin_lms)
    with admin_lms.browser_login() as reviewer, admin_lms.browser_login(ADMIN, ADMIN_PASSWORD) as admin:
        pages = {who: (client.get("/").text, client.get(f"/versions/{version}").text)
                 for who, client in (("reviewer", reviewer), ("admin", admin))}
        upload = reviewer.post("/packages", files={"package": ("p.zip", sample_packages["cmi5"], "application/zip")})
        delete = reviewer.post(f"/versions/{version}/delete", data={"confirm": "yes"})
        assert reviewer.get(f"/versions/{version}").status_code == 200
    for forms, shown in ((pages["reviewer"], False), (pages["admin"], True)):
        catalog, version_page = (html.fromstring(page) for page in forms)
        assert bool(catalog.xpath("//form[@action='/packages']")) is shown
        assert bool(version_page.xpath(f"//form[@action='/versions/{version}/delete']")) is shown
        assert ("Delete this version" in forms[1]) is shown
    for answer in (upload, delete):
        assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html")
        assert "only admins upload and delete packages" in html.fromstring(answer.text).text_content()
    assert stored(admin_lms) == before


@pytest.mark.browser
def test_an_admin_deletes_a_version_through_the_confirmation_and_another_course_stays(
        admin_page: Page, admin_lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    doomed = str(admin_lms.published(sample_packages["scorm12"])["sha256"])
    other = str(admin_lms.published(other_course(sample_packages["scorm12"]))["sha256"])
    admin_page.goto(f"/versions/{doomed}")
    admin_page.get_by_text("Delete this version").click()
    admin_page.get_by_role("button", name="Delete version 1").click()  # the box unticked: the browser holds it
    expect(admin_page).to_have_url(f"{admin_lms.url}/versions/{doomed}")
    assert stored(admin_lms) == sorted([doomed, other])
    admin_page.get_by_label("I understand its attempts are deleted too").check()
    admin_page.get_by_role("button", name="Delete version 1").click()
    expect(admin_page).to_have_url(f"{admin_lms.url}/")
    expect(admin_page.get_by_role("status")).to_have_text(f"Deleted version 1 of {SAMPLE_TITLE}")
    expect(admin_page.locator(f"tr[data-sha256='{other}']")).to_be_visible()
    assert admin_page.locator(f"tr[data-sha256='{doomed}']").count() == 0
    assert stored(admin_lms) == [other]
    gone = admin_page.goto(f"/versions/{doomed}")
    assert gone is not None and gone.status == 404
    admin_page.goto("/")
    expect(admin_page.get_by_role("status")).to_have_count(0)  # the notice is said once
    assert admin_lms.server.lms.database.package(other) is not None


def test_an_unconfirmed_or_unknown_deletion_deletes_nothing(
        admin_lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    version = str(admin_lms.published(sample_packages["scorm12"])["sha256"])
    with admin_lms.browser_login(ADMIN, ADMIN_PASSWORD) as admin:
        unconfirmed = admin.post(f"/versions/{version}/delete", data={})
        unknown = admin.post(f"/versions/{'0' * 64}/delete", data={"confirm": "yes"})
    assert unconfirmed.status_code == 400 and unknown.status_code == 404
    assert stored(admin_lms) == [version]


def test_an_unsafe_request_with_the_session_from_another_origin_is_refused(
        admin_lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    version = str(admin_lms.published(sample_packages["scorm12"])["sha256"])
    port = int(admin_lms.url.rsplit(":", 1)[1])
    foreign = (EVIL, "null", f"http://127.0.0.1:{port + 1}", f"https://127.0.0.1:{port}", f"http://localhost:{port}")
    with admin_lms.browser_login(ADMIN, ADMIN_PASSWORD) as admin:
        for origin in foreign:
            headers = {"Origin": origin}
            refused = [admin.post(f"/versions/{version}/delete", data={"confirm": "yes"}, headers=headers),
                       admin.post("/packages", files={"package": ("p.zip", sample_packages["cmi5"])}, headers=headers),
                       admin.post(f"/versions/{version}/launch", data={"learner": "Ann"}, headers=headers),
                       admin.post("/logout", headers=headers)]
            assert [(r.status_code, r.text) for r in refused] == [(403, "cross-site request refused")] * 4, origin
        assert stored(admin_lms) == [version]
        assert admin.get("/").status_code == 200  # still logged in: the logout was refused
        assert admin_lms.server.lms.database.learners(version) == []  # no launch either
        launched = admin.post(f"/versions/{version}/launch", data={"learner": "Ann"}, headers={"Origin": admin_lms.url})
        deleted = admin.post(f"/versions/{version}/delete", data={"confirm": "yes"}, headers={"Origin": admin_lms.url})
    assert launched.status_code == 303 and deleted.status_code == 303 and deleted.headers["location"] == "/"
    assert stored(admin_lms) == []


def test_the_api_is_not_judged_by_origin(admin_lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    with httpx.Client(base_url=admin_lms.url, headers={"Authorization": f"Bearer {admin_lms.admin_token}",
                                                       "Origin": EVIL}, timeout=30) as client:
        created = client.post("/api/v1/packages", files={"package": ("p.zip", sample_packages["scorm12"])})
        deleted = client.delete(f"/api/v1/packages/{sha(sample_packages['scorm12'])}")
    assert created.status_code == 201 and deleted.status_code == 200
    assert stored(admin_lms) == []


def test_behind_a_proxy_the_public_urls_origin_is_the_servers_own(tmp_path: Path) -> None:
    """With --public-url, browsers send its origin while the request reaches the bound address (a proxy that does
    not pass the Host on): that origin is the server's own; another still is not."""
    public = "https://review.example.org"
    paths = ReviewPaths.under(tmp_path / "review")
    with ReviewServer(paths, find_runtime(), public_url=public) as server:
        server.lms.database.add_user(ADMIN, Role.ADMIN, ADMIN_PASSWORD)
        host, port = server.socket.getsockname()[:2]
        with httpx.Client(base_url=f"http://{host}:{port}", timeout=30) as client:
            logged_in = client.post("/login", data={"name": ADMIN, "password": ADMIN_PASSWORD, "next": "/"})
            refused = client.post("/logout", headers={"Origin": EVIL})
            done = client.post("/logout", headers={"Origin": public})
    assert logged_in.status_code == 303 and refused.status_code == 403 and done.status_code == 303
