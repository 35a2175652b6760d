"""What the review LMS tests share: real packages built from the sample course, a review LMS on 127.0.0.1
(uvicorn in a thread, a real SQLite file and package store in a temporary folder) and its users."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from courseforge.lms.review.database import Role
from courseforge.lms.review.server import ReviewServer
from courseforge.lms.review.service import ReviewPaths, ensure_admin
from courseforge.stages.preview.harness.runtime import find_runtime

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "courses" / "workplace-safety"
REVIEWER_PASSWORD = "a reviewer's long passphrase"


def build_sample(out: Path, formats: str = "scorm12,cmi5") -> dict[str, bytes]:
    """``courseforge build courses/workplace-safety --format ...`` as a user runs it; the zips by format."""
    subprocess.run([sys.executable, "-m", "courseforge", "build", str(SAMPLE), "--format", formats, "--out", str(out),
                    "-q"], check=True, cwd=REPO, capture_output=True)
    return {path.stem: path.read_bytes() for path in (out / "workplace-safety" / "en").glob("*.zip")}


def rewrite_zip(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """The same package with ``change(name, content)`` applied to every entry (order and names kept)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, change(info.filename, source.read(info)))
    return out.getvalue()


def with_page_text(data: bytes, text: str) -> bytes:
    """A changed package of the same course: one more sentence in its page."""
    def change(name: str, content: bytes) -> bytes:
        return content.replace(b"</body>", f"<p>{text}</p></body>".encode()) if name == "index.html" else content
    return rewrite_zip(data, change)


def with_title(data: bytes, old: str, new_xml: str) -> bytes:
    """The package with its title replaced in every manifest (``new_xml`` is already XML-escaped)."""
    def change(name: str, content: bytes) -> bytes:
        return content.replace(old.encode(), new_xml.encode()) if name.endswith(".xml") else content
    return rewrite_zip(data, change)


def log_in(page: Page, name: str = "reviewer", password: str = REVIEWER_PASSWORD) -> None:
    """Log in from the login page in the browser, as a reviewer does; returns on the catalog."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Catalog")).to_be_visible()


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
    """Poll ``condition`` until it holds (what travels by beacon, a server's cleanup after a closed connection)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


@dataclass
class RunningLms:
    server: ReviewServer
    paths: ReviewPaths
    admin_token: str
    reviewer_token: str

    @property
    def url(self) -> str:
        return self.server.url

    def api(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def upload(self, data: bytes, token: str | None = None, name: str = "package.zip") -> httpx.Response:
        with self.api(self.admin_token if token is None else token) as client:
            return client.post("/api/v1/packages", files={"package": (name, data, "application/zip")})

    def published(self, data: bytes) -> Mapping[str, object]:
        answer = self.upload(data)
        assert answer.status_code in (200, 201), answer.text
        found: Mapping[str, object] = answer.json()
        return found

    @contextmanager
    def browser_login(self, name: str = "reviewer", password: str = REVIEWER_PASSWORD) -> Iterator[httpx.Client]:
        """A client holding a browser login's session cookie."""
        with httpx.Client(base_url=self.url, timeout=30) as client:
            answer = client.post("/login", data={"name": name, "password": password, "next": "/"})
            assert answer.status_code == 303, answer.text
            yield client


def running_lms(folder: Path, max_upload_bytes: int | None = None) -> Iterator[RunningLms]:
    """A review LMS whose first start made the admin (token in its file) plus a reviewer with a password."""
    paths = ReviewPaths.under(folder) if max_upload_bytes is None else ReviewPaths.under(folder, max_upload_bytes)
    with ReviewServer(paths, find_runtime()) as server:
        assert ensure_admin(server.lms.database, paths.admin_token_file)
        _, reviewer_token = server.lms.database.add_user("reviewer", Role.REVIEWER, REVIEWER_PASSWORD)
        yield RunningLms(server, paths, paths.admin_token_file.read_text(encoding="utf-8").strip(), reviewer_token)
