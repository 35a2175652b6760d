"""What the review LMS keeps across a restart (same database and store, a new server's worth of state):
a suspended SCORM attempt resumes with its suspend data and location (commits posted over HTTP to the LMS
page's commit URL, as scorm-again posts them); in real Chromium, a cmi5 attempt resumes in its registration
(LaunchData for a new session, a new fetch token, its State document and statements kept) and an xAPI
attempt's statements are still shown. The second server listens on another port than the first."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from lxml import html
from playwright.sync_api import Browser, Page, expect

from courseforge.lms.lrs.documents import DocumentKey, DocumentKind, DocumentScope
from courseforge.lms.lrs.params import agent_param
from courseforge.lms.review.database import AttemptRow, Role
from courseforge.lms.review.server import ReviewServer
from courseforge.lms.review.service import ReviewPaths
from courseforge.model.package import PackageFormat
from courseforge.model.suspend import BITSET_ALPHABET
from courseforge.stages.preview.harness.plugins.cmi5 import Cmi5Side, verb_name
from courseforge.stages.preview.harness.plugins.xapi import registration_statements
from courseforge.stages.preview.harness.runtime import find_runtime
from courseforge.standards import cmi5 as std
from tests.review.review_lms import REVIEWER_PASSWORD, log_in
from tests.review.test_review_browser import attempt_text, launch, leave_player

SUSPEND_DATA = f"1~{BITSET_ALPHABET[0b111]}~~~"
"""The runtime's saved state with screens 1-3 visited (model/suspend.py's format)."""
INTERACTION = {"id": "final-quiz_1_q-exits", "type": "choice", "student_response": "c-blocked",
               "result": "wrong"}


def launch_config(server: ReviewServer, sha256: str, learner: str) -> dict[str, Any]:
    """Launch as a reviewer's browser does (login, the launch form) and read what the LMS page gets."""
    with httpx.Client(base_url=server.url) as client:
        client.post("/login", data={"name": "reviewer", "password": REVIEWER_PASSWORD, "next": "/"})
        player = client.get(client.post(f"/versions/{sha256}/launch", data={"learner": learner}).headers["location"])
        frames = html.fromstring(player.text).xpath("//iframe[@id='lms']/@src")
        assert isinstance(frames, list) and frames
        launch = parse_qs(urlsplit(str(frames[0])).query)["launch"][0]
        config: dict[str, Any] = client.get(f"/__lms/launches/{launch}").json()
    return config


def test_a_suspended_scorm_attempt_resumes_after_a_restart(tmp_path: Path, sample_packages: dict[str, bytes]) -> None:
    paths = ReviewPaths.under(tmp_path / "review")
    with ReviewServer(paths, find_runtime()) as server:
        server.lms.database.add_user("reviewer", Role.REVIEWER, REVIEWER_PASSWORD)
        sha = server.lms.library.publish_bytes(sample_packages["scorm12"], "test").package.sha256
        first = launch_config(server, sha, "Ann")
        assert first["cmi"]["core"]["entry"] == "ab-initio"
        cmi = {**first["cmi"], "suspend_data": SUSPEND_DATA, "interactions": [INTERACTION],
               "core": {**first["cmi"]["core"], "lesson_location": "fire-safety", "exit": "suspend",
                        "lesson_status": "incomplete"}}
        with httpx.Client() as client:
            assert client.post(f"{first['commitUrl']}?terminate=true", json={"cmi": cmi}).json()["result"] is True
    with ReviewServer(paths, find_runtime()) as restarted:
        again = launch_config(restarted, sha, "Ann")
        assert again["attempt"] == {"number": 1, "resumed": True, "data": again["cmi"]}
        assert again["cmi"]["core"]["entry"] == "resume"
        assert again["cmi"]["suspend_data"] == SUSPEND_DATA
        assert again["cmi"]["core"]["lesson_location"] == "fire-safety"
        package = restarted.lms.database.package(sha)
        assert package is not None
        views = restarted.lms.launches.views(package, "Ann")
        assert [view.launches for view in views] == [2]
        assert views[0].record is not None and views[0].record.state == SUSPEND_DATA
        with httpx.Client(base_url=restarted.url) as client:
            client.post("/login", data={"name": "reviewer", "password": REVIEWER_PASSWORD, "next": "/"})
            page = html.fromstring(client.get(f"/versions/{sha}", params={"learner": "Ann"}).text)
    table = page.find(".//table[@class='interactions']")
    assert table is not None
    cells = [[str(td.text) for td in row.iter("td")] for row in table.iter("tr")]
    assert [row for row in cells if row] == [
        ["final-quiz_1_q-exits", "choice", "c-blocked", "wrong"]]
    suspend = page.xpath("//dl[@class='suspend']/dd/text()")
    assert isinstance(suspend, list) and str(suspend[0]) == "#1, #2, #3"


