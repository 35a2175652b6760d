"""A course text file read back from its cache entry is what parsing it gives, marks in the same order; what
JSON cannot carry exactly is never cached; a damaged entry is a miss."""

from __future__ import annotations

from pathlib import Path

import pytest

from courseforge.cache import DECODE_ERRORS, DiskStore, cache_scope
from courseforge.model.source import PageSource, ParsedDocument
from courseforge.stages.load import TEXT_READ, TEXT_READ_CODEC, TextRead, read_text, text_read
from courseforge.stages.source_codec import Uncacheable

REPOSITORY = Path(__file__).resolve().parents[2]
MAX_NODES = 10_000


def course_texts() -> list[Path]:
    folders = [REPOSITORY / "courses", REPOSITORY / "tests" / "roots"]
    return sorted(path for folder in folders for path in folder.rglob("*") if path.suffix in (".md", ".yaml", ".yml"))


def marks_in_order(read: TextRead) -> list[object]:
    parsed = read.parsed
    document = parsed.front_matter if isinstance(parsed, PageSource) else parsed
    return list(document.marks.items()) if isinstance(document, ParsedDocument) else []


@pytest.mark.parametrize("path", course_texts(), ids=lambda path: path.relative_to(REPOSITORY).as_posix())
def test_every_course_file_comes_back_from_its_entry_as_parsed(path: Path) -> None:
    relpath = path.name
    read = read_text(relpath, path.read_bytes(), f"shown/{relpath}", MAX_NODES)
    back = TEXT_READ_CODEC.decode(TEXT_READ_CODEC.encode(read))
    assert back == read and marks_in_order(back) == marks_in_order(read)


def test_a_value_json_cannot_carry_exactly_is_parsed_every_time(tmp_path: Path) -> None:
    data = b"kind: quiz\nid: q\ndue: 2024-05-01\n"
    read = read_text("quiz.yaml", data, "quiz.yaml", MAX_NODES)
    with pytest.raises(Uncacheable):
        TEXT_READ_CODEC.encode(read)
    store = DiskStore(tmp_path)
    with cache_scope(store, disk=store):
        assert text_read("quiz.yaml", data, "quiz.yaml", MAX_NODES) == read
    assert TEXT_READ not in DiskStore(tmp_path).namespaces()


def test_a_cached_read_is_used_and_a_damaged_entry_raises_a_decode_error(tmp_path: Path) -> None:
    data = b"---\nid: p\ntitle: P\n---\nBody [link](other.md)\n"
    store = DiskStore(tmp_path)
    with cache_scope(store, disk=store):
        first = text_read("p.md", data, "c/p.md", MAX_NODES)
    assert DiskStore(tmp_path).namespaces()[TEXT_READ] == 1
    with cache_scope(store, disk=store):
        assert text_read("p.md", data, "c/p.md", MAX_NODES) == first
    encoded = TEXT_READ_CODEC.encode(first)
    for damaged in (encoded.replace(b'"line":5', b'"line":"5"'), encoded.replace(b'"o":[', b'"o":[1,'), b"{}"):
        with pytest.raises(DECODE_ERRORS):
            TEXT_READ_CODEC.decode(damaged)


def test_a_read_only_cache_such_as_lints_gets_no_entry_encoded(tmp_path: Path) -> None:
    store = DiskStore(tmp_path, read_only=True)
    with cache_scope(store, disk=store):
        text_read("p.md", b"---\nid: p\ntitle: P\n---\nBody\n", "c/p.md", MAX_NODES)
    assert TEXT_READ not in DiskStore(tmp_path).namespaces()
