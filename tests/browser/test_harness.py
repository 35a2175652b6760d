"""The test LMS itself works: a hand-written SCO's tracking reaches scorm-again and the server, and a
relaunch hands the stored record back. If these fail, no other browser test can be trusted."""

from __future__ import annotations

from pathlib import Path

import pytest
from lms import ApiCall, ScormSession, resume_cmi, zip_dir

MINI_SCO = Path(__file__).parent / "fixtures" / "mini_sco"


@pytest.fixture
def mini_sco_zip(tmp_path: Path) -> Path:
    return zip_dir(MINI_SCO, tmp_path / "mini_sco.zip")


@pytest.mark.browser
def test_first_attempt_is_recorded(scorm_session: ScormSession, mini_sco_zip: Path) -> None:
    _, frame = scorm_session.launch(mini_sco_zip)
    assert frame.locator("#entry").text_content() == "ab-initio"

    frame.get_by_role("button", name="Finish").click()
    scorm_session.wait_finished()

    core = scorm_session.cmi()["core"]
    assert (core["lesson_status"], core["score"]["raw"]) == ("passed", "90")
    assert scorm_session.finished()
    assert scorm_session.calls("LMSInitialize", "LMSCommit", "LMSFinish") == [
        ApiCall("LMSInitialize", [""], "true", "0"),
        ApiCall("LMSCommit", [""], "true", "0"),
        ApiCall("LMSFinish", [""], "true", "0"),
    ]
    assert [c.args for c in scorm_session.calls("LMSSetValue")][:2] == [
        ["cmi.core.score.raw", "90"],
        ["cmi.core.lesson_status", "passed"],
    ]
    stored = scorm_session.stored_cmi()
    assert stored["core"]["lesson_status"] == "passed"
    assert [c.terminate for c in scorm_session.commits()] == [False, True]
    assert scorm_session.not_found() == []
    assert scorm_session.page_errors == []


@pytest.mark.browser
def test_relaunch_resumes_from_stored_record(scorm_session: ScormSession, mini_sco_zip: Path) -> None:
    _, frame = scorm_session.launch(mini_sco_zip)
    frame.get_by_role("button", name="Finish").click()
    scorm_session.wait_finished()

    _, frame = scorm_session.relaunch()

    assert frame.locator("#entry").text_content() == "resume"
    assert frame.locator("#suspend").text_content() == "page=3"
    core = scorm_session.cmi()["core"]
    assert (core["entry"], core["lesson_status"], core["score"]["raw"]) == ("resume", "passed", "90")
    assert core["exit"] == ""


@pytest.mark.browser
def test_closing_the_window_keeps_the_pagehide_finish(scorm_session: ScormSession, mini_sco_zip: Path) -> None:
    scorm_session.launch(mini_sco_zip)
    scorm_session.close()

    assert [c.terminate for c in scorm_session.commits()] == [True]
    assert scorm_session.stored_cmi()["suspend_data"] == "page=1"
    _, frame = scorm_session.relaunch()
    assert frame.locator("#entry").text_content() == "resume"
    assert frame.locator("#suspend").text_content() == "page=1"


@pytest.mark.browser
def test_nonzero_last_error_is_recorded(scorm_session: ScormSession, mini_sco_zip: Path) -> None:
    _, frame = scorm_session.launch(mini_sco_zip)
    code = frame.evaluate("() => { parent.API.LMSGetValue('cmi.core.exit'); return parent.API.LMSGetLastError(); }")
    assert code == "404"  # cmi.core.exit is write-only
    assert scorm_session.calls("LMSGetLastError") == [ApiCall("LMSGetLastError", [], "404", "404")]


def test_resume_cmi_follows_scorm_entry_rule() -> None:
    suspended = {"cmi": {"core": {"exit": "suspend", "session_time": "00:00:05", "lesson_status": "incomplete"}}}
    assert resume_cmi(suspended) == {"core": {"entry": "resume", "lesson_status": "incomplete"}}
    assert resume_cmi({"core": {"exit": "logout"}})["core"] == {"entry": ""}
    assert suspended["cmi"]["core"]["exit"] == "suspend"  # the stored record is not modified