def free_port(avoid: int = 0) -> int:
    """A port no one listens on now (not ``avoid``)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port != avoid:
            return port


@contextmanager
def reviewer_page(chromium: Browser, server: ReviewServer) -> Iterator[Page]:
    """A browser logged in to ``server`` as the reviewer (a new context per server: its session is the server's
    database's, so it would outlast the restart too, but the test does not lean on that)."""
    context = chromium.new_context(base_url=server.url)
    page = context.new_page()
    log_in(page)
    try:
        yield page
    finally:
        context.close()


def published(server: ReviewServer, data: bytes) -> str:
    server.lms.database.add_user("reviewer", Role.REVIEWER, REVIEWER_PASSWORD)
    return server.lms.library.publish_bytes(data, "test").package.sha256


@dataclass(frozen=True)
class FirstRun:
    """What the first server left: where it kept everything, and what Ann's first launch showed and got."""

    paths: ReviewPaths
    port: int
    sha256: str
    heading: str
    """The last screen's heading."""
    shown: str
    """The attempt's article on the version's page."""
    config: Mapping[str, Any]
    """What the launch's LMS page was given."""


def before_a_restart(folder: Path, chromium: Browser, data: bytes, screens: int) -> FirstRun:
    """A first server: the package published, Ann's first launch through ``screens`` screens and back to the
    version's page (its attempt shown with those screens visited)."""
    paths, port = ReviewPaths.under(folder), free_port()
    with ReviewServer(paths, find_runtime(), port=port) as server:
        sha = published(server, data)
        with reviewer_page(chromium, server) as page:
            course = launch(page, sha, "Ann")
            for _ in range(screens - 1):
                course.get_by_role("button", name="Next").click()
            heading = course.get_by_role("heading", level=1).inner_text()
            leave_player(page)
            shown = attempt_text(page, sha, "Ann", 1, ", ".join(f"#{n}" for n in range(1, screens + 1)))
            return FirstRun(paths, port, sha, heading, shown, last_config(server, sha))


@contextmanager
def after_the_restart(run: FirstRun, chromium: Browser) -> Iterator[tuple[ReviewServer, Page]]:
    """A second server on the first one's database and package store, on another port (what the LMS records must
    not depend on its address: an xAPI learner stays one agent), and a reviewer's browser on it."""
    with ReviewServer(run.paths, find_runtime(), port=free_port(avoid=run.port)) as restarted, \
            reviewer_page(chromium, restarted) as page:
        assert restarted.url != f"http://127.0.0.1:{run.port}"
        yield restarted, page


def only_attempt(server: ReviewServer, sha256: str) -> AttemptRow:
    attempts = server.lms.database.attempts(sha256, "Ann")
    assert len(attempts) == 1
    return attempts[0]


def last_config(server: ReviewServer, sha256: str) -> Mapping[str, Any]:
    """What the LMS page of the learner's latest launch was given."""
    row = server.lms.database.launch(server.lms.database.launches_of(only_attempt(server, sha256))[-1])
    assert row is not None
    return row.config


def cmi5_query(config: Mapping[str, Any]) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(str(config["launchUrl"])).query).items()}


