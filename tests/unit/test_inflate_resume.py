"""A big deflated entry checked resumed from an earlier check says "intact" exactly when it is: a page edited
mid-way is inflated only past the shared compressed beginning, and damage anywhere (before or after it, the
CRC, the length) is still found, with zipfile's own wording in the package's report."""

from __future__ import annotations

import zlib

from courseforge.cache import MemoryStore, cache_scope
from courseforge.stages.package.deflate_segments import deflate
from courseforge.stages.verify import verify_package
from courseforge.stages.verify.inflate_resume import RecentChecks, inflate_from, resumed_intact, shared_points
from tests.unit import packages as pkg
from tests.unit.test_deflate_segments import BASE, EDITS


def test_an_edited_page_is_intact_and_resumes_past_the_shared_beginning() -> None:
    edited = EDITS["sentence appended mid-page"]
    old, new = deflate(BASE, 6), deflate(edited, 6)
    checks = RecentChecks()
    assert checks.intact(memoryview(old), zlib.crc32(BASE), len(BASE))
    points = shared_points(memoryview(new), checks.recent()[-1])
    assert points and points[-1].consumed > len(new) // 3
    assert checks.intact(memoryview(new), zlib.crc32(edited), len(edited))


def test_damage_crc_and_length_are_found_resumed() -> None:
    old = deflate(BASE, 6)
    checks = RecentChecks()
    assert checks.intact(memoryview(old), zlib.crc32(BASE), len(BASE))
    late = bytearray(old)
    late[len(old) - 1000] ^= 0xFF
    assert not checks.intact(memoryview(bytes(late)), zlib.crc32(BASE), len(BASE))
    assert not checks.intact(memoryview(old), zlib.crc32(BASE) ^ 1, len(BASE))
    assert not checks.intact(memoryview(old), zlib.crc32(BASE), len(BASE) + 1)
    assert not checks.intact(memoryview(old[:-100]), zlib.crc32(BASE), len(BASE))
    assert not checks.intact(memoryview(old + b"junk"), zlib.crc32(BASE), len(BASE))


def test_a_whole_inflate_matches_zlib() -> None:
    data = deflate(BASE, 6)
    _check, crc, produced, ended = inflate_from(memoryview(data), ())
    assert (crc, produced, ended) == (zlib.crc32(BASE), len(BASE), True)


def test_only_a_lasting_store_resumes() -> None:
    data = memoryview(deflate(BASE, 6))
    assert resumed_intact(data, zlib.crc32(BASE), len(BASE)) is None
    with cache_scope(MemoryStore(), lasting=False):
        assert resumed_intact(data, zlib.crc32(BASE), len(BASE)) is None
    with cache_scope(MemoryStore()):
        assert resumed_intact(data, zlib.crc32(BASE), len(BASE)) is True


def test_a_damaged_big_entry_is_reported_alike_with_and_without_a_lasting_store() -> None:
    """The package's report on a big page with a wrong CRC, after the same page intact was checked."""
    files = {**pkg.package_files(), "big.html": BASE}
    good = pkg.build_zip(files)
    bad = pkg.wrong_crc(pkg.build_zip({**files, "big.html": EDITS["sentence appended mid-page"]}), "big.html")
    plain = verify_package("p.zip", bad)
    with cache_scope(MemoryStore()):
        assert "zip.corrupt" not in verify_package("p.zip", good).codes()
        resumed = verify_package("p.zip", bad)
    assert "zip.corrupt" in plain.codes()
    assert [d.format() for d in resumed.diagnostics] == [d.format() for d in plain.diagnostics]
