"""What the review LMS keeps across a restart (same database and store, a new server process's worth of state):
a suspended SCORM attempt resumes with its suspend data and location; a cmi5 attempt, whose registration the
cmi5 LMS held in memory, goes on as a new attempt with the old one kept. Commits are posted over HTTP to the
LMS page's commit URL, as scorm-again posts them."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from lxml import html

from courseforge.lms.review.database import Role
from courseforge.lms.review.server import ReviewServer
from courseforge.lms.review.service import ReviewPaths
from courseforge.model.suspend import BITSET_ALPHABET
from courseforge.stages.preview.harness.runtime import find_runtime
from tests.review.review_lms import REVIEWER_PASSWORD

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


def test_a_cmi5_attempt_from_before_a_restart_is_kept_and_a_new_one_starts(
        tmp_path: Path, sample_packages: dict[str, bytes]) -> None:
    paths = ReviewPaths.under(tmp_path / "review")
    with ReviewServer(paths, find_runtime()) as server:
        server.lms.database.add_user("reviewer", Role.REVIEWER, REVIEWER_PASSWORD)
        sha = server.lms.library.publish_bytes(sample_packages["cmi5"], "test").package.sha256
        first = launch_config(server, sha, "Ann")
    with ReviewServer(paths, find_runtime()) as restarted:
        again = launch_config(restarted, sha, "Ann")
        attempts = restarted.lms.database.attempts(sha, "Ann")
    assert [a.number for a in attempts] == [1, 2]
    assert attempts[0].data["registration"] != attempts[1].data["registration"]
    assert parse_qs(urlsplit(again["launchUrl"]).query)["registration"] == [attempts[1].data["registration"]]
    assert parse_qs(urlsplit(first["launchUrl"]).query)["registration"] == [attempts[0].data["registration"]]

