"""The ``courseforge lrs`` command line and the SQLite store's schema versioning."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from courseforge.cli import run
from courseforge.lms.lrs.sqlite import SCHEMA_VERSION, SchemaTooNew, SqliteStore


@pytest.mark.parametrize("arguments", [["--user", "only-key"], ["--password", "only-secret"], ["--port", "70000"],
                                       ["--user", "a", "--password", "b", "--credentials", "missing.json"]])
def test_bad_command_lines_exit_2(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["lrs", *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err


def test_bad_credentials_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "clients.json"
    file.write_text(json.dumps({"clients": [{"key": "a:b", "secret": "s"}]}))
    assert run(["lrs", "--credentials", str(file), "--db", str(tmp_path / "x.sqlite")]) == 2
    assert "clients[0]" in capsys.readouterr().err


def test_help_ends_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["lrs", "--help"]) == 0
    lines = capsys.readouterr().out.rstrip().splitlines()
    assert any(line.strip() == "Example:" for line in lines[-4:])
    assert lines[-2].strip().startswith("courseforge lrs ")


def test_schema_is_versioned_and_a_newer_database_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "lrs.sqlite"
    store = SqliteStore(database)
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        connection.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNew):
        SqliteStore(database)
