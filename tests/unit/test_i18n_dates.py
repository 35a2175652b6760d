"""``i18n extract`` and ``init`` date their files by the sources, never by the time of the run.

SOURCE_DATE_EPOCH when set, else the last git commit of the course's folder, else 1980-01-01: the same sources
write the same bytes, whenever and wherever the command runs.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from courseforge.i18n.catalog import po_path, pot_path
from tests.unit.test_i18n_workflow import LOCALES, project, run

__all__ = ["project"]

COMMITTED = 1_700_000_000
"""2023-11-14 22:13:20 UTC."""
PLACEHOLDER = "YEAR-MO-DA HO:MI+ZONE"
"""A template's revision date: gettext's placeholder, a template is never revised by a translator."""


def headers(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, colon, value = line.strip('"').removesuffix("\\n").partition(": ")
        if colon and name in ("POT-Creation-Date", "PO-Revision-Date"):
            found[name] = value
    return found


def extract_and_init() -> tuple[bytes, bytes]:
    for args in (("i18n", "extract"), ("i18n", "init", "de")):
        code, output = run(*args)
        assert code == 0, output
    return pot_path(LOCALES, "i18n-course").read_bytes(), po_path(LOCALES, "de", "i18n-course").read_bytes()


def again() -> tuple[bytes, bytes]:
    for path in (pot_path(LOCALES, "i18n-course"), po_path(LOCALES, "de", "i18n-course")):
        path.unlink()
    time.sleep(1.1)  # a minute boundary may pass too: any date of the run would show
    return extract_and_init()


def test_without_a_date_the_files_say_1980_and_do_not_change(project: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(project.parent))  # the project is in no git checkout
    first = extract_and_init()
    assert headers(pot_path(LOCALES, "i18n-course")) == {"POT-Creation-Date": "1980-01-01 00:00+0000",
                                                         "PO-Revision-Date": PLACEHOLDER}
    assert headers(po_path(LOCALES, "de", "i18n-course")) == {"POT-Creation-Date": "1980-01-01 00:00+0000",
                                                              "PO-Revision-Date": "1980-01-01 00:00+0000"}
    assert again() == first


def test_source_date_epoch_dates_the_template_and_the_new_catalog(project: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(COMMITTED))
    first = extract_and_init()
    assert headers(po_path(LOCALES, "de", "i18n-course")) == {"POT-Creation-Date": "2023-11-14 22:13+0000",
                                                              "PO-Revision-Date": "2023-11-14 22:13+0000"}
    assert b"2023" in first[1].split(b"msgid")[0]  # the copyright year of the header comment
    assert again() == first


def test_in_git_the_last_commit_of_the_course_dates_its_files(project: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    date = f"@{COMMITTED} +0000"
    environment = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "t",
                   "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                   "GIT_COMMITTER_EMAIL": "t@example.org"}
    for args in (["init", "-q"], ["add", "courses"], ["commit", "-q", "-m", "course"]):
        subprocess.run(["git", *args], cwd=project, env=environment, check=True, capture_output=True)
    first = extract_and_init()
    assert headers(pot_path(LOCALES, "i18n-course")) == {"POT-Creation-Date": "2023-11-14 22:13+0000",
                                                         "PO-Revision-Date": PLACEHOLDER}
    assert again() == first
