"""A catalog the build read before is not parsed again, and comes back as it was: the build's catalog reads
(``read_build_catalog``) give the same catalog and the same diagnostics with no store, on a miss, on a hit from
memory and on a hit from disk; a changed file is read anew."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog

from courseforge.cache import DECODE_ERRORS, DiskStore, LayeredStore, MemoryStore, Store, cache_scope
from courseforge.diagnostics import DiagnosticSink
from courseforge.i18n.catalog import parse_catalog
from courseforge.i18n.catalog_codec import SEPARATOR, build_catalog_from_parts, build_catalog_parts
from courseforge.stages.catalog_check import PO_READ_NAMESPACE, checked_read, decode_read, encode_read
from courseforge.stages.load import load_locale_catalogs, read_build_catalog, read_catalog_file

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "locales").glob("*/LC_MESSAGES/*.po"))
HEADER = 'msgid ""\nmsgstr ""\n"Language: de\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
ENTRY = 'msgctxt "c/{n}"\nmsgid "Text {n}"\nmsgstr "{string}"\n\n'
DISPLAY = "locales/de/LC_MESSAGES/c.po"


class CountingStore:
    """Counts the hits and misses per namespace of the store it wraps."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.hits: Counter[str] = Counter()
        self.misses: Counter[str] = Counter()

    def get(self, namespace: str, key: str) -> bytes | None:
        value = self.inner.get(namespace, key)
        (self.hits if value is not None else self.misses)[namespace] += 1
        return value

    def put(self, namespace: str, key: str, value: bytes) -> None:
        self.inner.put(namespace, key, value)


def as_built(catalog: Catalog | None) -> Any:
    """What the build reads of a catalog: its header and each entry's id, context, translation, flags, line and
    previous text, obsolete entries too."""
    if catalog is None:
        return None

    def entries(found: dict[Any, Any]) -> list[tuple[Any, ...]]:
        return [(key, m.id, m.context, m.string, sorted(m.flags), m.lineno, m.previous_id, m.fuzzy)
                for key, m in found.items()]

    return (catalog.mime_headers, catalog.fuzzy, catalog.locale_identifier, catalog.charset, catalog.num_plurals,
            catalog.plural_expr, len(catalog), entries(catalog._messages), entries(catalog.obsolete))


def read(path: Path, display: str = DISPLAY, *, ui: bool = False) -> tuple[Any, list[str]]:
    sink = DiagnosticSink()
    catalog = read_build_catalog(path, path.parent, display, sink, keep_format_flags=ui)
    return as_built(catalog), [d.format() for d in sink]


def three_reads(path: Path, *, ui: bool = False) -> list[tuple[Any, list[str]]]:
    """With no store, then a miss and a hit in one memory store (shown to be a miss and a hit)."""
    store = CountingStore(MemoryStore())
    found = [read(path, ui=ui)]
    with cache_scope(store):
        found += [read(path, ui=ui), read(path, ui=ui)]
    assert (store.misses[PO_READ_NAMESPACE], store.hits[PO_READ_NAMESPACE]) == (1, 1)
    return found


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: f"{path.parent.parent.name}/{path.name}")
def test_a_sample_catalog_comes_back_from_the_cache_as_it_was_read(path: Path) -> None:
    fresh, miss, hit = three_reads(path)
    assert fresh[0] is not None and fresh == miss == hit
    full = read_catalog_file(path, path.parent, DISPLAY, DiagnosticSink())
    assert full is not None and as_built(full[0]) == fresh[0]


def test_a_player_catalog_keeps_its_format_flags_through_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "ui.po"
    shutil.copyfile(REPO / "courseforge/themes/default/locales/de/LC_MESSAGES/ui.po", path)
    fresh, miss, hit = three_reads(path, ui=True)
    assert fresh == miss == hit
    assert any("python-format" in entry[4] for entry in fresh[0][7])


def test_fuzzy_entries_previous_texts_and_obsolete_entries_come_back(tmp_path: Path) -> None:
    path = tmp_path / "c.po"
    path.write_text(HEADER + '#, fuzzy\n#| msgid "Old"\nmsgctxt "c/1"\nmsgid "New"\nmsgstr "Alt"\n\n'
                    'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] "Eins"\nmsgstr[1] "Viele"\n\n'
                    '#~ msgctxt "c/9"\n#~ msgid "Gone"\n#~ msgstr "Weg"\n', encoding="utf-8")
    fresh, miss, hit = three_reads(path)
    assert fresh == miss == hit and fresh[1] == []
    entries, obsolete = fresh[0][7], fresh[0][8]
    assert entries[0][6] == ["Old"] and entries[0][7] is True
    assert entries[1][1] == ("One", "Many") and entries[1][3] == ("Eins", "Viele")
    assert obsolete == [(("Gone", "c/9"), "Gone", "c/9", "Weg", [], 18, [], False)]


@pytest.mark.parametrize(("text", "code", "line"), [
    (HEADER + ENTRY.format(n=1, string="Eins") + "msgid\n", "i18n.po-syntax", 9),
    (HEADER + ENTRY.format(n=1, string="Ein \\v Text"), "source.control-char", 7),
    (HEADER + ENTRY.format(n=1, string="Ein \a Text"), "source.control-char", 8),
    (HEADER.replace("utf-8", "latin-1") + ENTRY.format(n=1, string="\u20ac"), "source.control-char", 7),
    (HEADER.replace("charset=utf-8", "CHARSET=Latin-1") + ENTRY.format(n=1, string="\u20ac"), "source.control-char", 7),
], ids=["syntax", "escape", "raw-control", "charset", "charset-in-capitals"])
def test_a_catalog_that_cannot_be_used_reports_the_same_from_the_cache(tmp_path: Path, text: str, code: str,
                                                                     line: int) -> None:
    path = tmp_path / "c.po"
    path.write_bytes(text.encode("utf-8"))
    fresh, miss, hit = three_reads(path)
    assert fresh == miss == hit and fresh[0] is None
    [diagnostic] = fresh[1]
    assert diagnostic.startswith(f"{DISPLAY}:{line}:") and f"[{code}]" in diagnostic