@pytest.mark.browser
def test_a_cmi5_attempt_resumes_in_its_registration_after_a_restart(
        tmp_path: Path, sample_packages: dict[str, bytes], chromium: Browser) -> None:
    run = before_a_restart(tmp_path / "review", chromium, sample_packages["cmi5"], 3)
    with after_the_restart(run, chromium) as (restarted, page):
        course = launch(page, run.sha256, "Ann")  # the registration's State document brings the offer to resume
        dialog = course.locator("#cf-resume")
        expect(dialog).to_contain_text(run.heading)
        dialog.locator("[data-role='resume']").click()
        expect(course.get_by_role("heading", level=1)).to_have_text(run.heading)
        again = last_config(restarted, run.sha256)
        attempt = only_attempt(restarted, run.sha256)
        old, new = cmi5_query(run.config), cmi5_query(again)
        assert again["attempt"]["number"] == 1 and again["attempt"]["resumed"] is True
        assert new["registration"] == old["registration"] == attempt.data["registration"]
        assert new["fetch"] != old["fetch"]
        with httpx.Client() as client:  # the new token went to the AU (used once); the old ticket is not honoured
            assert client.post(new["fetch"]).json()["error-code"] == "1"
            assert "auth-token" not in client.post(on_server(restarted, old["fetch"])).json()
        side = restarted.lms.launches.sides[PackageFormat.CMI5]
        assert isinstance(side, Cmi5Side)
        sessions = launch_sessions(side, new["registration"])
        assert len(sessions) == 2 and sessions[0] != sessions[1]
        assert in_the_database(run.paths, new["registration"]) == len(registration_statements(
            side.store, new["registration"])) > 2
        launch_data = side.store.get_document(DocumentKey(DocumentScope(
            DocumentKind.STATE, new["activityId"], agent_param(new["actor"])[1], new["registration"]),
            std.LAUNCH_DATA_STATE_ID))
        assert launch_data is not None
        assert json.loads(launch_data.content)["contextTemplate"]["extensions"][std.EXT_SESSION_ID] == sessions[1]
        leave_player(page)
        after = attempt_text(page, run.sha256, "Ann", 1, "2 launches")
    assert "resumed" in after and "#1, #2, #3" in after and "holds no record" not in after
    assert "#1, #2, #3" in run.shown


def on_server(server: ReviewServer, url: str) -> str:
    """``url``'s path and query on ``server`` (the first server's address is gone with it)."""
    parts = urlsplit(url)
    return f"{server.url}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def in_the_database(paths: ReviewPaths, registration: str) -> int:
    """How many statements of the registration the review database file holds (read with a connection of
    the test's own); no side keeps an SQLite file of its own beside it."""
    assert not list(paths.packages.glob("sides/**/*.sqlite"))
    with closing(sqlite3.connect(paths.database)) as db:
        return int(db.execute("SELECT COUNT(*) FROM statements WHERE registration = ?", (registration,)).fetchone()[0])


def launch_sessions(side: Cmi5Side, registration: str) -> list[str]:
    """The session ids of the registration's launched statements, oldest first (the LMS writes one per launch)."""
    statements = registration_statements(side.store, registration)
    return [str(s["context"]["extensions"][std.EXT_SESSION_ID]) for s in statements
            if verb_name(s) == "launched"]


@pytest.mark.browser
def test_an_xapi_attempt_from_before_a_restart_still_shows_its_statements_and_resumes(
        tmp_path: Path, sample_packages: dict[str, bytes], chromium: Browser) -> None:
    run = before_a_restart(tmp_path / "review", chromium, sample_packages["xapi"], 2)
    with after_the_restart(run, chromium) as (restarted, page):
        after = attempt_text(page, run.sha256, "Ann", 1, "#1, #2")
        package = restarted.lms.database.package(run.sha256)
        assert package is not None
        views = restarted.lms.launches.views(package, "Ann")
        assert len(views) == 1 and views[0].record is not None
        assert "experienced" in views[0].record.status_text
        assert in_the_database(run.paths, str(views[0].row.data["registration"])) >= 2
        course = launch(page, run.sha256, "Ann")  # the same agent on another port: its State document is found
        expect(course.locator("#cf-resume")).to_contain_text(run.heading)
        again = only_attempt(restarted, run.sha256)
        assert again.data["registration"] == views[0].row.data["registration"]
        leave_player(page)
    assert "holds no record" not in after
    assert "statements initialized, experienced" in run.shown and "statements initialized, experienced" in after
