"""In a store that outlives the build, a file that did not change since it settled is not read again (the same
bytes come back); any change to it, or a file changed too recently to trust its stat, is read anew."""

from __future__ import annotations

import os
from pathlib import Path

from pytest import MonkeyPatch

from courseforge.cache import MemoryStore, cache_scope
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.project import DEFAULT_LIMITS
from courseforge.stages import inputs
from courseforge.stages.inputs import SETTLED_SECONDS, read_folder

SETTLED = 1_000_000_000.0


def read(folder: Path) -> dict[str, bytes]:
    return read_folder(folder, "c", DiagnosticSink(), DEFAULT_LIMITS).files


def settled_at_once(monkeypatch: MonkeyPatch) -> None:
    """A file counts as settled as soon as it is written (instead of waiting SETTLED_SECONDS in the test)."""
    monkeypatch.setattr(inputs, "SETTLED_SECONDS", -1.0)


def test_a_settled_unchanged_file_comes_back_as_the_same_bytes_and_a_changed_one_is_read(
        tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(b"one")
    settled_at_once(monkeypatch)
    with cache_scope(MemoryStore()):
        first = read(tmp_path)["page.md"]
        assert read(tmp_path)["page.md"] is first
        page.write_bytes(b"two")  # same size, its times set back: its inode's change time still moves
        os.utime(page, (SETTLED, SETTLED))
        assert read(tmp_path)["page.md"] == b"two"


def test_a_file_changed_just_before_it_was_read_is_read_every_time(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(b"one")  # modified now: within SETTLED_SECONDS of the read
    assert SETTLED_SECONDS > 0
    with cache_scope(MemoryStore()):
        first = read(tmp_path)["page.md"]
        again = read(tmp_path)["page.md"]
        assert again == first and again is not first


def test_a_one_off_build_keeps_no_read(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(b"one")
    settled_at_once(monkeypatch)
    with cache_scope(MemoryStore(), lasting=False):
        first = read(tmp_path)["page.md"]
        assert read(tmp_path)["page.md"] is not first


def test_a_settled_unchanged_file_is_not_opened_again_and_a_touched_one_is(tmp_path: Path,
                                                                          monkeypatch: MonkeyPatch) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(b"one")
    settled_at_once(monkeypatch)
    opened: list[str] = []
    real_open = os.open

    def counted_open(path: str, flags: int, mode: int = 0o777) -> int:
        opened.append(os.fspath(path))
        return real_open(path, flags, mode)

    with cache_scope(MemoryStore()):
        first = read(tmp_path)["page.md"]
        monkeypatch.setattr(os, "open", counted_open)
        assert read(tmp_path)["page.md"] is first and not opened
        os.utime(page, (SETTLED, SETTLED))  # its bytes unchanged, its inode's times not
        assert read(tmp_path)["page.md"] == first and opened == [str(page.resolve())]