def test_a_catalog_that_is_not_utf8_reports_the_same_from_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "c.po"
    path.write_bytes((HEADER + ENTRY.format(n=1, string="caf\xe9")).encode("latin-1"))
    fresh, miss, hit = three_reads(path)
    assert fresh == miss == hit and fresh[0] is None and "[source.encoding]" in fresh[1][0]


def test_a_changed_catalog_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "c.po"
    store = CountingStore(MemoryStore())
    with cache_scope(store):
        path.write_text(HEADER + ENTRY.format(n=1, string="Eins"), encoding="utf-8")
        first, _ = read(path)
        path.write_text(HEADER + ENTRY.format(n=1, string="Uno"), encoding="utf-8")
        second, _ = read(path)
    assert first[7][0][3] == "Eins" and second[7][0][3] == "Uno"
    assert (store.misses[PO_READ_NAMESPACE], store.hits[PO_READ_NAMESPACE]) == (2, 0)


def test_the_same_bytes_under_another_path_report_at_that_path(tmp_path: Path) -> None:
    path = tmp_path / "c.po"
    path.write_text(HEADER + ENTRY.format(n=1, string="Ein \\a Text"), encoding="utf-8")
    with cache_scope(MemoryStore()):
        _, here = read(path, "locales/de/LC_MESSAGES/c.po")
        _, there = read(path, "locales/fr/LC_MESSAGES/c.po")
    assert here[0].startswith("locales/de/LC_MESSAGES/c.po:7:")
    assert there[0].startswith("locales/fr/LC_MESSAGES/c.po:7:")


def test_a_catalog_cached_on_disk_comes_back_in_a_new_process(tmp_path: Path) -> None:
    """A later process sees the disk folder with nothing in memory."""
    locales = tmp_path / "locales"
    shutil.copytree(REPO / "locales", locales)
    sink = DiagnosticSink()
    fresh = load_locale_catalogs(locales, "locales", "workplace-safety", "de", sink)
    with cache_scope(LayeredStore(MemoryStore(), DiskStore(tmp_path / "cache"))):
        load_locale_catalogs(locales, "locales", "workplace-safety", "de", sink)
    disk = CountingStore(DiskStore(tmp_path / "cache"))
    with cache_scope(LayeredStore(MemoryStore(), disk)):
        warm = load_locale_catalogs(locales, "locales", "workplace-safety", "de", sink)
    assert disk.hits[PO_READ_NAMESPACE] == 1 and not sink.items
    assert as_built(warm.course) == as_built(fresh.course) is not None


def test_a_catalog_the_build_reads_equals_the_one_parsed_in_full() -> None:
    """The build's read leaves out only what the build does not read (comments, locations)."""
    path = REPO / "locales" / "fr" / "LC_MESSAGES" / "workplace-safety.po"
    with cache_scope(MemoryStore()):
        read(path)
        built = read_build_catalog(path, path.parent, DISPLAY, DiagnosticSink())
    full = parse_catalog(path.read_bytes())
    assert built is not None and as_built(built) == as_built(full)
    assert all(not m.locations and not m.auto_comments for m in built if m.id)


def test_texts_holding_the_separator_are_kept_in_rows_and_come_back() -> None:
    """The input rules keep NUL out of every catalog the build uses; a catalog that held one anyway is written in
    rows only, and comes back the same."""
    text = HEADER + ENTRY.format(n=1, string="Eins") + ENTRY.format(n=2, string="Zw\x00ei") + '#, fuzzy\n' + \
        ENTRY.format(n=3, string="Drei")
    catalog = parse_catalog(text.encode("utf-8"), comments=False)
    document, texts = build_catalog_parts(catalog)
    assert texts == "" and all(isinstance(row, list) for row in document["messages"])
    assert as_built(build_catalog_from_parts(document, texts)) == as_built(catalog)


def test_plain_messages_are_lines_and_their_texts_come_back() -> None:
    text = HEADER + ENTRY.format(n=1, string="Eins") + '#, fuzzy\n' + ENTRY.format(n=2, string="Zwei") + \
        ENTRY.format(n=3, string="")
    catalog = parse_catalog(text.encode("utf-8"), comments=False)
    document, texts = build_catalog_parts(catalog)
    assert [row if isinstance(row, int) else "row" for row in document["messages"]] == [7, "row", 16]
    assert texts.split(SEPARATOR) == ["c/1", "Text 1", "Eins", "c/3", "Text 3", ""]
    assert as_built(build_catalog_from_parts(document, texts)) == as_built(catalog)


@pytest.mark.parametrize("cut", [b"\x00", b"Eins"], ids=["no-texts-part", "texts-cut-short"])
def test_an_entry_whose_texts_do_not_fit_its_messages_is_a_miss(cut: bytes) -> None:
    data = (HEADER + ENTRY.format(n=1, string="Eins") + ENTRY.format(n=2, string="Zwei")).encode("utf-8")
    entry = encode_read(checked_read(data, False))
    with pytest.raises(DECODE_ERRORS):
        decode_read(entry[:entry.rindex(cut)])
