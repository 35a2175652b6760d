"""A cmi5 launch end to end in headless Chromium: the AU page uses @xapi/cmi5 against our LMS and LRS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lrs_harness import dump, run_node
from playwright.sync_api import Browser

from tests.chromium import missing
from tests.lrs.cmi5_au.au_client import QUIZ, launch, register, stored_statements, verbs
from tests.lrs.cmi5_au.server import CMI5_DIST, RunningHost, running_host

pytestmark = pytest.mark.browser
AU_TIMEOUT_MS = 15_000
SESSION_EXT = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"


@pytest.fixture
def host(tmp_path: Path) -> Iterator[RunningHost]:
    if not (CMI5_DIST / "Cmi5.umd.js").is_file():
        missing(f"@xapi/cmi5 not installed ({CMI5_DIST} missing; npm ci)")
    with running_host(tmp_path / "lrs.sqlite") as running:
        yield running


def run_au(chromium: Browser, url: str, return_url: str) -> list[dict[str, Any]]:
    """Open the launch URL as the LMS would and collect the AU's reports until it returns to the LMS."""
    reports: list[dict[str, Any]] = []
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.expose_function("cmi5Report", lambda report: reports.append(report))
        page.goto(url)
        page.wait_for_url(return_url, timeout=AU_TIMEOUT_MS)
    finally:
        context.close()
    return reports


def test_xapi_cmi5_au_runs_a_normal_session(chromium: Browser, host: RunningHost, tmp_path: Path) -> None:
    with httpx.Client(timeout=10) as http:
        registration = register(http, host)
        url = launch(http, host, registration, QUIZ)
        reports = run_au(chromium, url, f"{host.base_url}/done")
        steps = {report["step"]: report["data"] for report in reports}
        assert [report["step"] for report in reports] == [
            "launch-parameters", "initialized", "second-fetch", "completed", "passed", "terminated",
            "after-terminated", "done"], reports

        parameters = steps["launch-parameters"]
        assert parameters["registration"] == registration
        assert parameters["endpoint"] == f"{host.base_url}/xAPI/"
        assert parameters["actor"]["account"]["name"] == "learner-1"
        assert parameters["activityId"] != QUIZ

        launch_data = steps["initialized"]["launchData"]
        assert launch_data["launchMode"] == "Normal" and launch_data["masteryScore"] == 0.8
        assert launch_data["moveOn"] == "CompletedAndPassed"
        assert steps["initialized"]["preferences"] == {"languagePreference": "fr-FR,en-US", "audioPreference": "off"}
        assert steps["initialized"]["tokenPresent"] is True

        second = steps["second-fetch"]
        assert second["status"] == 200 and second["type"] == "application/json"
        assert second["body"]["error-code"] == "1"

        after = steps["after-terminated"]
        assert after["accepted"] is False and after["status"] == 400
        assert "[cmi5.after-terminated]" in str(after["body"])

        stored = stored_statements(http, host, registration)
    assert verbs(stored) == ["launched", "initialized", "completed", "passed", "satisfied", "satisfied",
                             "terminated"]
    session = launch_data["contextTemplate"]["extensions"][SESSION_EXT]
    assert {statement["context"]["extensions"][SESSION_EXT] for statement in stored} == {session}
    passed = stored[3]
    assert passed["result"]["score"]["scaled"] == 0.9 and passed["result"]["success"] is True
    assert [s["object"]["definition"]["type"].rsplit("/", 1)[1] for s in stored[4:6]] == ["block", "course"]
    assert all(statement["actor"] == parameters["actor"] for statement in stored)
    # an independent validator on what the AU and the LMS stored
    checked = run_node("validate_statements.mjs", str(dump(tmp_path / "stored.json", stored)))
    assert json.loads(checked.stdout) == {"count": len(stored), "errors": []}, checked.stdout
